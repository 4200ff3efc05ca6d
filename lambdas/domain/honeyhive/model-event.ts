import type { WaggleEvent } from '../events/event';
import { type BuildEventOptions, buildEvent } from './build-event';
import { assertJsonDepth, invalidField, objectOrJsonString, requireObject } from './fields';
import type { IntakeContext, IntakeResult } from './intake-context';
import { foldModelEventFields } from './model-event-fields';

/**
 * POST /events/model. The spec wraps the event in `model_event`; HoneyHive's older flat body (the
 * model-event fields at the top level, recognised by a `model` field) is accepted as well.
 */
export function createModelEvent(body: unknown, ctx: IntakeContext): IntakeResult {
  const request = requireObject(body, 'body');
  assertJsonDepth(request, 'body');
  const wrapped = request.model_event !== undefined && request.model_event !== null;
  if (!wrapped && request.model === undefined) {
    throw invalidField('model_event', 'is required (a model event object or its JSON encoding)');
  }
  const raw = wrapped ? objectOrJsonString(request.model_event, 'model_event') : request;
  const event = buildModelEvent(raw, wrapped ? 'model_event' : '', ctx, {});
  return {
    records: [{ kind: 'event', event }],
    response: { success: true, event_id: event.event_id },
    partial: false,
  };
}

/** One model event, from an object; model endpoints default `event_type` to 'model'. */
export function buildModelEvent(
  item: unknown,
  path: string,
  ctx: IntakeContext,
  options: BuildEventOptions,
): WaggleEvent {
  const raw = foldModelEventFields(requireObject(item, path), path);
  return buildEvent(raw, path, ctx, { ...options, defaultEventType: 'model' });
}
