/**
 * POST /v1/events/export and GET /events: one page of the filtered visible events (newest first)
 * with read-time enrichment, and totalEvents from a COUNT over the same filtered set.
 *
 * Two steps, so that the wide columns (inputs, outputs, metadata...) of the whole project are never
 * carried through dedup, the session join and the sort: a narrow statement picks the page (ids, and
 * the children linked to them) while the count runs beside it, then the page's events and their
 * session events are read whole by id. At a million events this is several times faster locally,
 * and on Athena it scans only the columns the filters use. An event updated or deleted between the
 * two steps comes back in its newest state, or not at all.
 */

import { ValidationError } from '../errors';
import type { Tenant } from '../events/event';
import type { Dialect } from './dialect';
import type { QueryEngine } from './engine';
import { inheritFromSession, mergeChildIds } from './enrichment';
import { EVENT_ALIAS, SESSION_ALIAS } from './field-expressions';
import { readsInheritedField, resolveProjection } from './fields';
import { compileFilters } from './filters';
import { sessionEventDays } from './locate';
import { type ReadTime, readWindow } from './read-window';
import { runStatement } from './run-statement';
import { raw, type Sql, sql } from './sql';
import { number, stringArray } from './stored-event';
import {
  DEFAULT_EXPORT_LIMIT,
  EXPORT_SORT_FIELDS,
  type ExportQuery,
  type ExportResult,
  MAX_EXPORT_LIMIT,
  type ReadContext,
  SORT_ORDERS,
  type StoredEvent,
} from './types';
import { eventsWithSession } from './visible-events';
import { visibleRowsByIds } from './visible-rows';

export interface ExportStatements {
  /**
   * The page in order: event ids, session ids and the start times of both (which bound where the
   * rows are read from), with the ids of the children linked to each.
   */
  page: Sql;
  count: Sql;
  projections: string[] | undefined;
  /** Whether the filters read fields events inherit from their session event (eventsWithSession). */
  readsInherited: boolean;
}

/** Builds the page and count statements (exported so tests can inspect the SQL). */
export function exportStatements(
  tenant: Tenant,
  query: ExportQuery,
  dialect: Dialect,
  time: ReadTime = { now: Date.now() },
  sessionDays: readonly string[] = [],
): ExportStatements {
  const limit = checkedInteger(query.limit ?? DEFAULT_EXPORT_LIMIT, 'limit', 1, MAX_EXPORT_LIMIT);
  const page = checkedInteger(query.page ?? 1, 'page', 1, Number.MAX_SAFE_INTEGER);
  const offset = (page - 1) * limit;
  if (!Number.isSafeInteger(offset)) throw new ValidationError('page is too large');
  const projections =
    query.projections && query.projections.length > 0 ? query.projections.map(resolveProjection) : undefined;
  const sortBy = query.sortBy ?? 'start_time';
  if (!EXPORT_SORT_FIELDS.includes(sortBy))
    throw new ValidationError(`sortBy must be one of: ${EXPORT_SORT_FIELDS.join(', ')}`);
  const sortOrder = query.sortOrder ?? 'desc';
  if (!SORT_ORDERS.includes(sortOrder)) throw new ValidationError('sortOrder must be asc or desc');
  // An allow-listed column and a constant direction; NULLs last on both engines (their defaults differ
  // by version), then event_id: the same order every time, so pages neither skip nor repeat.
  const direction = `${sortOrder === 'asc' ? 'ASC' : 'DESC'} NULLS LAST`;
  const filters = query.filters ?? [];
  const where = compileFilters(filters, dialect);
  const readsInherited = readsInheritedField(filters.map((filter) => filter.field));
  const { prelude, from } = eventsWithSession(
    tenant,
    readWindow(query.dateRange, time),
    time.now,
    readsInherited ? sessionDays : undefined,
  );

  // The page is cut first; children are then looked up only for the page's events.
  const pageStatement = sql`${prelude}, page AS (
  SELECT ${raw(`${EVENT_ALIAS}.event_id, ${EVENT_ALIAS}.session_id, ${EVENT_ALIAS}.start_time, ${SESSION_ALIAS}.start_time AS session_start_time, ${EVENT_ALIAS}.${sortBy} AS sort_value`)}
  FROM ${from}
  WHERE ${where}
  ORDER BY ${raw(`${EVENT_ALIAS}.${sortBy} ${direction}, ${EVENT_ALIAS}.event_id`)}
  OFFSET ${raw(String(offset))} LIMIT ${raw(String(limit))}
), linked AS (
  SELECT c.parent_id, ${dialect.jsonArrayAgg(raw('c.event_id'))} AS linked_children
  FROM visible c JOIN page p ON c.parent_id = p.event_id
  GROUP BY c.parent_id
)
SELECT page.event_id, page.session_id, page.start_time, page.session_start_time, linked.linked_children
FROM page LEFT JOIN linked ON linked.parent_id = page.event_id
ORDER BY ${raw(`page.sort_value ${direction}, page.event_id`)}`;
  const countStatement = sql`${prelude}
SELECT count(*) AS total FROM ${from} WHERE ${where}`;
  return { page: pageStatement, count: countStatement, projections, readsInherited };
}

