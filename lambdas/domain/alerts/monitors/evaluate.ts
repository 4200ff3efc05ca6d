/**
 * One evaluation run (every minute): the monitors are grouped by the query they need (project,
 * event type, filters, field, window, and whether drift's previous window is read), each group's
 * rollup rows are read by one statement, and each monitor of the group gets its value and its next
 * state (state.ts). A change that notifies is queued (outbox.ts) BEFORE the new state is saved: a
 * crash in between repeats the notification at the next run, with the same idempotency id (derived
 * from the monitor, the change and the time the previous state began), and never loses one. Every
 * change (notifying or not) is then reported to the control plane (transition-report.ts), also
 * before the save.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../sync/canonical-json';
import type { MonitorState, Notification } from '../notification';
import { monitorField } from './definition';
import type { NotificationOutbox } from './outbox';
import { addRowStats, aggregate, emptyStats, type FieldStats, type RollupRow } from './rollup';
import { type RollupQuery, rowMatches, windowRange } from './rollup-query';
import { type MonitorStatus, nextStatus, percentChange, type Transition } from './state';
import type { MonitorDefinition } from './synced';

export interface HistoryEntry {
  monitor_id: string;
  at: number;
  state: MonitorState;
  previous_state: MonitorState;
  value: number | null;
  threshold: number | null;
  /** The notification queued for this change, when it notified. */
  notification_id: string | null;
}

/** Where monitor states and their history live (DynamoDB; dynalite locally; memory in tests). */
export interface MonitorStatusStore {
  load(projectId: string, monitorIds: readonly string[]): Promise<Map<string, MonitorStatus>>;
  /** Saves the status; with a change, appends it to the monitor's history. */
  save(projectId: string, monitorId: string, status: MonitorStatus, change?: HistoryEntry): Promise<void>;
  history(projectId: string, monitorId: string, limit: number): Promise<HistoryEntry[]>;
}

export interface EvaluationDeps {
  /** The rows of a statement; an iterable, so a reader may parse each row only as it is merged. */
  readRollups(query: RollupQuery): Promise<Iterable<RollupRow>>;
  statuses: MonitorStatusStore;
  outbox: NotificationOutbox;
  projectName(projectId: string): Promise<string>;
  clock?: () => number;
  onFailure?: (info: { monitorIds: string[]; error: unknown }) => void;
}

export interface EvaluationResult {
  evaluated: number;
  statements: number;
  notified: number;
  failed: number;
}

/** Aggregations read from the sketches; the others need only counts, sums, minimums and maximums. */
const PERCENTILES: ReadonlySet<string> = new Set(['median', 'p90', 'p95', 'p99']);

interface Group {
  query: RollupQuery;
  windowMinutes: number;
  monitors: MonitorDefinition[];
}

export function groupMonitors(monitors: readonly MonitorDefinition[], now: number): Group[] {
  const groups = new Map<string, Group>();
  for (const monitor of monitors) {
    if (monitor.paused) continue;
    const span = monitor.condition === 'drift' ? 2 : 1;
    const withSketch = PERCENTILES.has(monitor.aggregation);
    const key = canonicalJson({
      project: monitor.project_id,
      type: monitor.event_type,
      filters: monitor.filters as unknown as never,
      field: monitor.field,
      window: monitor.window_minutes,
      span,
      withSketch,
    });
    let group = groups.get(key);
    if (!group) {
      const range = windowRange(now, monitor.window_minutes);
      const from = span === 2 ? windowRange(now, monitor.window_minutes, 1).from : range.from;
      group = {
        query: {
          project_id: monitor.project_id,
          event_type: monitor.event_type,
          filters: monitor.filters,
          field: monitorField(monitor.field),
          withSketch,
          fromMinute: from,
          toMinute: range.to,
        },
        windowMinutes: monitor.window_minutes,
        monitors: [],
      };
      groups.set(key, group);
    }
    group.monitors.push(monitor);
  }
  return [...groups.values()];
}

/** A group's field merged over its window, and over the window before it (drift compares the two). */
export interface WindowStats {
  current: FieldStats;
  previous: FieldStats;
}

/**
 * Merges rows into their window's stats as they come, so a 31-day window (44,640 minute rows per
 * combination, each a few KB parsed with its sketch) is never held whole (docs/BENCHMARKS.md,
 * "Monitors: the percentile sketch and a 31-day window"). Rows outside both windows, or not
 * matching the query (an in-memory reader's rows), are skipped.
 */
export function windowStats(
  rows: Iterable<RollupRow>,
  query: RollupQuery,
  windowMinutes: number,
  now: number,
): WindowStats {
  const { field } = query;
  const current = windowRange(now, windowMinutes);
  const previous = windowRange(now, windowMinutes, 1);
  const stats: WindowStats = { current: emptyStats(), previous: emptyStats() };
  for (const row of rows) {
    if (!rowMatches(row, query)) continue;
    if (row.minute >= current.from && row.minute <= current.to) addRowStats(stats.current, row, field);
    else if (row.minute >= previous.from && row.minute <= previous.to)
      addRowStats(stats.previous, row, field);
  }
  return stats;
}

