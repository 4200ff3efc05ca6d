import { acceptBatch } from './batch';
import { assertRequiredEventFields, type BuildEventOptions, buildEvent } from './build-event';
import { requireObject } from './fields';
import type { IntakeContext, IntakeResult } from './intake-context';

/** POST /events/batch: `events[]`, optionally `is_single_session` with `session_properties`. */
export function createEventBatch(body: unknown, ctx: IntakeContext): IntakeResult {
  return acceptBatch(body, ctx, { itemsKey: 'events', buildItem: buildBatchEvent });
}

function buildBatchEvent(item: unknown, path: string, ctx: IntakeContext, options: BuildEventOptions) {
  const raw = requireObject(item, path);
  assertRequiredEventFields(raw, path);
  return buildEvent(raw, path, ctx, options);
}
