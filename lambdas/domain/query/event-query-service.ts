/**
 * The read side's service over any QueryEngine: the same SQL (modulo the dialect object) runs on
 * DuckDB locally and Athena in AWS.
 */
import type { Tenant, WaggleEvent } from '../events/event';
import { chart } from './chart-query';
import { dialectFor } from './dialect';
import type { QueryEngine } from './engine';
import { enrichSessionEvents } from './enrichment';
import { exportEvents } from './export-query';
import { checkReadWindowDays, type ReadTime } from './read-window';
import { buildSession } from './session-tree';
import { param, sql } from './sql';
import type { EventQueryService, ReadContext } from './types';
import { scanAnywhere } from './visible-events';
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

  // By id or session: such events may lie anywhere, until an id locator says where.
  const sessionEvents = async (tenant: Tenant, sessionId: string, context?: ReadContext) =>
    enrichSessionEvents(
      await visibleRows(
        engine,
        'rows-by-session',
        tenant,
        scanAnywhere([sql`session_id = ${param(sessionId)}`], clock()),
        context,
      ),
      sessionId,
    );

  return {
    exportEvents: (tenant, query, context) =>
      exportEvents(engine, dialect, tenant, query, context, readTime()),
    chart: (tenant, query, context) => chart(engine, dialect, tenant, query, context, readTime()),

    async getSession(tenant, sessionId, context) {
      return buildSession(tenant, sessionId, await sessionEvents(tenant, sessionId, context));
    },

    async getEvent(tenant, eventId, context) {
      const [event] = await visibleRows(
        engine,
        'rows-by-id',
        tenant,
        scanAnywhere([sql`event_id = ${param(eventId)}`], clock()),
        context,
      );
      if (!event) return undefined;
      // Enrichment needs the rest of the session: children and the session event.
      const session = await sessionEvents(tenant, event.session_id, context);
      return session.find((candidate) => candidate.event_id === eventId) ?? event;
    },

    // The writer's lookup: no read horizon, so that an update finds its event wherever it is dated.
    async lookupLatest(tenant, eventIds, context) {
      const latest = new Map<string, WaggleEvent>();
      for (const event of await visibleRowsByIds(engine, tenant, eventIds, undefined, context))
        latest.set(event.event_id, event);
      return latest;
    },
  };
}
