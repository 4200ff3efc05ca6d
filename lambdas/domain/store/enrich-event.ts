/**
 * Computed fields the writer fills before storing an event. Session property inheritance and
 * children ids are NOT computed here: a session event may arrive after its children, so the query
 * layer derives both at read time from the stored rows.
 */
import type { WaggleEvent } from '../events/event';
import { applyUsageAndCost } from '../events/usage-and-cost';

/** Returns the event with duration, token total, cost and session_id filled where ingest could not. */
export function enrichEvent(event: WaggleEvent): WaggleEvent {
  let enriched = applyUsageAndCost(event);
  const duration = computedDuration(enriched);
  const sessionId = enriched.session_id || enriched.event_id;
  if (duration !== enriched.duration || sessionId !== enriched.session_id) {
    enriched = { ...enriched, duration, session_id: sessionId };
  }
  return enriched;
}

/** The given duration, or end - start when it is missing or 0 and the times allow it. */
function computedDuration(event: WaggleEvent): number {
  const given = event.duration;
  if (typeof given === 'number' && Number.isFinite(given) && given !== 0) return given;
  const span = event.end_time - event.start_time;
  return Number.isFinite(span) && span > 0 ? span : 0;
}
