/**
 * POST /v1/sessions/search: one row per session, with rollups over its visible events (deduplicated,
 * tombstones applied), filtered on the session's own session event, sorted and paged.
 *
 * The rollups are the session tree's (session-tree.ts sessionRollup): num_events, cost and
 * total_tokens over the events inside the session (not the session event itself), start, end and
 * duration over all of them; `errors` counts every event of the session that has an error.
 *
 * Bounded: a session is in the range when its start (the earliest start_time of its events) is,
 * and its events are read from the range widened by SESSION_SPAN_MARGIN_MS on each side (cut at the
 * read horizon), so the event scan has a dt bound like every read. A session longer than the margin
 * shows the rollups of the events that fall inside the widened range; one that started more than
 * the margin before the range, with no event in the margin, counts as starting where its first
 * event inside the scan does.
 */
import { ValidationError } from '../errors';
import type { JsonObject, Tenant } from '../events/event';
import { DAY_MS } from '../store/projection-window';
import type { Dialect } from './dialect';
import type { QueryEngine } from './engine';
import { EVENT_ALIAS, SESSION_ALIAS } from './field-expressions';
import { compileFilters } from './filters';
import { type ReadTime, readWindow } from './read-window';
import { runStatement } from './run-statement';
import { and, param, raw, type Sql, sql } from './sql';
import { jsonObject, number } from './stored-event';
import {
  MAX_SESSION_SEARCH_LIMIT,
  type ReadContext,
  SESSION_SORT_FIELDS,
  type SessionSearchQuery,
  type SessionSearchResult,
  type SessionSortField,
  type SessionSummary,
  SORT_ORDERS,
} from './types';
import { scanRange, visibleEventsPrelude } from './visible-events';

/**
 * How far beyond the range a session's events are read: one day each side. A session (a chat, an
 * agent run) rarely spans more; a day of hour partitions more per side keeps the scan close to the
 * range's (the default 30-day window reads 32 days plus the horizon).
 */
export const SESSION_SPAN_MARGIN_MS = DAY_MS;

/** The summary relation `r` (rollups per session) joined to its session event `v` (and `s`, the same row, for the filters' inherited fields). */
const ROLLUP_ALIAS = 'r';

/** What each sort key orders by; always followed by the session id, so pages are stable. */
const SORT_EXPRESSIONS: Record<SessionSortField, string> = {
  start_time: `${ROLLUP_ALIAS}.start_time`,
  duration: `${ROLLUP_ALIAS}.duration`,
  num_events: `${ROLLUP_ALIAS}.num_events`,
  cost: `${ROLLUP_ALIAS}.cost`,
  total_tokens: `${ROLLUP_ALIAS}.total_tokens`,
  errors: `${ROLLUP_ALIAS}.errors`,
  event_name: `coalesce(${EVENT_ALIAS}.event_name, 'session')`,
};

export interface SessionSearchStatements {
  page: Sql;
  count: Sql;
}

/** Builds the page and count statements (exported so tests can inspect the SQL). */
export function sessionSearchStatements(
  tenant: Tenant,
  query: SessionSearchQuery,
  dialect: Dialect,
  time: ReadTime = { now: Date.now() },
): SessionSearchStatements {
  const limit = checkedInteger(query.limit, 'limit', 1, MAX_SESSION_SEARCH_LIMIT);
  const page = checkedInteger(query.page, 'page', 1, Number.MAX_SAFE_INTEGER);
  const offset = (page - 1) * limit;
  if (!Number.isSafeInteger(offset)) throw new ValidationError('page is too large');
  if (!SESSION_SORT_FIELDS.includes(query.sortBy))
    throw new ValidationError(`sortBy must be one of: ${SESSION_SORT_FIELDS.join(', ')}`);
  if (!SORT_ORDERS.includes(query.sortOrder)) throw new ValidationError('sortOrder must be asc or desc');
  const range = readWindow(query.dateRange, time);
  const scan = scanRange(
    { from: range.from - SESSION_SPAN_MARGIN_MS, to: range.to + SESSION_SPAN_MARGIN_MS },
    time.now,
  );
  const prelude = sql`${visibleEventsPrelude(tenant, scan)}, ${raw(ROLLUPS)}`;
  const where = and([
    sql`${raw(ROLLUP_ALIAS)}.start_time >= ${param(range.from)} AND ${raw(ROLLUP_ALIAS)}.start_time <= ${param(range.to)}`,
    compileFilters(query.filters ?? [], dialect),
  ]);
  const direction = query.sortOrder === 'asc' ? 'ASC' : 'DESC';
  const order = `${SORT_EXPRESSIONS[query.sortBy]} ${direction}, ${ROLLUP_ALIAS}.session_id`;
  const pageStatement = sql`${prelude}
SELECT ${raw(`${ROLLUP_ALIAS}.session_id, coalesce(${EVENT_ALIAS}.event_name, 'session') AS event_name, coalesce(${EVENT_ALIAS}.source, ${ROLLUP_ALIAS}.any_source) AS source, ${EVENT_ALIAS}.user_properties, ${EVENT_ALIAS}.metadata, ${ROLLUP_ALIAS}.start_time, ${ROLLUP_ALIAS}.end_time, ${ROLLUP_ALIAS}.duration, ${ROLLUP_ALIAS}.num_events, ${ROLLUP_ALIAS}.cost, ${ROLLUP_ALIAS}.total_tokens, ${ROLLUP_ALIAS}.errors`)}
FROM ${raw(SUMMARY_FROM)}
WHERE ${where}
ORDER BY ${raw(order)}
OFFSET ${raw(String(offset))} LIMIT ${raw(String(limit))}`;
  const countStatement = sql`${prelude}
SELECT count(*) AS total FROM ${raw(SUMMARY_FROM)} WHERE ${where}`;
  return { page: pageStatement, count: countStatement };
}

