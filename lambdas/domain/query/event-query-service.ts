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
import type { EventQueryService } from './types';
import { visibleRows, visibleRowsByIds } from './visible-rows';

export function createEventQueryService(engine: QueryEngine): EventQueryService {
  const dialect = dialectFor(engine.dialect);

  const sessionEvents = async (tenant: Tenant, sessionId: string) =>
    enrichSessionEvents(
      await visibleRows(engine, tenant, [sql`session_id = ${param(sessionId)}`]),
      sessionId,
    );

  return {
    exportEvents: (tenant, query) => exportEvents(engine, dialect, tenant, query),
    chart: (tenant, query) => chart(engine, dialect, tenant, query),

    async getSession(tenant, sessionId) {
      return buildSession(tenant, sessionId, await sessionEvents(tenant, sessionId));
    },

    async getEvent(tenant, eventId) {
      const [event] = await visibleRows(engine, tenant, [sql`event_id = ${param(eventId)}`]);
      if (!event) return undefined;
      // Enrichment needs the rest of the session: children and the session event.
      const session = await sessionEvents(tenant, event.session_id);
      return session.find((candidate) => candidate.event_id === eventId) ?? event;
    },

    async lookupLatest(tenant, eventIds) {
      const latest = new Map<string, WaggleEvent>();
      for (const event of await visibleRowsByIds(engine, tenant, eventIds)) latest.set(event.event_id, event);
      return latest;
    },
  };
}
