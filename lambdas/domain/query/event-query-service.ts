/**
 * The read side's service over any QueryEngine: the same SQL (modulo the dialect object) runs on
 * DuckDB locally and Athena in AWS.
 */
import type { Tenant, WaggleEvent } from '../events/event';
import { chart } from './chart-query';
import { dialectFor } from './dialect';
import type { QueryEngine } from './engine';
import { enrichSessionEvents } from './enrichment';
import { eventSchema } from './event-schema-query';
import { exportEvents } from './export-query';
import { locate } from './locate';
import { checkReadWindowDays, type ReadTime } from './read-window';
import { scoreHistory } from './score-history';
import { searchSessions } from './session-search';
import { buildSession } from './session-tree';
import { param, sql } from './sql';
import type { EventQueryService, ReadContext } from './types';
import { scanLocated } from './visible-events';
import { visibleRows, visibleRowsByIds } from './visible-rows';

export interface EventQueryServiceOptions {
  /** The time reads are bounded by (the read horizon, the default window); default Date.now. */
  clock?: () => number;
  /** Days a read without a dateRange covers (read-window.ts); default DEFAULT_READ_WINDOW_DAYS. */
  defaultWindowDays?: number;
}

export function createEventQueryService(
  engine: QueryEngine,
  options: EventQueryServiceOptions = {},
): EventQueryService {
  const dialect = dialectFor(engine.dialect);
  const clock = options.clock ?? Date.now;
  const defaultWindowDays =
    options.defaultWindowDays === undefined ? undefined : checkReadWindowDays(options.defaultWindowDays);
  const readTime = (): ReadTime => ({
    now: clock(),
    ...(defaultWindowDays === undefined ? {} : { defaultWindowDays }),
  });

  // By session: the days the id locator names for it; a session it does not know has no events.
  const sessionEvents = async (tenant: Tenant, sessionId: string, days: string[], context?: ReadContext) =>
    days.length === 0
      ? []
      : enrichSessionEvents(
          await visibleRows(
            engine,
            'rows-by-session',
            tenant,
            scanLocated([sql`session_id = ${param(sessionId)}`], days, clock()),
            context,
          ),
          sessionId,
        );

  return {
    exportEvents: (tenant, query, context) =>
      exportEvents(engine, dialect, tenant, query, context, readTime()),
    chart: (tenant, query, context) => chart(engine, dialect, tenant, query, context, readTime()),
    eventSchema: (tenant, query, context) => eventSchema(engine, tenant, query, context),
    searchSessions: (tenant, query, context) =>
      searchSessions(engine, dialect, tenant, query, context, readTime()),

    async getSession(tenant, sessionId, context) {
      const located = await locate(engine, tenant, { sessions: [sessionId] }, context);
      return buildSession(
        tenant,
        sessionId,
        await sessionEvents(tenant, sessionId, located.daysOfSession(sessionId), context),
      );
    },

    // Enrichment needs the rest of the session (children, the session event), so the event is read
    // with its session: one locator statement finds both, one read takes the session's days.
    async getEvent(tenant, eventId, context) {
      const located = await locate(engine, tenant, { sessionsOfEvents: [eventId] }, context);
      const sessionId = located.sessionOf(eventId);
      if (sessionId === undefined) return undefined;
      const session = await sessionEvents(tenant, sessionId, located.daysOfSession(sessionId), context);
      return session.find((candidate) => candidate.event_id === eventId);
    },

    async scoreHistory(tenant, eventId, context) {
      const event = await this.getEvent(tenant, eventId, context);
      return event && scoreHistory(engine, tenant, event, context);
    },

    // The writer's lookup: no read horizon, so that an update finds its event wherever it is dated.
    async lookupLatest(tenant, eventIds, context) {
      const latest = new Map<string, WaggleEvent>();
      const lookup = { now: clock(), horizon: false };
      for (const event of await visibleRowsByIds(engine, tenant, eventIds, lookup, context))
        latest.set(event.event_id, event);
      return latest;
    },
  };
}
