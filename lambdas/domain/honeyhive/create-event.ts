import { assertRequiredEventFields, buildEvent } from './build-event';
import { assertJsonDepth, requiredObjectOrJsonString, requireObject } from './fields';
import type { IntakeContext, IntakeResult } from './intake-context';

/** POST /events: `event` is a JSON-encoded string per the spec, or an object as SDKs send it. */
export function createEvent(body: unknown, ctx: IntakeContext): IntakeResult {
  const request = requireObject(body, 'body');
  assertJsonDepth(request, 'body');
  const raw = requiredObjectOrJsonString(request, 'event', 'an event object or its JSON encoding');
  assertRequiredEventFields(raw, 'event');
  const event = buildEvent(raw, 'event', ctx);
  return {
    records: [{ kind: 'event', event }],
    response: { success: true, event_id: event.event_id },
    partial: false,
  };
}