/** A monitor's value from its group's window stats (undefined: no data). */
export function monitorValue(monitor: MonitorDefinition, stats: WindowStats): number | undefined {
  const field = monitorField(monitor.field);
  const value = aggregate(stats.current, monitor.aggregation, field);
  if (monitor.condition !== 'drift') return value;
  return percentChange(value, aggregate(stats.previous, monitor.aggregation, field));
}

/** The idempotency id of a change: the same for the same change however often it is retried. */
export function notificationId(
  monitor: MonitorDefinition,
  transition: Transition,
  previousSince: number,
): string {
  const digest = createHash('sha256')
    .update(
      `${monitor.project_id}\n${monitor.id}\n${transition.previous}\n${transition.status.state}\n${previousSince}`,
    )
    .digest('base64url');
  return `msg_${digest.slice(0, 32)}`;
}

export async function evaluateMonitors(
  monitors: readonly MonitorDefinition[],
  deps: EvaluationDeps,
): Promise<EvaluationResult> {
  const now = (deps.clock ?? Date.now)();
  const result: EvaluationResult = { evaluated: 0, statements: 0, notified: 0, failed: 0 };
  const paused = monitors.filter((monitor) => monitor.paused);
  // A group's monitors share the query, the field and the window: one merge serves them all.
  const work: { monitors: MonitorDefinition[]; stats: () => Promise<WindowStats | undefined> }[] =
    groupMonitors(monitors, now).map((group) => ({
      monitors: group.monitors,
      stats: async () => {
        result.statements++;
        const rows = await deps.readRollups(group.query);
        return windowStats(rows, group.query, group.windowMinutes, now);
      },
    }));
  if (paused.length > 0) work.push({ monitors: paused, stats: async () => undefined });
  for (const { monitors: members, stats: read } of work) {
    try {
      const stats = await read();
      const byProject = new Map<string, MonitorDefinition[]>();
      for (const monitor of members)
        byProject.set(monitor.project_id, [...(byProject.get(monitor.project_id) ?? []), monitor]);
      for (const [projectId, projectMonitors] of byProject) {
        const statuses = await deps.statuses.load(
          projectId,
          projectMonitors.map((monitor) => monitor.id),
        );
        for (const monitor of projectMonitors) {
          const current = statuses.get(monitor.id);
          const value = monitor.paused || stats === undefined ? undefined : monitorValue(monitor, stats);
          const transition = nextStatus(monitor, value, current, now);
          result.evaluated++;
          if (await record(monitor, transition, current, now, deps)) result.notified++;
        }
      }
    } catch (error) {
      result.failed += members.length;
      deps.onFailure?.({ monitorIds: members.map((monitor) => monitor.id), error });
    }
  }
  return result;
}

/** Queues the notification of a change (if any), then saves; returns whether one was queued. */
async function record(
  monitor: MonitorDefinition,
  transition: Transition,
  current: MonitorStatus | undefined,
  now: number,
  deps: EvaluationDeps,
): Promise<boolean> {
  const { status, previous, severity } = transition;
  const changed = status.state !== previous || current === undefined;
  let notificationIdQueued: string | null = null;
  if (severity !== undefined && monitor.channels.length > 0) {
    const id = notificationId(monitor, transition, current?.since ?? 0);
    const notification: Notification = {
      type: 'monitor.state_changed',
      id,
      timestamp: new Date(now).toISOString(),
      org_id: monitor.org_id,
      project_id: monitor.project_id,
      project_name: await deps.projectName(monitor.project_id),
      monitor_id: monitor.id,
      monitor_name: monitor.name,
      state: status.state,
      previous_state: previous,
      severity,
      value: status.value,
      threshold: severity === 'resolution' ? (current?.threshold ?? status.threshold) : status.threshold,
      window_minutes: monitor.window_minutes,
    };
    await deps.outbox.queue(notification, monitor.channels);
    notificationIdQueued = id;
  }
  const change: HistoryEntry | undefined = changed
    ? {
        monitor_id: monitor.id,
        at: now,
        state: status.state,
        previous_state: previous,
        value: status.value,
        threshold: status.threshold,
        notification_id: notificationIdQueued,
      }
    : undefined;
  // Reported before it is saved, as the notification is: a crash repeats the report, never loses it.
  if (change)
    await deps.outbox.report({
      org_id: monitor.org_id,
      project_id: monitor.project_id,
      monitor_id: monitor.id,
      status,
      change,
    });
  await deps.statuses.save(monitor.project_id, monitor.id, status, change);
  return notificationIdQueued !== null;
}
