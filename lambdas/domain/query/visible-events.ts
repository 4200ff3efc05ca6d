/**
 * The dedup view as a SQL prelude: the newest version of each event id in the tenant's project,
 * minus tombstoned events and events of tombstoned sessions. Every read starts from it, so the
 * tenant's project_id, org_id and workspace_id are in every statement's WHERE clause.
 *
 * Tables are named `events` and `tombstones`; each engine adapter makes those names resolve.
 */
import type { Tenant } from '../events/event';
import { clampEpochMs, hourPartitionOf } from '../store/layout';
import { EVENT_ALIAS, SESSION_ALIAS } from './field-expressions';
import { EVENT_FIELD_NAMES } from './fields';
import { and, param, raw, type Sql, sql } from './sql';
import type { DateRange } from './types';

const COLUMN_LIST = raw(EVENT_FIELD_NAMES.join(', '));

/**
 * `prefilter` conditions run before dedup, on raw rows (unqualified column names). Only conditions
 * that hold for every version of an event belong there: event_id, session_id and start_time never
 * change between versions (updates cannot patch them), so filtering on them first is safe and lets
 * the engines skip files.
 */
export function visibleEventsPrelude(tenant: Tenant, prefilter: readonly Sql[] = []): Sql {
  const scope = tenantScope(tenant);
  return sql`WITH tomb AS (
  SELECT target, id FROM tombstones WHERE ${scope}
), ${newestVisible('ranked', 'visible', and([scope, ...prefilter]))}`;
}

/** `<ranked> AS (...), <visible> AS (...)`: the newest version of each event matching `where`, tombstones applied. */
function newestVisible(ranked: string, visible: string, where: Sql): Sql {
  return sql`${raw(ranked)} AS (
  SELECT ${COLUMN_LIST}, row_number() OVER (PARTITION BY event_id ORDER BY version DESC, ingested_at DESC) AS version_rank
  FROM events WHERE ${where}
), ${raw(visible)} AS (
  SELECT ${COLUMN_LIST} FROM ${raw(ranked)} r
  WHERE r.version_rank = 1
    AND NOT EXISTS (SELECT 1 FROM tomb t WHERE t.target = 'event' AND t.id = r.event_id)
    AND NOT EXISTS (SELECT 1 FROM tomb t WHERE t.target = 'session' AND t.id = r.session_id)
)`;
}

/**
 * The prelude and the FROM of a read that joins each visible event `v` to its session event `s`.
 * Normally `s` comes from the visible set itself. But with a dateRange, a session event may have
 * started before the range (a session starts before its events); when the read filters, groups or
 * measures on inherited fields (`readsInherited`), `sessions` then holds the newest visible version
 * of just the session ids the visible events name, wherever they lie, so that those fields have the
 * values the events show. It costs a scan of the project's event ids, so only those reads pay it.
 */
export function eventsWithSession(
  tenant: Tenant,
  range: DateRange | undefined,
  readsInherited: boolean,
): { prelude: Sql; from: Sql } {
  if (range === undefined) return { prelude: visibleEventsPrelude(tenant), from: EVENTS_WITH_SESSION };
  if (!readsInherited) {
    return { prelude: visibleEventsPrelude(tenant, dateRangePrefilter(range)), from: EVENTS_WITH_SESSION };
  }
  const prelude = sql`${visibleEventsPrelude(tenant, dateRangePrefilter(range))}, ${newestVisible(
    'session_ranked',
    'sessions',
    sql`${tenantScope(tenant)} AND event_id IN (SELECT session_id FROM visible)`,
  )}`;
  return {
    prelude,
    from: raw(
      `visible ${EVENT_ALIAS} LEFT JOIN sessions ${SESSION_ALIAS} ON ${SESSION_ALIAS}.event_id = ${EVENT_ALIAS}.session_id AND ${SESSION_ALIAS}.event_type = 'session'`,
    ),
  };
}

/** Visible events `v`, each joined to its session event `s` (NULLs when there is none). */
const EVENTS_WITH_SESSION: Sql = raw(
  `visible ${EVENT_ALIAS} LEFT JOIN visible ${SESSION_ALIAS} ON ${SESSION_ALIAS}.event_id = ${EVENT_ALIAS}.session_id AND ${SESSION_ALIAS}.event_type = 'session'`,
);

function tenantScope(tenant: Tenant): Sql {
  return sql`project_id = ${param(tenant.project_id)} AND org_id = ${param(tenant.org_id)} AND workspace_id = ${param(tenant.workspace_id)}`;
}

/** start_time within the range, plus the matching day partitions so engines skip other days. */
export function dateRangePrefilter(range: DateRange): Sql[] {
  const fromDay = hourPartitionOf('', clampEpochMs(range.from)).dt;
  const toDay = hourPartitionOf('', clampEpochMs(range.to)).dt;
  return [
    sql`start_time >= ${param(range.from)} AND start_time <= ${param(range.to)}`,
    sql`dt >= ${param(fromDay)} AND dt <= ${param(toDay)}`,
  ];
}
