/**
 * The events of an experiment run, for its result and comparisons (domain/experiments/results.ts).
 * A session belongs to a run when its session event carries `metadata.run_id` (what HoneyHive's
 * evaluate(), ours and server-side experiments all set); the run's events are those sessions'
 * session events and every event of theirs that holds metrics.
 *
 * Bounded: the run's sessions are read from its window (created_at less a day, to its last update
 * or now plus a day, at most MAX_RUN_WINDOW_DAYS), so both statements have a dt bound like every
 * read. The verdicts statement reads the scores table over the same days for the `passed` the
 * server-side evaluators decided (thresholds live in their definitions, not in the event).
 */
import type { Tenant } from '../events/event';
import { DAY_MS } from '../store/projection-window';
import { dialectFor } from './dialect';
import type { QueryEngine } from './engine';
import { runStatement } from './run-statement';
import { param, raw, type Sql, sql } from './sql';
import { jsonObject, number } from './stored-event';
import type { DateRange, ReadContext } from './types';
import { scanRange, visibleEventsPrelude } from './visible-events';

/** How far a run's window reaches beyond its first and last write (clients' clocks, sessions still finishing). */
export const RUN_WINDOW_MARGIN_MS = DAY_MS;
/** A run read covers at most this many days from its start (a longer run shows its first days). */
export const MAX_RUN_WINDOW_DAYS = 31;
/**
 * Rows one run read returns at most: a run holds at most 5,000 sessions (runs.ts MAX_RUN_IDS), each a
 * session event and a few scored children. A run with more is cut, and the result says so.
 */
export const MAX_RUN_EVENT_ROWS = 20_000;

export interface RunEventRow {
  event_id: string;
  session_id: string;
  event_type: string;
  event_name: string;
  /** The session event's `metadata.datapoint_id` (every row of a session carries it). */
  datapoint_id: string | null;
  metrics: Record<string, unknown>;
  error: string | null;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  start_time: number;
}

/** A server-side evaluator's latest decision on one event: passed or not, by metric name. */
export interface RunVerdict {
  event_id: string;
  metric_name: string;
  passed: boolean;
}

export interface RunEvents {
  rows: RunEventRow[];
  verdicts: RunVerdict[];
  /** True when the run had more rows than MAX_RUN_EVENT_ROWS and the rest were left out. */
  truncated: boolean;
}

export interface RunWindowSource {
  created_at: number;
  updated_at: number;
  status: string;
}

/** The start_time range a run's sessions are read from. */
export function runWindow(run: RunWindowSource, now: number): DateRange {
  const from = run.created_at - RUN_WINDOW_MARGIN_MS;
  const last = run.status === 'completed' ? run.updated_at : now;
  return { from, to: Math.min(last + RUN_WINDOW_MARGIN_MS, from + MAX_RUN_WINDOW_DAYS * DAY_MS) };
}

export function runEventsStatements(
  tenant: Tenant,
  runId: string,
  window: DateRange,
  engineDialect: QueryEngine['dialect'],
  now: number,
): { events: Sql; verdicts: Sql } {
  const dialect = dialectFor(engineDialect);
  const scan = scanRange(window, now);
  const runIdOf = (column: string) => dialect.jsonText(raw(column), ['run_id']);
  const events = sql`${visibleEventsPrelude(tenant, scan)}, run_sessions AS (
  SELECT event_id AS run_session_id, ${dialect.jsonText(raw('metadata'), ['datapoint_id'])} AS datapoint_id
  FROM visible WHERE event_type = 'session' AND ${runIdOf('metadata')} = ${param(runId)}
)
SELECT v.event_id, v.session_id, v.event_type, v.event_name, v.metrics, v.error, v.inputs, v.outputs, v.start_time, rs.datapoint_id
FROM visible v JOIN run_sessions rs ON v.session_id = rs.run_session_id
WHERE v.event_type = 'session' OR (v.metrics IS NOT NULL AND v.metrics <> '{}')
ORDER BY v.start_time, v.event_id
LIMIT ${raw(String(MAX_RUN_EVENT_ROWS + 1))}`;
  // The run's sessions from the raw rows (session ids and run ids do not change between versions),
  // then the newest score of each metric on their events; a deleted session's verdicts find no row.
  const verdicts = sql`WITH run_sessions AS (
  SELECT DISTINCT event_id FROM events
  WHERE project_id = ${param(tenant.project_id)} AND org_id = ${param(tenant.org_id)} AND workspace_id = ${param(tenant.workspace_id)}
    AND ${scan.events[0] as Sql} AND ${scan.events[1] as Sql}
    AND event_type = 'session' AND ${runIdOf('metadata')} = ${param(runId)}
), verdicts AS (
  SELECT event_id, evaluator_name, passed, row_number() OVER (PARTITION BY event_id, evaluator_name ORDER BY scored_at DESC, score_id) AS newest
  FROM scores
  WHERE project_id = ${param(tenant.project_id)} AND ${scan.events[1] as Sql} AND status = 'ok'
    AND session_id IN (SELECT event_id FROM run_sessions)
)
SELECT event_id, evaluator_name, passed FROM verdicts WHERE newest = 1 AND passed IS NOT NULL`;
  return { events, verdicts };
}

/** Reads a run's events and verdicts (two statements, run together). */
export function createRunEventsReader(engine: QueryEngine, options: { clock?: () => number } = {}) {
  const clock = options.clock ?? Date.now;
  return async function readRunEvents(
    tenant: Tenant,
    run: RunWindowSource & { run_id: string },
    context: ReadContext = {},
  ): Promise<RunEvents> {
    const now = clock();
    const statements = runEventsStatements(tenant, run.run_id, runWindow(run, now), engine.dialect, now);
    const [eventRows, verdictRows] = await Promise.all([
      runStatement(engine, 'run-events', statements.events, context),
      runStatement(engine, 'run-verdicts', statements.verdicts, context),
    ]);
    const truncated = eventRows.length > MAX_RUN_EVENT_ROWS;
    return {
      rows: eventRows.slice(0, MAX_RUN_EVENT_ROWS).map(toRunEventRow),
      verdicts: verdictRows.flatMap(toVerdict),
      truncated,
    };
  };
}

export type RunEventsReader = ReturnType<typeof createRunEventsReader>;

function toRunEventRow(row: Record<string, unknown>): RunEventRow {
  return {
    event_id: String(row.event_id),
    session_id: String(row.session_id),
    event_type: String(row.event_type),
    event_name: typeof row.event_name === 'string' ? row.event_name : '',
    datapoint_id: typeof row.datapoint_id === 'string' && row.datapoint_id !== '' ? row.datapoint_id : null,
    metrics: jsonObject(row.metrics),
    error: typeof row.error === 'string' && row.error !== '' ? row.error : null,
    inputs: jsonObject(row.inputs),
    outputs: jsonObject(row.outputs),
    start_time: number(row.start_time) ?? 0,
  };
}

function toVerdict(row: Record<string, unknown>): RunVerdict[] {
  const passed =
    row.passed === true || row.passed === 'true'
      ? true
      : row.passed === false || row.passed === 'false'
        ? false
        : undefined;
  if (passed === undefined) return [];
  return [{ event_id: String(row.event_id), metric_name: String(row.evaluator_name), passed }];
}
