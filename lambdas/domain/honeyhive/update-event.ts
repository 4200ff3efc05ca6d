import type { WaggleEventUpdate } from '../events/event';
import {
  assertJsonDepth,
  invalidField,
  optionalNonNegativeNumber,
  optionalObject,
  optionalString,
  optionalTimestamp,
  requireIdValue,
  requireObject,
} from './fields';
import type { IntakeContext, IntakeResult } from './intake-context';
import { assertSameProject } from './project-check';

type Patch = WaggleEventUpdate['patch'];

const SECTION_KEYS = ['metadata', 'feedback', 'metrics', 'outputs', 'config', 'user_properties'] as const;

/**
 * PUT /events: a partial update of an existing event, queued as a WaggleEventUpdate that the writer
 * applies on top of the newest stored version. Fields the spec does not list as updatable are ignored.
 */
export function updateEvent(body: unknown, ctx: IntakeContext): IntakeResult {
  const request = requireObject(body, 'body');
  assertJsonDepth(request, 'body');
  assertSameProject(request, '', ctx);
  if (request.event_id === undefined || request.event_id === null) {
    throw invalidField('event_id', 'is required (the id of the event to update)');
  }
  const eventId = requireIdValue(request.event_id, 'event_id');
  const patch = readPatch(request);
  if (Object.keys(patch).length === 0) {
    throw invalidField(
      'body',
      `has nothing to update (give one of ${[...SECTION_KEYS, 'duration', 'end_time', 'error'].join(', ')})`,
    );
  }
  const update: WaggleEventUpdate = {
    org_id: ctx.tenant.org_id,
    workspace_id: ctx.tenant.workspace_id,
    project_id: ctx.tenant.project_id,
    event_id: eventId,
    version: ctx.version,
    ingested_at: ctx.ingestedAt,
    patch,
  };
  return {
    records: [{ kind: 'update', update }],
    response: { success: true, event_id: eventId },
    partial: false,
  };
}

function readPatch(request: Record<string, unknown>): Patch {
  const patch: Patch = {};
  for (const key of SECTION_KEYS) {
    const section = optionalObject(request, key, '');
    if (section !== undefined) patch[key] = section;
  }
  const duration = optionalNonNegativeNumber(request, 'duration', '');
  if (duration !== undefined) patch.duration = duration;
  const endTime = optionalTimestamp(request, 'end_time', '');
  if (endTime !== undefined) patch.end_time = endTime;
  // `error: null` is meaningful here: it clears an error recorded earlier.
  if (request.error === null) patch.error = null;
  const error = optionalString(request, 'error', '', Number.POSITIVE_INFINITY);
  if (error !== undefined) patch.error = error;
  return patch;
}