/** An event of the session other than its session event (what num_events, cost and tokens add up). */
const MEMBER = "NOT (event_type = 'session' AND event_id = session_id)";

/** Per session: the rollups over its visible events in the scan. */
const ROLLUPS = `rollups AS (
  SELECT session_id,
    CAST(sum(CASE WHEN ${MEMBER} THEN 1 ELSE 0 END) AS BIGINT) AS num_events,
    CAST(sum(CASE WHEN ${MEMBER} THEN coalesce(cost, 0) ELSE 0 END) AS DOUBLE) AS cost,
    CAST(sum(CASE WHEN ${MEMBER} THEN coalesce(total_tokens, 0) ELSE 0 END) AS BIGINT) AS total_tokens,
    CAST(sum(CASE WHEN error IS NOT NULL AND error <> '' THEN 1 ELSE 0 END) AS BIGINT) AS errors,
    min(start_time) AS start_time,
    max(end_time) AS end_time,
    max(end_time) - min(start_time) AS duration,
    min(source) AS any_source
  FROM visible
  GROUP BY session_id
)`;

/** Each session's rollups, its session event `v` (NULLs without one), and `s` for the inherited fields' fallback. */
const SUMMARY_FROM = `rollups ${ROLLUP_ALIAS}
LEFT JOIN visible ${EVENT_ALIAS} ON ${EVENT_ALIAS}.event_id = ${ROLLUP_ALIAS}.session_id AND ${EVENT_ALIAS}.session_id = ${ROLLUP_ALIAS}.session_id AND ${EVENT_ALIAS}.event_type = 'session'
LEFT JOIN visible ${SESSION_ALIAS} ON ${SESSION_ALIAS}.event_id = ${EVENT_ALIAS}.session_id AND ${SESSION_ALIAS}.event_type = 'session'`;

export async function searchSessions(
  engine: QueryEngine,
  dialect: Dialect,
  tenant: Tenant,
  query: SessionSearchQuery,
  context: ReadContext = {},
  time: ReadTime = { now: Date.now() },
): Promise<SessionSearchResult> {
  const statements = sessionSearchStatements(tenant, query, dialect, time);
  const [pageRows, countRows] = await Promise.all([
    runStatement(engine, 'session-search', statements.page, context),
    runStatement(engine, 'session-search-count', statements.count, context),
  ]);
  return {
    sessions: pageRows.map(toSummary),
    totalSessions: number(countRows[0]?.total) ?? 0,
  };
}

function toSummary(row: Record<string, unknown>): SessionSummary {
  const summary: SessionSummary = {
    session_id: String(row.session_id),
    event_name: typeof row.event_name === 'string' ? row.event_name : 'session',
    start_time: number(row.start_time) ?? 0,
    end_time: number(row.end_time) ?? 0,
    duration: number(row.duration) ?? 0,
    num_events: number(row.num_events) ?? 0,
    cost: number(row.cost) ?? 0,
    total_tokens: number(row.total_tokens) ?? 0,
    errors: number(row.errors) ?? 0,
  };
  if (typeof row.source === 'string' && row.source !== '') summary.source = row.source;
  const userProperties = section(row.user_properties);
  if (userProperties) summary.user_properties = userProperties;
  const metadata = section(row.metadata);
  if (metadata) summary.metadata = metadata;
  return summary;
}

function section(value: unknown): JsonObject | undefined {
  if (value === null || value === undefined) return undefined;
  return jsonObject(value);
}

function checkedInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ValidationError(`${name} must be an integer from ${min} to ${max}`);
  return value;
}
