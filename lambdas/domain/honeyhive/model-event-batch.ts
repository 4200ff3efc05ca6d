import type { Pacer, Steps } from '../time-slices';
import { acceptBatch, acceptBatchSteps, type BatchShape } from './batch';
import type { IntakeContext, IntakeResult } from './intake-context';
import { buildModelEvent } from './model-event';

/** POST /events/model/batch: `model_events[]`, optionally `is_single_session` with `session_properties`. */
const MODEL_EVENT_BATCH: BatchShape = { itemsKey: 'model_events', buildItem: buildModelEvent };

export function createModelEventBatch(body: unknown, ctx: IntakeContext): IntakeResult {
  return acceptBatch(body, ctx, MODEL_EVENT_BATCH);
}

/** createModelEventBatch as step-generator work, yielding between events when `pacer` is due. */
export function createModelEventBatchSteps(
  body: unknown,
  ctx: IntakeContext,
  pacer: Pacer,
): Steps<IntakeResult> {
  return acceptBatchSteps(body, ctx, MODEL_EVENT_BATCH, pacer);
}
