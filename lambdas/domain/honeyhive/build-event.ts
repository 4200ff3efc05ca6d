/**
 * Turns one HoneyHive event object (the spec's "LegacyEvent" shape, already unwrapped from any
 * JSON string) into a WaggleEvent, applying the defaults the spec describes for POST /events.
 */
import { EVENT_TYPES, type EventType, type JsonObject, type WaggleEvent } from '../events/event';
import { applyUsageAndCost } from '../events/usage-and-cost';
import { describeUnstorable, unstorableValues } from '../store/storable-values';
import {
  countOrNull,
  fieldPath,
  invalidField,
  optionalId,
  optionalIdList,
  optionalNonNegativeNumber,
  optionalObject,
  optionalString,
  optionalTimestamp,
} from './fields';
import type { IntakeContext } from './intake-context';
import { MAX_LABEL_LENGTH } from './limits';
import { assertSameProject } from './project-check';
import { resolveTiming } from './timing';

export interface BuildEventOptions {
  /** Used when the object has no `event_type` (model endpoints default to 'model'). */
  defaultEventType?: EventType;
  /** Forces every event into one session (batches with `is_single_session`). */
  sessionId?: string;
}

export function buildEvent(
  raw: JsonObject,
  parent: string,
  ctx: IntakeContext,
  options: BuildEventOptions = {},
): WaggleEvent {
  assertSameProject(raw, parent, ctx);
  const eventType = readEventType(raw, parent, options.defaultEventType);
  const ids = resolveIds(raw, parent, eventType, ctx, options.sessionId);
  const config = optionalObject(raw, 'config', parent) ?? {};
  const metadata = optionalObject(raw, 'metadata', parent) ?? {};
  const timing = resolveTiming(
    {
      start_time: optionalTimestamp(raw, 'start_time', parent),
      end_time: optionalTimestamp(raw, 'end_time', parent),
      duration: optionalNonNegativeNumber(raw, 'duration', parent),
    },
    ctx.ingestedAt,
    parent,
  );

  const event: WaggleEvent = {
    org_id: ctx.tenant.org_id,
    workspace_id: ctx.tenant.workspace_id,
    project_id: ctx.tenant.project_id,
    event_id: ids.eventId,
    version: ctx.version,
    session_id: ids.sessionId,
    parent_id: ids.parentId,
    children_ids: optionalIdList(raw, 'children_ids', parent) ?? [],
    trace_id: null,
    span_id: null,
    event_type: eventType,
    event_name: optionalString(raw, 'event_name', parent) ?? 'unknown',
    source: optionalString(raw, 'source', parent) ?? 'unknown',
    ...timing,
    model: labelOrNull(config.model),
    provider: labelOrNull(config.provider),
    prompt_tokens: countOrNull(metadata.prompt_tokens),
    completion_tokens: countOrNull(metadata.completion_tokens),
    total_tokens: countOrNull(metadata.total_tokens),
    cost: countOrNull(metadata.cost),
    // An error message may be a long stack trace: only the request size limit bounds it.
    error: optionalString(raw, 'error', parent, Number.POSITIVE_INFINITY) ?? null,
    config,
    inputs: optionalObject(raw, 'inputs', parent) ?? {},
    outputs: optionalObject(raw, 'outputs', parent) ?? {},
    metadata,
    metrics: optionalObject(raw, 'metrics', parent) ?? {},
    feedback: optionalObject(raw, 'feedback', parent) ?? {},
    user_properties: optionalObject(raw, 'user_properties', parent) ?? {},
    ingested_at: ctx.ingestedAt,
    deleted: false,
  };
  return assertStorable(applyUsageAndCost(event), parent);
}

/**
 * A REST item whose numbers the store cannot keep (a token count of 1e30, a total that overflows)
 * is refused with a 400 naming the value, before anything is acknowledged: in a batch only that
 * item is refused. Token counts and cost come from `metadata` (or a model event's `usage`).
 */
function assertStorable(event: WaggleEvent, parent: string): WaggleEvent {
  const problems = unstorableValues(event);
  if (problems.length === 0) return event;
  const where = parent === '' ? 'event' : parent;
  throw invalidField(where, `cannot be stored: ${problems.map(describeUnstorable).join('; ')}`);
}

/** POST /events and /events/batch items: the spec requires `event_type` and an `inputs` object. */
export function assertRequiredEventFields(raw: JsonObject, parent: string): void {
  if (raw.event_type === undefined || raw.event_type === null) {
    throw invalidField(fieldPath(parent, 'event_type'), `is required (one of ${EVENT_TYPES.join(', ')})`);
  }
  if (raw.inputs === undefined || raw.inputs === null) {
    throw invalidField(fieldPath(parent, 'inputs'), 'is required (an object)');
  }
}

function readEventType(raw: JsonObject, parent: string, fallback: EventType | undefined): EventType {
  const field = fieldPath(parent, 'event_type');
  const value = optionalString(raw, 'event_type', parent) ?? fallback;
  if (value === undefined) throw invalidField(field, `is required (one of ${EVENT_TYPES.join(', ')})`);
  const eventType = EVENT_TYPES.find((known) => known === value);
  if (eventType === undefined) throw invalidField(field, `must be one of ${EVENT_TYPES.join(', ')}`);
  return eventType;
}

interface EventIds {
  eventId: string;
  sessionId: string;
  parentId: string | null;
}

/**
 * A session event IS its session (event_id = session_id, no parent); any other event defaults to a new
 * session and to the session as its parent, as the spec describes.
 */
function resolveIds(
  raw: JsonObject,
  parent: string,
  eventType: EventType,
  ctx: IntakeContext,
  forcedSessionId: string | undefined,
): EventIds {
  const givenEventId = optionalId(raw, 'event_id', parent);
  const givenSessionId = forcedSessionId ?? optionalId(raw, 'session_id', parent);
  const givenParentId = optionalId(raw, 'parent_id', parent);
  if (eventType === 'session') {
    if (givenEventId !== undefined && givenSessionId !== undefined && givenEventId !== givenSessionId) {
      throw invalidField(fieldPath(parent, 'event_id'), 'of a session event must equal its session_id');
    }
    const id = givenSessionId ?? givenEventId ?? ctx.newId();
    return { eventId: id, sessionId: id, parentId: givenParentId ?? null };
  }
  const sessionId = givenSessionId ?? ctx.newId();
  return { eventId: givenEventId ?? ctx.newId(), sessionId, parentId: givenParentId ?? sessionId };
}

/** config is free-form: a model or provider that is not a sensible string is left in config only. */
function labelOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value.length <= MAX_LABEL_LENGTH ? value : null;
}
