/**
 * How a monitor's state reaches the control plane: the data plane that evaluates it reports every
 * change (a new state, or the first evaluation) on the control plane's delivery queue, before it
 * saves the state itself, so a crash repeats a report and never loses one. The control plane keeps
 * the newest state of each monitor and its history of changes from these reports, and answers the
 * monitors list and `…/history` from them. A report holds what a notification holds (ids, states,
 * figures, times): no event contents.
 *
 * The queue is a standard one, so reports may arrive twice or out of order: a history row is keyed
 * by the time of its change (the same report twice is one row), and a state is replaced only by a
 * state that began no earlier (MonitorStateBoard.record).
 */
import type { ControlPlaneStore } from '../../control-plane/store';
import { ValidationError } from '../../errors';
import { MONITOR_STATES, type MonitorState, objectOf } from '../notification';
import type { HistoryEntry } from './evaluate';
import type { AlertLevel, MonitorStatus } from './state';

export interface MonitorTransitionReport {
  org_id: string;
  project_id: string;
  monitor_id: string;
  /** The monitor's status right after the change. */
  status: MonitorStatus;
  change: HistoryEntry;
}

/** The control plane's record of reported states: written by the sender, read by the API. */
export interface MonitorStateBoard {
  /** Stores the change in the history and, unless a later state is already stored, the status. */
  record(report: MonitorTransitionReport): Promise<void>;
  load(projectId: string, monitorIds: readonly string[]): Promise<Map<string, MonitorStatus>>;
  history(projectId: string, monitorId: string, limit: number): Promise<HistoryEntry[]>;
}

/** The queue message of a report (beside delivery messages, which carry `notification`). */
export function transitionMessageBody(report: MonitorTransitionReport): string {
  return JSON.stringify({ transition: report });
}

/** Whether a parsed queue message is a transition report rather than a delivery. */
export function isTransitionMessage(message: Record<string, unknown>): boolean {
  return 'transition' in message;
}

/**
 * Records a report on the board if its monitor is still a monitor of that organization and project
 * (a report about a deleted monitor, or one naming another project, records nothing); answers why not.
 */
export async function recordTransition(
  ports: { records: Pick<ControlPlaneStore, 'get'>; board: MonitorStateBoard },
  report: MonitorTransitionReport,
): Promise<{ recorded: true } | { recorded: false; reason: string }> {
  const monitor = await ports.records.get({ kind: 'monitor', org_id: report.org_id, id: report.monitor_id });
  if (!monitor || monitor.project_id !== report.project_id)
    return { recorded: false, reason: `no monitor ${report.monitor_id} in project ${report.project_id}` };
  await ports.board.record(report);
  return { recorded: true };
}

const ALERT_LEVELS: readonly AlertLevel[] = ['critical', 'warning'];
/** Ids are the control plane's own (UUIDs); anything longer is not one of ours. */
const MAX_ID_LENGTH = 200;

/** Reads a report back from a parsed queue message, refusing anything that is not one. */
export function readTransitionReport(message: Record<string, unknown>): MonitorTransitionReport {
  const report = objectOf(message.transition, 'transition');
  const id = (field: string): string => {
    const found = report[field];
    if (typeof found !== 'string' || found === '' || found.length > MAX_ID_LENGTH)
      throw new ValidationError(`transition.${field} must be an id`);
    return found;
  };
  const monitorId = id('monitor_id');
  const status = readStatus(objectOf(report.status, 'transition.status'));
  const change = readChange(objectOf(report.change, 'transition.change'));
  if (change.monitor_id !== monitorId)
    throw new ValidationError('transition.change is about another monitor');
  if (change.state !== status.state || change.at !== status.since)
    throw new ValidationError('transition.change does not match transition.status');
  return { org_id: id('org_id'), project_id: id('project_id'), monitor_id: monitorId, status, change };
}

function readStatus(record: Record<string, unknown>): MonitorStatus {
  const alerting = record.alerting;
  if (alerting !== null && !(ALERT_LEVELS as readonly unknown[]).includes(alerting))
    throw new ValidationError('transition.status.alerting must be critical, warning or null');
  return {
    state: stateOf(record, 'transition.status.state'),
    alerting: alerting as AlertLevel | null,
    value: figure(record, 'transition.status.value'),
    threshold: figure(record, 'transition.status.threshold'),
    since: time(record, 'transition.status.since'),
    evaluated_at: time(record, 'transition.status.evaluated_at'),
  };
}

function readChange(record: Record<string, unknown>): HistoryEntry {
  const monitorId = record.monitor_id;
  if (typeof monitorId !== 'string') throw new ValidationError('transition.change.monitor_id must be an id');
  const notificationId = record.notification_id;
  if (notificationId !== null && (typeof notificationId !== 'string' || notificationId.length > 100))
    throw new ValidationError('transition.change.notification_id must be an id or null');
  return {
    monitor_id: monitorId,
    at: time(record, 'transition.change.at'),
    state: stateOf(record, 'transition.change.state'),
    previous_state: stateOf(record, 'transition.change.previous_state'),
    value: figure(record, 'transition.change.value'),
    threshold: figure(record, 'transition.change.threshold'),
    notification_id: notificationId as string | null,
  };
}

function stateOf(record: Record<string, unknown>, name: string): MonitorState {
  const found = fieldOf(record, name);
  if (!(MONITOR_STATES as readonly unknown[]).includes(found))
    throw new ValidationError(`${name} must be one of ${MONITOR_STATES.join(', ')}`);
  return found as MonitorState;
}

function figure(record: Record<string, unknown>, name: string): number | null {
  const found = fieldOf(record, name);
  if (found === null) return null;
  if (typeof found !== 'number' || !Number.isFinite(found))
    throw new ValidationError(`${name} must be a number or null`);
  return found;
}

/** Epoch milliseconds: a whole number between 2000 and 10,000 (DynamoDB keys pad to 15 digits). */
function time(record: Record<string, unknown>, name: string): number {
  const found = fieldOf(record, name);
  if (
    typeof found !== 'number' ||
    !Number.isInteger(found) ||
    found < 946_684_800_000 ||
    found > 253_402_300_799_999
  )
    throw new ValidationError(`${name} must be a time in epoch milliseconds`);
  return found;
}

/** The field a dotted name ends with (`transition.status.value` -> `value`). */
function fieldOf(record: Record<string, unknown>, name: string): unknown {
  return record[name.slice(name.lastIndexOf('.') + 1)];
}
