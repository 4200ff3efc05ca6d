/**
 * A monitor's state machine. Each evaluation measures one value (or none: no data) and moves the
 * monitor to one of unknown, ok, warning, critical, no_data, paused. Only changes of the alert level
 * notify: entering warning or critical (or moving between them), and coming back to ok from one
 * (a resolution). The alert level survives no_data and paused, so critical -> no_data -> ok still
 * resolves and critical -> no_data -> critical does not alert twice. A new monitor stays unknown
 * until it has data, and unknown never notifies.
 */
import type { MonitorState, Severity } from '../notification';
import type { Condition, MonitorContent } from './definition';

export type AlertLevel = 'critical' | 'warning';

export interface MonitorStatus {
  state: MonitorState;
  /** The level last notified and not yet resolved. */
  alerting: AlertLevel | null;
  value: number | null;
  threshold: number | null;
  /** Epoch ms of the last state change. */
  since: number;
  /** Epoch ms of the last evaluation. */
  evaluated_at: number;
}

export interface Transition {
  status: MonitorStatus;
  previous: MonitorState;
  /** Set when the change notifies. */
  severity?: Severity;
}

/** Drift's value: the percent change from the previous period; none without a base to compare to. */
export function percentChange(current: number | undefined, previous: number | undefined): number | undefined {
  if (current === undefined || previous === undefined || previous === 0) return undefined;
  return ((current - previous) / Math.abs(previous)) * 100;
}

function crosses(condition: Condition, value: number, level: number | null): boolean {
  if (level === null) return false;
  if (condition === 'above') return value > level;
  if (condition === 'below') return value < level;
  return Math.abs(value) > level;
}

/** The state a measured value puts a monitor in, and the level it is compared with. */
export function levelOf(
  content: Pick<MonitorContent, 'condition' | 'warning' | 'critical'>,
  value: number,
): { state: 'ok' | AlertLevel; threshold: number | null } {
  if (crosses(content.condition, value, content.critical))
    return { state: 'critical', threshold: content.critical };
  if (crosses(content.condition, value, content.warning))
    return { state: 'warning', threshold: content.warning };
  return { state: 'ok', threshold: content.warning ?? content.critical };
}

export function nextStatus(
  content: Pick<MonitorContent, 'condition' | 'warning' | 'critical' | 'paused'>,
  value: number | undefined,
  current: MonitorStatus | undefined,
  now: number,
): Transition {
  const previous = current?.state ?? 'unknown';
  const alerting = current?.alerting ?? null;
  let state: MonitorState;
  let threshold: number | null = null;
  let severity: Severity | undefined;
  let nextAlerting = alerting;
  if (content.paused) state = 'paused';
  else if (value === undefined)
    state = previous === 'unknown' || previous === 'paused' ? 'unknown' : 'no_data';
  else {
    const level = levelOf(content, value);
    state = level.state;
    threshold = level.threshold;
    if (level.state === 'ok') {
      if (alerting !== null) severity = 'resolution';
      nextAlerting = null;
    } else {
      if (alerting !== level.state) severity = level.state;
      nextAlerting = level.state;
    }
  }
  const status: MonitorStatus = {
    state,
    alerting: nextAlerting,
    value: value ?? null,
    threshold,
    since: state === previous && current ? current.since : now,
    evaluated_at: now,
  };
  return severity === undefined ? { status, previous } : { status, previous, severity };
}