export async function exportEvents(
  engine: QueryEngine,
  dialect: Dialect,
  tenant: Tenant,
  query: ExportQuery,
  context: ReadContext = {},
  time: ReadTime = { now: Date.now() },
): Promise<ExportResult> {
  let statements = exportStatements(tenant, query, dialect, time);
  if (statements.readsInherited) {
    const window = readWindow(query.dateRange, time);
    const days = await sessionEventDays(engine, tenant, window, time.now, context);
    statements = exportStatements(tenant, query, dialect, time, days);
  }
  const [pageRows, countRows] = await Promise.all([
    runStatement(engine, 'export-page', statements.page, context),
    runStatement(engine, 'export-count', statements.count, context),
  ]);
  const page: PageEntry[] = pageRows.map((row) => ({
    eventId: String(row.event_id),
    sessionId: typeof row.session_id === 'string' ? row.session_id : undefined,
    startTime: number(row.start_time),
    sessionStartTime: number(row.session_start_time),
    linkedChildren: stringArray(row.linked_children),
  }));
  const byId = await readPageEvents(engine, tenant, page, time.now, context);
  const events = page.flatMap((entry) => {
    const event = byId.get(entry.eventId);
    if (event === undefined) return [];
    const session = entry.sessionId === undefined ? undefined : byId.get(entry.sessionId);
    return [project(enrich(event, entry.linkedChildren, session), statements.projections)];
  });
  return { events, totalEvents: Number(countRows[0]?.total ?? 0) };
}

interface PageEntry {
  eventId: string;
  sessionId: string | undefined;
  startTime: number | null;
  /** NULL when the page statement saw no session event for the event. */
  sessionStartTime: number | null;
  linkedChildren: string[];
}

/**
 * The page's events and their session events (a session event's id is its session id), read whole
 * from the hours between the earliest and latest of their start times, which never change. The page
 * statement sees no session event for an event when there is none, or when it lies outside the
 * read's range (the client's dateRange or the default window): those few are read by id from the
 * days the id locator names, so that what an event inherits does not depend on the range it was
 * found by.
 */
async function readPageEvents(
  engine: QueryEngine,
  tenant: Tenant,
  page: readonly PageEntry[],
  now: number,
  context: ReadContext,
): Promise<Map<string, StoredEvent>> {
  if (page.length === 0) return new Map();
  const seenSessions = page.flatMap((entry) =>
    entry.sessionId !== undefined && entry.sessionStartTime !== null ? [entry.sessionId] : [],
  );
  const unseenSessions = page.flatMap((entry) =>
    entry.sessionId !== undefined && entry.sessionStartTime === null ? [entry.sessionId] : [],
  );
  const times = page
    .flatMap((entry) => [entry.startTime, entry.sessionStartTime])
    .filter((time) => time !== null);
  const range = times.length === 0 ? undefined : { from: Math.min(...times), to: Math.max(...times) };
  const [inRange, outside] = await Promise.all([
    visibleRowsByIds(
      engine,
      tenant,
      [...page.map((entry) => entry.eventId), ...seenSessions],
      range === undefined ? { now } : { range, now },
      context,
    ),
    unseenSessions.length === 0 ? [] : visibleRowsByIds(engine, tenant, unseenSessions, { now }, context),
  ]);
  return new Map([...inRange, ...outside].map((event) => [event.event_id, event]));
}

function enrich(event: StoredEvent, linkedChildren: string[], session: StoredEvent | undefined): StoredEvent {
  const withChildren = { ...event, children_ids: mergeChildIds(event.children_ids, linkedChildren) };
  if (session === undefined || session.event_type !== 'session') return withChildren;
  return inheritFromSession(withChildren, {
    metadata: session.metadata,
    user_properties: session.user_properties,
  });
}

function project(event: StoredEvent, projections: string[] | undefined): Partial<StoredEvent> {
  if (!projections) return event;
  const fields = event as unknown as Record<string, unknown>;
  return Object.fromEntries(projections.map((name) => [name, fields[name]])) as Partial<StoredEvent>;
}

function checkedInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw new ValidationError(`${name} must be an integer from ${min} to ${max}`);
  return value;
}
