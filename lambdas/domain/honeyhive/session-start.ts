import { assertJsonDepth, requiredObjectOrJsonString, requireObject } from './fields';
import type { IntakeContext, IntakeResult } from './intake-context';
import { buildSessionEvent, sessionStartResponse } from './session-event';

/** POST /session/start: `session` is a JSON-encoded string per the spec, or an object as SDKs send it. */
export function startSession(body: unknown, ctx: IntakeContext): IntakeResult {
  const request = requireObject(body, 'body');
  assertJsonDepth(request, 'body');
  const properties = requiredObjectOrJsonString(request, 'session', 'a session object or its JSON encoding');
  const session = buildSessionEvent(properties, 'session', ctx);
  return {
    records: [{ kind: 'event', event: session }],
    response: sessionStartResponse(session),
    partial: false,
  };
}
