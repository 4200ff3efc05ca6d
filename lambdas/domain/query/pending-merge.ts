/**
 * Reads merge the pending updates the writer has not folded yet (store/pending-updates.ts): an
 * update that arrived before its event, while the writer's fold is in a race or being retried.
 * It decorates what the query service returns (events by id, sessions, export rows) and runs no
 * SQL: one pending-store lookup for the ids a read returns. Filters and charts see stored rows
 * only; lookupLatest (the writer's) is left alone, since the writer folds pending updates itself.
 */
import type { Tenant, WaggleEvent, WaggleEventUpdate } from '../events/event';
import { applyPending, type PendingUpdateReader } from '../store/pending-updates';
import { sessionRollup } from './session-tree';
import type { EventQueryService, SessionNode, StoredEvent } from './types';

export function withPendingUpdates(
  queries: EventQueryService,
  pending: PendingUpdateReader,
): EventQueryService {
  return {
    exportEvents: async (tenant, query, context) => {
      const result = await queries.exportEvents(tenant, query, context);
      const ids = result.events.flatMap((row) => (typeof row.event_id === 'string' ? [row.event_id] : []));
      const found = await lookUp(pending, tenant, ids);
      if (found.size === 0) return result;
      return { ...result, events: result.events.map((row) => mergeRow(row, found)) };
    },
    getEvent: async (tenant, eventId, context) => {
      const event = await queries.getEvent(tenant, eventId, context);
      if (!event) return event;
      const updates = (await lookUp(pending, tenant, [eventId])).get(eventId);
      return updates ? (applyPending(event, updates) as StoredEvent) : event;
    },
    getSession: async (tenant, sessionId, context) => {
      const result = await queries.getSession(tenant, sessionId, context);
      if (!result) return result;
      const nodes = flatten(result.root);
      const found = await lookUp(
        pending,
        tenant,
        nodes.map((node) => node.event_id),
      );
      if (found.size === 0) return result;
      const root = mergeTree(result.root, found);
      // A synthetic root (no session event stored) changes no rollup figure: it is the session
      // event to sessionRollup, spans exactly the others' times and has no feedback.
      return { root, rollup: sessionRollup(flatten(root), sessionId) };
    },
    chart: (tenant, query, context) => queries.chart(tenant, query, context),
    // Rollups are aggregates of stored rows, as charts are.
    searchSessions: (tenant, query, context) => queries.searchSessions(tenant, query, context),
    eventSchema: (tenant, query, context) => queries.eventSchema(tenant, query, context),
    lookupLatest: (tenant, eventIds, context) => queries.lookupLatest(tenant, eventIds, context),
    // Scores are rows of their own table; pending updates change events only.
    scoreHistory: (tenant, eventId, context) => queries.scoreHistory(tenant, eventId, context),
  };
}

async function lookUp(
  pending: PendingUpdateReader,
  tenant: Tenant,
  eventIds: string[],
): Promise<Map<string, WaggleEventUpdate[]>> {
  return eventIds.length === 0 ? new Map() : pending.forEvents(tenant, [...new Set(eventIds)]);
}

/** An export row holds only its projected fields: the merge changes those and adds none. */
function mergeRow(row: Partial<StoredEvent>, found: Map<string, WaggleEventUpdate[]>): Partial<StoredEvent> {
  const updates = typeof row.event_id === 'string' ? found.get(row.event_id) : undefined;
  if (!updates) return row;
  const merged = applyPending(row as WaggleEvent, updates) as Partial<StoredEvent>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    const value = (merged as Record<string, unknown>)[key];
    // duration derived from a start_time the row does not hold is not a number: keep the stored one.
    out[key] =
      typeof value === 'number' && Number.isNaN(value) ? (row as Record<string, unknown>)[key] : value;
  }
  return out as Partial<StoredEvent>;
}

function mergeTree(node: SessionNode, found: Map<string, WaggleEventUpdate[]>): SessionNode {
  const updates = found.get(node.event_id);
  const { children, ...event } = node;
  const merged = updates ? (applyPending(event, updates) as StoredEvent) : event;
  return { ...merged, children: children.map((child) => mergeTree(child, found)) };
}

function flatten(root: SessionNode): SessionNode[] {
  const nodes: SessionNode[] = [];
  const visit = (node: SessionNode) => {
    nodes.push(node);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return nodes;
}
