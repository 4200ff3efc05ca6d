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
import { join, param, type Sql, sql } from './sql';
import { rowToStoredEvent } from './stored-event';
import type { EventQueryService, StoredEvent } from './types';
import { visibleEventsPrelude } from './visible-events';

/** Ids per lookupLatest statement, to keep statements (and Athena's parameter list) small. */
const LOOKUP_CHUNK = 500;

export function createEventQueryService(engine: QueryEngine): EventQueryService {
  const dialect = dialectFor(engine.dialect);

  const visibleRows = async (tenant: Tenant, prefilter: Sql): Promise<StoredEvent[]> => {
    const statement = sql`${visibleEventsPrelude(tenant, [prefilter])}
SELECT * FROM visible ORDER BY start_time, event_id`;
    const rows = await engine.query(statement.text, statement.params);
    return rows.map(rowToStoredEvent);
  };

  const sessionEvents = async (tenant: Tenant, sessionId: string) =>
    enrichSessionEvents(await visibleRows(tenant, sql`session_id = ${param(sessionId)}`), sessionId);

  return {
    exportEvents: (tenant, query) => exportEvents(engine, dialect, tenant, query),
    chart: (tenant, query) => chart(engine, dialect, tenant, query),

    async getSession(tenant, sessionId) {
      return buildSession(tenant, sessionId, await sessionEvents(tenant, sessionId));
    },

    async getEvent(tenant, eventId) {
      const [event] = await visibleRows(tenant, sql`event_id = ${param(eventId)}`);
      if (!event) return undefined;
      // Enrichment needs the rest of the session: children and the session event.
      const session = await sessionEvents(tenant, event.session_id);
      return session.find((candidate) => candidate.event_id === eventId) ?? event;
    },

    async lookupLatest(tenant, eventIds) {
      const latest = new Map<string, WaggleEvent>();
      const unique = [...new Set(eventIds)];
      for (let start = 0; start < unique.length; start += LOOKUP_CHUNK) {
        const ids = unique.slice(start, start + LOOKUP_CHUNK).map((id) => param(id));
        const rows = await visibleRows(tenant, sql`event_id IN (${join(ids, ', ')})`);
        for (const event of rows) latest.set(event.event_id, event);
      }
      return latest;
    },
  };
}
