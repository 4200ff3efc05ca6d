/**
 * Read-time enrichment, applied the same way by every read:
 * - children_ids: the ids the client sent plus the ids of visible events whose parent_id is this
 *   event (children that arrived later, or from a different SDK, still show up);
 * - metadata and user_properties: the session event's keys fill in under the event's own keys
 *   (the event's own value wins), so events written before their session event still inherit.
 */
import type { JsonObject } from '../events/event';
import type { StoredEvent } from './types';

export function mergeChildIds(stored: readonly string[], linked: readonly string[]): string[] {
  return [...new Set([...stored, ...linked])];
}

export function inheritFromSession(
  event: StoredEvent,
  session: { metadata: JsonObject; user_properties: JsonObject } | undefined,
): StoredEvent {
  if (!session || event.event_type === 'session') return event;
  return {
    ...event,
    metadata: { ...session.metadata, ...event.metadata },
    user_properties: { ...session.user_properties, ...event.user_properties },
  };
}

/** Enriches every event of one session from the session's own visible events. */
export function enrichSessionEvents(events: readonly StoredEvent[], sessionId: string): StoredEvent[] {
  const childIdsByParent = new Map<string, string[]>();
  for (const event of events) {
    if (event.parent_id === null || event.parent_id === event.event_id) continue;
    const siblings = childIdsByParent.get(event.parent_id) ?? [];
    siblings.push(event.event_id);
    childIdsByParent.set(event.parent_id, siblings);
  }
  const session = findSessionEvent(events, sessionId);
  return events.map((event) =>
    inheritFromSession(
      {
        ...event,
        children_ids: mergeChildIds(event.children_ids, childIdsByParent.get(event.event_id) ?? []),
      },
      session,
    ),
  );
}

/** The session event: the event of type session whose event_id is the session id (as the SQL join). */
export function findSessionEvent<E extends StoredEvent>(
  events: readonly E[],
  sessionId: string,
): E | undefined {
  return events.find((event) => event.event_id === sessionId && event.event_type === 'session');
}
