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
import { buildSession } from './session-tree';
import { param, sql } from './sql';
import type { EventQueryService, ReadContext } from './types';
import { visibleRows, visibleRowsByIds } from './visible-rows';

export function createEventQueryService(engine: QueryEngine): EventQueryService {
  const dialect = dialectFor(engine.dialect);

  const sessionEvents = async (tenant: Tenant, sessionId: string, context?: ReadContext) =>
    enrichSessionEvents(
      await visibleRows(engine, 'rows-by-session', tenant, [sql`session_id = ${param(sessionId)}`], context),
      sessionId,
    );

  return {
    exportEvents: (tenant, query, context) => exportEvents(engine, dialect, tenant, query, context),
    chart: (tenant, query, context) => chart(engine, dialect, tenant, query, context),

    async getSession(tenant, sessionId, context) {
      return buildSession(tenant, sessionId, await sessionEvents(tenant, sessionId, context));
    },

    async getEvent(tenant, eventId, context) {
      const [event] = await visibleRows(
        engine,
        'rows-by-id',
        tenant,
        [sql`event_id = ${param(eventId)}`],
        context,
      );
      if (!event) return undefined;
      // Enrichment needs the rest of the session: children and the session event.
      const session = await sessionEvents(tenant, event.session_id, context);
      return session.find((candidate) => candidate.event_id === eventId) ?? event;
    },

    async lookupLatest(tenant, eventIds, context) {
      const latest = new Map<string, WaggleEvent>();
      for (const event of await visibleRowsByIds(engine, tenant, eventIds, undefined, context))
        latest.set(event.event_id, event);
      return latest;
    },
  };
}
