import { acceptBatch } from './batch';
import type { IntakeContext, IntakeResult } from './intake-context';
import { buildModelEvent } from './model-event';

/** POST /events/model/batch: `model_events[]`, optionally `is_single_session` with `session_properties`. */
export function createModelEventBatch(body: unknown, ctx: IntakeContext): IntakeResult {
  return acceptBatch(body, ctx, { itemsKey: 'model_events', buildItem: buildModelEvent });
}
