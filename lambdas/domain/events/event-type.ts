/**
 * event_type resolution: an explicit, valid honeyhive_event_type wins; otherwise the first
 * convention (by precedence) that implies a type; otherwise chain.
 */
import { EVENT_TYPES, type EventType } from './event';

interface ResolvedEventType {
  eventType: EventType;
  /** The explicit value when it was not a valid event type (it is noted in metadata). */
  invalidExplicit?: string;
}

function asEventType(value: string): EventType | undefined {
  const lower = value.trim().toLowerCase();
  return (EVENT_TYPES as readonly string[]).includes(lower) ? (lower as EventType) : undefined;
}

/**
 * `explicit`: the first explicit type, `hint`: the first implied type, each from the conventions in
 * precedence order.
 */
export function resolveEventType(
  explicit: string | undefined,
  hint: EventType | undefined,
): ResolvedEventType {
  if (explicit !== undefined) {
    const valid = asEventType(explicit);
    if (valid !== undefined) return { eventType: valid };
  }
  const inferred: EventType = hint ?? 'chain';
  return explicit === undefined
    ? { eventType: inferred }
    : { eventType: inferred, invalidExplicit: explicit };
}
