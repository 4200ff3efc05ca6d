/**
 * Builds a session's tree from parent_id links and computes its rollups.
 *
 * Root: the session event (event_id = session id). When it is missing (deleted, or not written
 * yet) but the session has events, a synthetic root stands in: event_type session, the session id
 * as event id, times from the rollup, and empty sections. Events whose parent is missing (or who
 * form a cycle) hang directly under the root. Children are ordered by start_time, then event_id.
 */
import { plainEvent, type Tenant } from '../events/event';
import { findSessionEvent } from './enrichment';
import type { SessionNode, SessionResult, SessionRollup, StoredEvent } from './types';

export function buildSession(
  tenant: Tenant,
  sessionId: string,
  events: readonly StoredEvent[],
): SessionResult | undefined {
  if (events.length === 0) return undefined;
  const rollup = sessionRollup(events, sessionId);
  const sessionEvent = findSessionEvent(events, sessionId);
  const rootEvent = sessionEvent ?? syntheticRoot(tenant, sessionId, rollup, events);
  const nodes = new Map<string, SessionNode>();
  for (const event of events) nodes.set(event.event_id, { ...event, children: [] });
  const root = nodes.get(rootEvent.event_id) ?? { ...rootEvent, children: [] };

  const childrenOf = new Map<string, SessionNode[]>();
  for (const node of nodes.values()) {
    if (node === root || node.parent_id === null || !nodes.has(node.parent_id)) continue;
    const siblings = childrenOf.get(node.parent_id) ?? [];
    siblings.push(node);
    childrenOf.set(node.parent_id, siblings);
  }

  const placed = new Set<SessionNode>([root]);
  const attach = (parent: SessionNode, child: SessionNode) => {
    placed.add(child);
    parent.children.push(child);
    for (const grandchild of byStartTime(childrenOf.get(child.event_id) ?? []))
      if (!placed.has(grandchild)) attach(child, grandchild);
  };
  for (const child of byStartTime(childrenOf.get(root.event_id) ?? []))
    if (!placed.has(child)) attach(root, child);
  // Orphans (parent missing) and cycle members not reachable from the root hang under the root.
  for (const node of byStartTime([...nodes.values()])) if (!placed.has(node)) attach(root, node);
  root.children = byStartTime(root.children);
  return { root, rollup };
}

/**
 * HoneyHive's session aggregates over the session's visible events (already one row per event id):
 * counts, cost and tokens over the events inside the session (not the session event itself, which
 * would otherwise count twice); start, end and duration over all of them.
 */
export function sessionRollup(events: readonly StoredEvent[], sessionId: string): SessionRollup {
  const members = events.filter((event) => !(event.event_type === 'session' && event.event_id === sessionId));
  const sum = (pick: (event: StoredEvent) => number | null) =>
    members.reduce((total, event) => total + (pick(event) ?? 0), 0);
  const start = Math.min(...events.map((event) => event.start_time));
  const end = Math.max(...events.map((event) => event.end_time));
  return {
    num_events: members.length,
    num_model_events: members.filter((event) => event.event_type === 'model').length,
    has_feedback: events.some((event) => Object.keys(event.feedback).length > 0),
    cost: sum((event) => event.cost),
    total_tokens: sum((event) => event.total_tokens),
    prompt_tokens: sum((event) => event.prompt_tokens),
    completion_tokens: sum((event) => event.completion_tokens),
    start_time: start,
    end_time: end,
    duration: end - start,
  };
}

function syntheticRoot(
  tenant: Tenant,
  sessionId: string,
  rollup: SessionRollup,
  events: readonly StoredEvent[],
): StoredEvent {
  return plainEvent(tenant, {
    event_id: sessionId,
    version: 0,
    session_id: sessionId,
    trace_id: events.find((event) => event.trace_id !== null)?.trace_id ?? null,
    event_type: 'session',
    event_name: 'session',
    source: events[0]?.source ?? '',
    start_time: rollup.start_time,
    end_time: rollup.end_time,
    duration: rollup.duration,
    ingested_at: Math.max(...events.map((event) => event.ingested_at)),
  });
}

function byStartTime(nodes: SessionNode[]): SessionNode[] {
  return nodes.sort((a, b) => a.start_time - b.start_time || a.event_id.localeCompare(b.event_id));
}
