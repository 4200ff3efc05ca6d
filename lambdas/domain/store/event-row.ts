/**
 * Converts between the event model and the stored Parquet row: JSON sections become JSON text, and
 * inputs/outputs too large for a row are kept whole in a separate gzip payload object while the row
 * holds a truncated copy (still valid JSON, so json_extract never fails) and the payload's key.
 */
import { gzipSync } from 'node:zlib';
import type { EventType, JsonObject, WaggleEvent } from '../events/event';
import { EVENT_COLUMNS, type EventRow, type EventRowValues } from './columns';
import { payloadKey } from './layout';

export interface EventRowOptions {
  /** Largest inputs/outputs JSON (UTF-8 bytes) kept inline in the row. Default 32 KiB. */
  maxInlineBytes?: number;
  /** Characters of the full JSON kept as a preview in the truncated copy. Default 4096. */
  previewChars?: number;
}

export interface PayloadObject {
  key: string;
  /** gzip of the full section JSON. */
  body: Uint8Array;
}

export const DEFAULT_MAX_INLINE_BYTES = 32 * 1024;
export const DEFAULT_PREVIEW_CHARS = 4096;

/** The shape of a truncated inputs/outputs copy in a row. */
export interface TruncatedSection {
  _truncated: true;
  _preview: string;
  /** UTF-8 bytes of the full JSON. */
  _bytes: number;
}

export type StoredEvent = WaggleEvent & { inputs_ref?: string; outputs_ref?: string };

export function eventToRow(
  event: WaggleEvent,
  options: EventRowOptions = {},
): { row: EventRow; payloads: PayloadObject[] } {
  const { values, payloads } = eventRowValues(event, options);
  const row: Record<string, unknown> = {};
  EVENT_COLUMNS.forEach((column, index) => {
    row[column.name] = values[index];
  });
  return { row: row as EventRow, payloads };
}

/**
 * The stored row as values in EVENT_COLUMNS order (the type checks each position's type; the
 * round-trip tests through rowToEvent check each position's meaning).
 */
export function eventRowValues(
  event: WaggleEvent,
  options: EventRowOptions = {},
): { values: EventRowValues; payloads: PayloadObject[] } {
  const payloads: PayloadObject[] = [];
  const inputs = storeSection(event, 'inputs', options, payloads);
  const outputs = storeSection(event, 'outputs', options, payloads);
  const values: EventRowValues = [
    event.event_id,
    event.version,
    event.org_id,
    event.workspace_id,
    event.session_id,
    event.parent_id,
    listJson(event.children_ids),
    event.trace_id,
    event.span_id,
    event.event_type,
    event.event_name,
    event.source,
    event.start_time,
    event.end_time,
    event.duration,
    event.model,
    event.provider,
    event.prompt_tokens,
    event.completion_tokens,
    event.total_tokens,
    event.cost,
    event.error,
    objectJson(event.config),
    inputs.json,
    outputs.json,
    objectJson(event.metadata),
    objectJson(event.metrics),
    objectJson(event.feedback),
    objectJson(event.user_properties),
    inputs.ref,
    outputs.ref,
    event.ingested_at,
    false,
  ];
  return { values, payloads };
}

/** JSON text of a section; empty sections (most feedback and metrics) skip the serializer. */
function objectJson(section: JsonObject | null | undefined): string {
  if (section === undefined || section === null) return '{}';
  for (const _key in section) return JSON.stringify(section);
  return '{}';
}

function listJson(list: readonly string[] | null | undefined): string {
  return list === undefined || list === null || list.length === 0 ? '[]' : JSON.stringify(list);
}

function storeSection(
  event: WaggleEvent,
  section: 'inputs' | 'outputs',
  options: EventRowOptions,
  payloads: PayloadObject[],
): { json: string; ref: string | null } {
  const json = objectJson(event[section]);
  const maxInlineBytes = options.maxInlineBytes ?? DEFAULT_MAX_INLINE_BYTES;
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: most sections are inline without counting.
  if (json.length * 3 <= maxInlineBytes) return { json, ref: null };
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxInlineBytes) return { json, ref: null };
  const key = payloadKey(event.project_id, event.event_id, event.version, section);
  payloads.push({ key, body: gzipSync(json) });
  const truncated: TruncatedSection = {
    _truncated: true,
    _preview: json.slice(0, options.previewChars ?? DEFAULT_PREVIEW_CHARS),
    _bytes: bytes,
  };
  return { json: JSON.stringify(truncated), ref: key };
}

/**
 * Reads a stored row back into an event. Truncated sections stay truncated (the full value is in the
 * object named by inputs_ref/outputs_ref, which the caller fetches only when it needs it).
 */
export function rowToEvent(row: EventRow & { project_id: string }): StoredEvent {
  const event: StoredEvent = {
    org_id: row.org_id ?? '',
    workspace_id: row.workspace_id ?? '',
    project_id: row.project_id,
    event_id: requiredText(row.event_id, 'event_id'),
    version: row.version ?? 0,
    session_id: row.session_id ?? '',
    parent_id: row.parent_id,
    children_ids: parseJson(row.children_ids, [], 'children_ids') as string[],
    trace_id: row.trace_id,
    span_id: row.span_id,
    event_type: (row.event_type ?? 'chain') as EventType,
    event_name: row.event_name ?? '',
    source: row.source ?? '',
    start_time: row.start_time ?? 0,
    end_time: row.end_time ?? 0,
    duration: row.duration ?? 0,
    model: row.model,
    provider: row.provider,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    total_tokens: row.total_tokens,
    cost: row.cost,
    error: row.error,
    config: parseObject(row.config, 'config'),
    inputs: parseObject(row.inputs, 'inputs'),
    outputs: parseObject(row.outputs, 'outputs'),
    metadata: parseObject(row.metadata, 'metadata'),
    metrics: parseObject(row.metrics, 'metrics'),
    feedback: parseObject(row.feedback, 'feedback'),
    user_properties: parseObject(row.user_properties, 'user_properties'),
    ingested_at: row.ingested_at ?? 0,
    deleted: row.deleted,
  };
  if (row.inputs_ref !== null) event.inputs_ref = row.inputs_ref;
  if (row.outputs_ref !== null) event.outputs_ref = row.outputs_ref;
  return event;
}

function requiredText(value: string | null, column: string): string {
  if (value === null || value === '') throw new Error(`Stored event row has no ${column}`);
  return value;
}

function parseObject(text: string | null, column: string): JsonObject {
  const value = parseJson(text, {}, column);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`Stored event column ${column} is not a JSON object`);
  }
  return value as JsonObject;
}

function parseJson(text: string | null, fallback: unknown, column: string): unknown {
  if (text === null || text === '') return fallback;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`Stored event column ${column} is not valid JSON`);
  }
}
