/**
 * POST /v1/events/export and GET /events: one page of the filtered visible events (newest first)
 * with read-time enrichment, and totalEvents from a COUNT over the same filtered set.
 */
import type { Tenant } from '../events/event';
import { badRequest } from '../http/errors';
import type { Dialect } from './dialect';
import type { QueryEngine } from './engine';
import { inheritFromSession, jsonObjectOrUndefined, mergeChildIds } from './enrichment';
import { EVENT_ALIAS } from './field-expressions';
import { EVENT_FIELD_NAMES, resolveProjection } from './fields';
import { compileFilters } from './filters';
import { raw, type Sql, sql } from './sql';
import { rowToStoredEvent, stringArray } from './stored-event';
import {
  DEFAULT_EXPORT_LIMIT,
  type ExportQuery,
  type ExportResult,
  MAX_EXPORT_LIMIT,
  type StoredEvent,
} from './types';
import { dateRangePrefilter, EVENTS_WITH_SESSION, visibleEventsPrelude } from './visible-events';

const PAGE_COLUMNS = raw(EVENT_FIELD_NAMES.map((name) => `${EVENT_ALIAS}.${name}`).join(', '));

export interface ExportStatements {
  page: Sql;
  count: Sql;
  projections: string[] | undefined;
}

/** Builds the page and count statements (exported so tests can inspect the SQL). */
export function exportStatements(tenant: Tenant, query: ExportQuery, dialect: Dialect): ExportStatements {
  const limit = checkedInteger(query.limit ?? DEFAULT_EXPORT_LIMIT, 'limit', 1, MAX_EXPORT_LIMIT);
  const page = checkedInteger(query.page ?? 1, 'page', 1, Number.MAX_SAFE_INTEGER);
  const offset = (page - 1) * limit;
  if (!Number.isSafeInteger(offset)) throw badRequest('page is too large');
  const projections =
    query.projections && query.projections.length > 0 ? query.projections.map(resolveProjection) : undefined;
  const prelude = visibleEventsPrelude(
    tenant,
    query.dateRange ? dateRangePrefilter(checkedRange(query.dateRange)) : [],
  );
  const where = compileFilters(query.filters ?? [], dialect);

  // The page is cut first; children are then looked up only for the page's events.
  const pageStatement = sql`${prelude}, page AS (
  SELECT ${PAGE_COLUMNS}, s.metadata AS session_metadata, s.user_properties AS session_user_properties
  FROM ${EVENTS_WITH_SESSION}
  WHERE ${where}
  ORDER BY ${raw(`${EVENT_ALIAS}.start_time DESC, ${EVENT_ALIAS}.event_id`)}
  OFFSET ${raw(String(offset))} LIMIT ${raw(String(limit))}
), linked AS (
  SELECT c.parent_id, ${dialect.jsonArrayAgg(raw('c.event_id'))} AS linked_children
  FROM visible c JOIN page p ON c.parent_id = p.event_id
  GROUP BY c.parent_id
)
SELECT page.*, linked.linked_children
FROM page LEFT JOIN linked ON linked.parent_id = page.event_id
ORDER BY page.start_time DESC, page.event_id`;
  const countStatement = sql`${prelude}
SELECT count(*) AS total FROM ${EVENTS_WITH_SESSION} WHERE ${where}`;
  return { page: pageStatement, count: countStatement, projections };
}

export async function exportEvents(
  engine: QueryEngine,
  dialect: Dialect,
  tenant: Tenant,
  query: ExportQuery,
): Promise<ExportResult> {
  const statements = exportStatements(tenant, query, dialect);
  const [rows, countRows] = await Promise.all([
    engine.query(statements.page.text, statements.page.params),
    engine.query(statements.count.text, statements.count.params),
  ]);
  const events = rows.map((row) => project(enrichRow(row), statements.projections));
  return { events, totalEvents: Number(countRows[0]?.total ?? 0) };
}

function enrichRow(row: Record<string, unknown>): StoredEvent {
  const event = rowToStoredEvent(row);
  const withChildren = {
    ...event,
    children_ids: mergeChildIds(event.children_ids, stringArray(row.linked_children)),
  };
  const sessionMetadata = jsonObjectOrUndefined(row.session_metadata);
  const sessionUserProperties = jsonObjectOrUndefined(row.session_user_properties);
  if (!sessionMetadata && !sessionUserProperties) return withChildren;
  return inheritFromSession(withChildren, {
    metadata: sessionMetadata ?? {},
    user_properties: sessionUserProperties ?? {},
  });
}

function project(event: StoredEvent, projections: string[] | undefined): Partial<StoredEvent> {
  if (!projections) return event;
  const fields = event as unknown as Record<string, unknown>;
  return Object.fromEntries(projections.map((name) => [name, fields[name]])) as Partial<StoredEvent>;
}

function checkedInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function checkedRange(range: { from: number; to: number }): { from: number; to: number } {
  if (!Number.isFinite(range.from) || !Number.isFinite(range.to) || range.from > range.to)
    throw badRequest('dateRange must have $gte <= $lte');
  return range;
}
