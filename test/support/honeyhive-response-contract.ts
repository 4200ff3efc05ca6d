/**
 * The HoneyHive read API's response shapes, written out as facts of the contract: for each answer,
 * the keys it must carry and the JSON types its keys may have (HoneyHive's OpenAPI document names
 * them GetEventsLegacyResponse, GetSessionResponse, ...). The unit tests of the response shapers and
 * the end-to-end tests of the routes the honeyhive client does not call (chart, event by id,
 * deletions) check answers against these.
 */
import { expect } from 'vitest';

interface ResponseShape {
  required: readonly string[];
  types: Readonly<Record<string, readonly string[]>>;
}

/** One exported event (the spec's legacy Event): only `project` is required. */
export const EXPORTED_EVENT: ResponseShape = {
  required: ['project'],
  types: {
    project: ['string'],
    project_id: ['string'],
    source: ['string'],
    event_name: ['string'],
    event_type: ['string'],
    event_id: ['string'],
    session_id: ['string'],
    parent_id: ['string'],
    children_ids: ['array'],
    config: ['object'],
    inputs: ['object'],
    outputs: ['object'],
    error: ['string', 'null'],
    start_time: ['number'],
    end_time: ['number'],
    duration: ['number'],
    metadata: ['object'],
    feedback: ['object'],
    metrics: ['object'],
    user_properties: ['object'],
  },
};

/** POST /v1/events/export (GetEventsLegacyResponse), GET /events (GetEventsResponse) and the chart. */
export const EVENT_LIST: ResponseShape = {
  required: ['events', 'totalEvents'],
  types: { events: ['array'], totalEvents: ['number'] },
};

/** A session tree node: GetSessionResponse, and GetEventsBySessionIdResponse (the same fields). */
export const SESSION_NODE: ResponseShape = {
  required: [
    'event_id',
    'event_type',
    'event_name',
    'children',
    'start_time',
    'end_time',
    'duration',
    'metadata',
    'org_id',
    'project_id',
  ],
  types: {
    event_id: ['string'],
    event_type: ['string'],
    event_name: ['string'],
    children: ['array'],
    start_time: ['number'],
    end_time: ['number'],
    duration: ['number'],
    metadata: ['object'],
    parent_id: ['string'],
    session_id: ['string'],
    children_ids: ['array'],
    error: ['string'],
    source: ['string'],
    org_id: ['string'],
    workspace_id: ['string'],
    project_id: ['string'],
  },
};

/** The session rollups GetSessionResponse.metadata declares. */
export const SESSION_ROLLUPS: ResponseShape = {
  required: ['num_events'],
  types: {
    num_events: ['number'],
    num_model_events: ['number'],
    has_feedback: ['boolean'],
    cost: ['number'],
    total_tokens: ['number'],
    prompt_tokens: ['number'],
    completion_tokens: ['number'],
    scope: ['object'],
  },
};

/** DeleteEventResponse and DeleteSessionResponse. */
export const DELETION: ResponseShape = {
  required: ['success', 'deleted'],
  types: { success: ['boolean'], deleted: ['string'] },
};

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Every required key is present, and every present key the shape declares has a declared type. */
export function expectConforms(value: unknown, shape: ResponseShape): void {
  expect(jsonType(value)).toBe('object');
  const record = value as Record<string, unknown>;
  for (const name of shape.required) expect(record, `required ${name}`).toHaveProperty(name);
  for (const [name, declared] of Object.entries(shape.types)) {
    if (!(name in record)) continue;
    expect(declared, `type of ${name}`).toContain(jsonType(record[name]));
  }
}
