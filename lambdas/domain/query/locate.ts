/**
 * Lookups in the id locator (store/locator.ts): the days an event id or a session id has rows in.
 * One statement reads the project's single locator partition; the read that follows is bounded to
 * the days found. An id the locator does not know has no rows anywhere, so nothing more is read.
 */
import type { Tenant } from '../events/event';
import type { QueryEngine } from './engine';
import { runStatement } from './run-statement';
import { join, param, type Sql, sql } from './sql';
import type { DateRange, ReadContext } from './types';
import { scanRange, visibleEventsPrelude } from './visible-events';

export interface LocateRequest {
  /** Event ids whose own day is wanted. */
  events?: readonly string[];
  /** Session ids whose days (every day holding one of their events) are wanted. */
  sessions?: readonly string[];
  /** Event ids whose session's days are wanted (an event's whole session, in one statement). */
  sessionsOfEvents?: readonly string[];
}

export class Located {
  private readonly eventDays = new Map<string, Set<string>>();
  private readonly eventSessions = new Map<string, string>();
  private readonly sessionDayMap = new Map<string, Set<string>>();

  constructor(rows: readonly Record<string, unknown>[]) {
    for (const row of rows) {
      const { kind, id, dt } = row;
      if (typeof id !== 'string' || typeof dt !== 'string') continue;
      if (kind === 'event') {
        addTo(this.eventDays, id, dt);
        if (typeof row.session_id === 'string') this.eventSessions.set(id, row.session_id);
      } else if (kind === 'session') addTo(this.sessionDayMap, id, dt);
    }
  }

  /** Days holding rows of any of these event ids, sorted. */
  daysOfEvents(eventIds: Iterable<string>): string[] {
    return union([...eventIds].map((id) => this.eventDays.get(id)));
  }

  /** The session of an event, if the locator knows the event. */
  sessionOf(eventId: string): string | undefined {
    return this.eventSessions.get(eventId);
  }

  /** Days holding events of the session, sorted. */
  daysOfSession(sessionId: string): string[] {
    return union([this.sessionDayMap.get(sessionId)]);
  }
}

export async function locate(
  engine: QueryEngine,
  tenant: Tenant,
  request: LocateRequest,
  context: ReadContext = {},
): Promise<Located> {
  const ids = (list: readonly string[] | undefined) => join((list ?? []).map(param), ', ');
  const wanted: Sql[] = [];
  if (request.events?.length) wanted.push(sql`(kind = 'event' AND id IN (${ids(request.events)}))`);
  if (request.sessions?.length) wanted.push(sql`(kind = 'session' AND id IN (${ids(request.sessions)}))`);
  if (request.sessionsOfEvents?.length) {
    wanted.push(sql`(kind = 'session' AND id IN (
    SELECT session_id FROM locator
    WHERE project_id = ${param(tenant.project_id)} AND kind = 'event' AND id IN (${ids(request.sessionsOfEvents)})))`);
    // The events themselves too, to know which session each belongs to.
    wanted.push(sql`(kind = 'event' AND id IN (${ids(request.sessionsOfEvents)}))`);
  }
  if (wanted.length === 0) return new Located([]);
  const statement = sql`SELECT kind, id, session_id, dt FROM locator
WHERE project_id = ${param(tenant.project_id)} AND (${join(wanted, ' OR ')})`;
  return new Located(await runStatement(engine, 'locate', statement, context));
}

/**
 * The days of the session events named by the visible events of a range (a session event's id is
 * its session id), for reads that join each event to its session event (eventsWithSession). Reads
 * the range and one locator partition.
 */
export async function sessionEventDays(
  engine: QueryEngine,
  tenant: Tenant,
  range: DateRange,
  now: number,
  context: ReadContext = {},
): Promise<string[]> {
  const statement = sql`${visibleEventsPrelude(tenant, scanRange(range, now))}
SELECT DISTINCT dt FROM locator
WHERE project_id = ${param(tenant.project_id)} AND kind = 'event' AND id IN (SELECT session_id FROM visible)
ORDER BY dt`;
  const rows = await runStatement(engine, 'session-days', statement, context);
  return rows.flatMap((row) => (typeof row.dt === 'string' ? [row.dt] : []));
}

function addTo(map: Map<string, Set<string>>, id: string, day: string): void {
  const days = map.get(id);
  if (days === undefined) map.set(id, new Set([day]));
  else days.add(day);
}

function union(sets: ReadonlyArray<Set<string> | undefined>): string[] {
  const days = new Set<string>();
  for (const set of sets) if (set) for (const day of set) days.add(day);
  return [...days].sort();
}
