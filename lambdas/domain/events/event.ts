/**
 * Waggle's event model (docs/architecture.md, "Event model"): one wide, immutable row per event.
 * A newer `version` of the same `event_id` supersedes the older one when read.
 */
import type { ScoreRecord } from '../evaluators/evaluator';

export const EVENT_TYPES = ['session', 'model', 'tool', 'chain'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type JsonObject = Record<string, unknown>;

/** The event's JSON sections, in the order the model lists them. */
export const EVENT_SECTIONS = [
  'config',
  'inputs',
  'outputs',
  'metadata',
  'metrics',
  'feedback',
  'user_properties',
] as const;
export type EventSection = (typeof EVENT_SECTIONS)[number];

/** Every JSON section, empty: the start of an event built field by field. */
export function emptySections(): Record<EventSection, JsonObject> {
  return {
    config: {},
    inputs: {},
    outputs: {},
    metadata: {},
    metrics: {},
    feedback: {},
    user_properties: {},
  };
}

export interface Tenant {
  org_id: string;
  workspace_id: string;
  project_id: string;
}

export interface WaggleEvent extends Tenant {
  event_id: string;
  /** Monotonic per event id; the newest version wins on read. Epoch microseconds of ingestion for new events. */
  version: number;
  session_id: string;
  parent_id: string | null;
  children_ids: string[];
  trace_id: string | null;
  span_id: string | null;
  event_type: EventType;
  event_name: string;
  source: string;
  /** Epoch milliseconds. */
  start_time: number;
  end_time: number;
  /** Milliseconds (fractional allowed). */
  duration: number;
  model: string | null;
  provider: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  /** USD, computed from the price table at ingest when the model is known. */
  cost: number | null;
  error: string | null;
  config: JsonObject;
  inputs: JsonObject;
  outputs: JsonObject;
  metadata: JsonObject;
  metrics: JsonObject;
  feedback: JsonObject;
  user_properties: JsonObject;
  /** Epoch milliseconds at which the data plane accepted the event. */
  ingested_at: number;
  deleted: boolean;
}

/** What an event built in code must say of itself; plainEvent leaves the rest unset. */
type PlainEventFields = Pick<
  WaggleEvent,
  | 'event_id'
  | 'version'
  | 'session_id'
  | 'event_type'
  | 'event_name'
  | 'source'
  | 'start_time'
  | 'end_time'
  | 'duration'
  | 'ingested_at'
> &
  Partial<WaggleEvent>;

/**
 * An event with only the given fields set: no parent, children, trace or span, no model call,
 * tokens, cost or error, empty sections, not deleted. Fields in WaggleEvent's order (answers
 * serialize them in this order), whatever the order of `fields`.
 */
export function plainEvent(tenant: Tenant, fields: PlainEventFields): WaggleEvent {
  const event: WaggleEvent = {
    ...tenant,
    event_id: fields.event_id,
    version: fields.version,
    session_id: fields.session_id,
    parent_id: null,
    children_ids: [],
    trace_id: null,
    span_id: null,
    event_type: fields.event_type,
    event_name: fields.event_name,
    source: fields.source,
    start_time: fields.start_time,
    end_time: fields.end_time,
    duration: fields.duration,
    model: null,
    provider: null,
    prompt_tokens: null,
    completion_tokens: null,
    total_tokens: null,
    cost: null,
    error: null,
    ...emptySections(),
    ingested_at: fields.ingested_at,
    deleted: false,
  };
  // Assigning keeps each key where it already is; only fields WaggleEvent lacks come after.
  return Object.assign(event, fields);
}

/**
 * A partial update of an existing event (HoneyHive `PUT /events`). The writer applies it on top of
 * the newest stored version of `event_id` and stores the result as version `version`.
 * Object sections are merged key by key; scalar fields replace.
 */
export interface WaggleEventUpdate extends Tenant {
  event_id: string;
  version: number;
  ingested_at: number;
  patch: Partial<
    Pick<
      WaggleEvent,
      | 'metadata'
      | 'feedback'
      | 'metrics'
      | 'outputs'
      | 'config'
      | 'user_properties'
      | 'duration'
      | 'end_time'
      | 'error'
    >
  >;
}

/**
 * A deletion (HoneyHive `DELETE /v1/events/{id}`, `DELETE /v1/sessions/{id}`). Every read hides the
 * event, or every event of the session, whatever its version; compaction drops them for good.
 */
export interface WaggleTombstone extends Tenant {
  target: 'event' | 'session';
  /** event_id or session_id. */
  id: string;
  /** Epoch milliseconds of the deletion. */
  deleted_at: number;
}

/** What travels on the events queue: a full event, an update of one, or a deletion. */
export type EventRecord =
  | { kind: 'event'; event: WaggleEvent }
  | { kind: 'update'; update: WaggleEventUpdate }
  | { kind: 'tombstone'; tombstone: WaggleTombstone }
  /** An evaluation for the scores table (store/scores.ts), beside the metrics update it comes with. */
  | { kind: 'score'; score: ScoreRecord };
