/**
 * The dedup view as a SQL prelude: the newest version of each event id in the tenant's project,
 * minus tombstoned events and events of tombstoned sessions. Every read starts from it, so the
 * tenant's project_id, org_id and workspace_id are in every statement's WHERE clause.
 *
 * Tables are named `events` and `tombstones`; each engine adapter makes those names resolve.
 */
import type { Tenant } from '../events/event';
import { DELETION_REACH_MS } from '../store/deletion-reach';
import { partitionDay, readHorizon } from '../store/projection-window';
import { EVENT_ALIAS, SESSION_ALIAS } from './field-expressions';
import { EVENT_FIELD_NAMES } from './fields';
import { and, join, param, raw, type Sql, sql } from './sql';
import type { DateRange } from './types';

const COLUMN_LIST = raw(EVENT_FIELD_NAMES.join(', '));

/**
 * Where a read looks. `events` conditions run before dedup, on raw rows (unqualified column names):
 * only conditions that hold for every version of an event belong there (event_id, session_id and
 * start_time never change between versions, since updates cannot patch them), so filtering on them
 * first is safe and lets the engines skip files. `tombstones` bound the tombstone scan.
 */
export interface EventScan {
  events: readonly Sql[];
  tombstones: readonly Sql[];
}

/**
 * Events picked by id or session in the days the id locator names (locate.ts; never empty: an id
 * with no located day is not read at all), and the tombstones that can hide them: written from
 * DELETION_REACH_MS before the earliest such day up to the read horizon's day. With `horizon`
 * (reads), only events up to the read horizon, as Athena's projection sees them; the writer's own
 * lookups pass false, so that an update still finds its event wherever it is dated.
 */
export function scanLocated(
  events: readonly Sql[],
  days: readonly string[],
  now: number,
  horizon = true,
): EventScan {
  const [first] = [...days].sort();
  if (first === undefined) throw new Error('scanLocated needs at least one located day');
  const firstStart = Date.parse(`${first}T00:00:00Z`);
  return {
    events: [...events, inDays(days), ...(horizon ? [sql`start_time <= ${param(readHorizon(now))}`] : [])],
    tombstones: [
      sql`dt >= ${param(partitionDay(firstStart - DELETION_REACH_MS))} AND dt <= ${param(partitionDay(readHorizon(now)))}`,
    ],
  };
}

/**
 * Events that started within the range, read from its days only and no further than the read
 * horizon (what Athena's projection reaches, so DuckDB shows the same), and the tombstones that can
 * hide them: written from DELETION_REACH_MS before the range's start (deletion-reach.ts) up to the
 * horizon's day (deleted_at is the query function's clock, never later than that).
 */
export function scanRange(range: DateRange, now: number): EventScan {
  const horizon = readHorizon(now);
  const to = Math.min(range.to, horizon);
  return {
    events: [
      sql`start_time >= ${param(range.from)} AND start_time <= ${param(to)}`,
      sql`dt >= ${param(partitionDay(range.from))} AND dt <= ${param(partitionDay(to))}`,
    ],
    tombstones: [
      sql`dt >= ${param(partitionDay(range.from - DELETION_REACH_MS))} AND dt <= ${param(partitionDay(horizon))}`,
    ],
  };
}

/** The prelude of every read: `tomb`, `ranked` and `visible` (the newest visible version of each event the scan picks). */
export function visibleEventsPrelude(tenant: Tenant, scan: EventScan): Sql {
  const scope = tenantScope(tenant);
  return sql`WITH ${tombstonesCte('tomb', and([scope, ...scan.tombstones]))}, ${newestVisible(
    'ranked',
    'visible',
    'tomb',
    and([scope, ...scan.events]),
  )}`;
}

/** `<name> AS (...)`: the tenant's tombstones matching `where`. */
function tombstonesCte(name: string, where: Sql): Sql {
  return sql`${raw(name)} AS (
  SELECT target, id, deleted_at FROM tombstones WHERE ${where}
)`;
}

/**
 * `<ranked> AS (...), <visible> AS (...)`: the newest version of each event matching `where`, minus
 * the events a tombstone of `tomb` hides (its id or session, started within its reach).
 */
function newestVisible(ranked: string, visible: string, tomb: string, where: Sql): Sql {
  const hidden = (target: string, column: string) =>
    raw(
      `NOT EXISTS (SELECT 1 FROM ${tomb} t WHERE t.target = '${target}' AND t.id = r.${column} AND r.start_time <= t.deleted_at + ${DELETION_REACH_MS})`,
    );
  return sql`${raw(ranked)} AS (
  SELECT ${COLUMN_LIST}, row_number() OVER (PARTITION BY event_id ORDER BY version DESC, ingested_at DESC) AS version_rank
  FROM events WHERE ${where}
), ${raw(visible)} AS (
  SELECT ${COLUMN_LIST} FROM ${raw(ranked)} r
  WHERE r.version_rank = 1
    AND ${hidden('event', 'event_id')}
    AND ${hidden('session', 'session_id')}
)`;
}

/**
 * The prelude and the FROM of a read over a range that joins each visible event `v` to its session
 * event `s`. Normally `s` comes from the visible set itself. But a session event may have started
 * before the range (a session starts before its events); when the read filters, groups or measures
 * on inherited fields, `sessions` then holds the newest visible version of just the session ids the
 * visible events name, read from `sessionDays` (the days the id locator gives for those session
 * events: locate.ts sessionEventDays), so that those fields have the values the events show.
 * Without `sessionDays`, the read does not look beyond the range.
 */
export function eventsWithSession(
  tenant: Tenant,
  range: DateRange,
  now: number,
  sessionDays?: readonly string[],
): { prelude: Sql; from: Sql } {
  const visible = visibleEventsPrelude(tenant, scanRange(range, now));
  if (sessionDays === undefined) return { prelude: visible, from: EVENTS_WITH_SESSION };
  // No session event located: one day is still read, so that the statement keeps its shape.
  const days = sessionDays.length > 0 ? sessionDays : [partitionDay(Math.min(range.to, readHorizon(now)))];
  const scan = scanLocated([], days, now);
  const scope = tenantScope(tenant);
  const prelude = sql`${visible}, ${tombstonesCte('session_tomb', and([scope, ...scan.tombstones]))}, ${newestVisible(
    'session_ranked',
    'sessions',
    'session_tomb',
    and([scope, ...scan.events, sql`event_id IN (SELECT session_id FROM visible)`]),
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

/** Rows of these days only: a partition predicate Athena prunes by (a list, not a span). */
function inDays(days: readonly string[]): Sql {
  return sql`dt IN (${join(days.map(param), ', ')})`;
}

function tenantScope(tenant: Tenant): Sql {
  return sql`project_id = ${param(tenant.project_id)} AND org_id = ${param(tenant.org_id)} AND workspace_id = ${param(tenant.workspace_id)}`;
}
