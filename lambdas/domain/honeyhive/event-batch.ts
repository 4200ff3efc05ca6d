import type { Pacer, Steps } from '../time-slices';
import { acceptBatch, acceptBatchSteps, type BatchShape } from './batch';
import { assertRequiredEventFields, type BuildEventOptions, buildEvent } from './build-event';
import { requireObject } from './fields';
import type { IntakeContext, IntakeResult } from './intake-context';

/** POST /events/batch: `events[]`, optionally `is_single_session` with `session_properties`. */
export function createEventBatch(body: unknown, ctx: IntakeContext): IntakeResult {
  return acceptBatch(body, ctx, EVENT_BATCH);
}

/** createEventBatch as step-generator work, yielding between events when `pacer` is due. */
export function createEventBatchSteps(body: unknown, ctx: IntakeContext, pacer: Pacer): Steps<IntakeResult> {
  return acceptBatchSteps(body, ctx, EVENT_BATCH, pacer);
}

function buildBatchEvent(item: unknown, path: string, ctx: IntakeContext, options: BuildEventOptions) {
  const raw = requireObject(item, path);
  assertRequiredEventFields(raw, path);
  return buildEvent(raw, path, ctx, options);
}

const EVENT_BATCH: BatchShape = { itemsKey: 'events', buildItem: buildBatchEvent };
