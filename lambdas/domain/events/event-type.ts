/**
 * event_type resolution: an explicit, valid honeyhive_event_type wins; otherwise the first
 * convention (by precedence) that implies a type; otherwise chain.
 */
import type { ConventionFields } from './convention-fields';
import { EVENT_TYPES, type EventType } from './event';

export interface ResolvedEventType {
  eventType: EventType;
  /** The explicit value when it was not a valid event type (it is noted in metadata). */
  invalidExplicit?: string;
}

function asEventType(value: string): EventType | undefined {
  const lower = value.trim().toLowerCase();
  return (EVENT_TYPES as readonly string[]).includes(lower) ? (lower as EventType) : undefined;
}

/** `byPrecedence` lists the conventions' fields from highest to lowest precedence. */
export function resolveEventType(
  explicit: string | undefined,
  byPrecedence: readonly ConventionFields[],
): ResolvedEventType {
  if (explicit !== undefined) {
    const valid = asEventType(explicit);
    if (valid !== undefined) return { eventType: valid };
  }
  let inferred: EventType = 'chain';
  for (const fields of byPrecedence) {
    const hint = fields.scalars.eventTypeHint;
    if (hint !== undefined) {
      inferred = hint;
      break;
    }
  }
  return explicit === undefined
    ? { eventType: inferred }
    : { eventType: inferred, invalidExplicit: explicit };
}
