/**
 * The shared core of POST /events/batch and POST /events/model/batch.
 *
 * Partial failure, as the spec's 500 answer describes: each invalid item is reported in `errors` (its
 * index and the reason), every valid item is still accepted and listed in `event_ids`, and the result
 * is `partial` with `success: true` (something was created). A body that is not a batch at all, bad
 * `session_properties`, or a batch in which no item is valid is a ValidationError, and a batch over
 * MAX_BATCH_EVENTS a TooLargeError (more work than one request may ask for); then nothing is accepted.
 */

import { TooLargeError, ValidationError } from '../errors';
import type { EventRecord, JsonObject, WaggleEvent } from '../events/event';
import { finish, NEVER_DUE, type Pacer, type Steps } from '../time-slices';
import type { BuildEventOptions } from './build-event';
import {
  assertJsonDepth,
  describeType,
  invalidField,
  isJsonObject,
  isValidId,
  optionalBoolean,
  optionalId,
  optionalObject,
  requireObject,
} from './fields';
import type { IntakeContext, IntakeResult } from './intake-context';
import { MAX_BATCH_EVENTS } from './limits';
import { buildSessionEvent } from './session-event';
import type { EventTiming } from './timing';

export interface BatchShape {
  /** The body field holding the items: 'events' or 'model_events'. */
  itemsKey: string;
  /** Validates and builds one item; throws ValidationError when the item is invalid. */
  buildItem: (item: unknown, path: string, ctx: IntakeContext, options: BuildEventOptions) => WaggleEvent;
}

export function acceptBatch(body: unknown, ctx: IntakeContext, shape: BatchShape): IntakeResult {
  return finish(acceptBatchSteps(body, ctx, shape, NEVER_DUE));
}

/** acceptBatch as step-generator work (see time-slices.ts): it yields between items when `pacer` is due. */
export function* acceptBatchSteps(
  body: unknown,
  ctx: IntakeContext,
  shape: BatchShape,
  pacer: Pacer,
): Steps<IntakeResult> {
  const request = requireObject(body, 'body');
  assertJsonDepth(request, 'body');
  const items = readItems(request, shape.itemsKey);
  const singleSession = optionalBoolean(request, 'is_single_session', '') ?? false;
  // session_properties only describe the shared session; without is_single_session there is none to describe.
  const sessionProperties = singleSession ? optionalObject(request, 'session_properties', '') : undefined;
  const shared = singleSession ? chooseSharedSession(items, sessionProperties, ctx) : undefined;
  const itemOptions: BuildEventOptions = shared === undefined ? {} : { sessionId: shared.id };

  const events: WaggleEvent[] = [];
  const errors: string[] = [];
  for (let index = 0; index < items.length; index++) {
    if (pacer.due()) yield;
    try {
      events.push(shape.buildItem(items[index], `${shape.itemsKey}[${index}]`, ctx, itemOptions));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(error.message);
    }
  }
  if (events.length === 0 && errors.length > 0) {
    throw new ValidationError(`no item of ${shape.itemsKey} is valid: ${summarize(errors)}`);
  }

  const records: EventRecord[] = [];
  if (shared !== undefined && needsSessionEvent(shared, sessionProperties, events)) {
    const session = buildSessionEvent(sessionProperties ?? {}, 'session_properties', ctx, {
      sessionId: shared.id,
      span: spanOf(events, ctx.ingestedAt),
    });
    records.push({ kind: 'event', event: session });
  }
  for (const event of events) records.push({ kind: 'event', event });

  const response: JsonObject = {
    event_ids: events.map((event) => event.event_id),
    ...(shared === undefined ? {} : { session_id: shared.id }),
    success: true,
    ...(errors.length === 0 ? {} : { errors }),
  };
  return { records, response, partial: errors.length > 0 };
}

function readItems(request: JsonObject, itemsKey: string): unknown[] {
  const items = request[itemsKey];
  if (items === undefined || items === null) throw invalidField(itemsKey, 'is required (an array of events)');
  if (!Array.isArray(items)) throw invalidField(itemsKey, `must be an array, got ${describeType(items)}`);
  if (items.length > MAX_BATCH_EVENTS) {
    throw new TooLargeError(
      `${itemsKey} has ${items.length} items; at most ${MAX_BATCH_EVENTS} are accepted per request (MAX_BATCH_EVENTS): split the batch`,
    );
  }
  return items;
}

interface SharedSession {
  id: string;
  /** True when no request field named the session, so it is new and needs its session event. */
  generated: boolean;
}

/**
 * The one session of an `is_single_session` batch: the id in session_properties, else the first
 * session_id an item carries (the client continuing a session it started), else a new one.
 */
function chooseSharedSession(
  items: unknown[],
  properties: JsonObject | undefined,
  ctx: IntakeContext,
): SharedSession {
  const named =
    properties === undefined ? undefined : optionalId(properties, 'session_id', 'session_properties');
  if (named !== undefined) return { id: named, generated: false };
  for (const item of items) {
    // An item with a bad session_id is skipped here and reported when the item itself is built.
    if (isJsonObject(item) && isValidId(item.session_id)) return { id: item.session_id, generated: false };
  }
  return { id: ctx.newId(), generated: true };
}

/**
 * A new session, or one the client describes in session_properties, gets its session event, unless
 * the batch itself carries that session event.
 */
function needsSessionEvent(
  shared: SharedSession,
  properties: JsonObject | undefined,
  events: WaggleEvent[],
): boolean {
  if (!shared.generated && properties === undefined) return false;
  return !events.some((event) => event.event_type === 'session' && event.event_id === shared.id);
}

function spanOf(events: WaggleEvent[], fallback: number): EventTiming {
  if (events.length === 0) return { start_time: fallback, end_time: fallback, duration: 0 };
  const start = Math.min(...events.map((event) => event.start_time));
  const end = Math.max(...events.map((event) => event.end_time));
  return { start_time: start, end_time: end, duration: end - start };
}

/** Keeps a 400 for a large all-invalid batch readable: the first few reasons and a count. */
function summarize(errors: string[]): string {
  const shown = errors.slice(0, 5).join('; ');
  return errors.length > 5 ? `${shown}; and ${errors.length - 5} more` : shown;
}
