/**
 * HoneyHive's event_schemas: the fields seen per project, event type and event name, which the
 * console offers in its filters.
 *
 *   event-schemas/project_id=<p>/b-<batch id>.parquet    one file per project and writer batch
 *   event-schemas/project_id=<p>/m-<time>-<n>.parquet    merged by compaction (event-schema-merge.ts)
 *
 * Rows (event_type, event_name, field, field_type, first_seen, last_seen, occurrences): a field is
 * a top-level column the event has set, or a dotted path into one of its JSON sections (`metadata`,
 * `user_properties`, `config`, `inputs`, `outputs`, `metrics`, `feedback`) at most
 * MAX_SCHEMA_PATH_DEPTH keys deep. Every key on a path must be one the filter grammar takes
 * (query/fields.ts PATH_SEGMENT: 1-64 letters, digits, `_`, `-` or inner spaces) and not an object-prototype name,
 * so every suggested field is a field a filter accepts; a key that is not is skipped with all that is
 * under it. Bounded: at most MAX_SCHEMA_FIELDS_PER_EVENT fields from one event and
 * MAX_SCHEMA_ROWS_PER_FILE rows per file, so a hostile event cannot make the file large.
 */
import { EVENT_SECTIONS, type WaggleEvent } from '../events/event';
import { PATH_SEGMENT } from '../query/fields';
import type { Column } from './columns';
import type { ParquetRow } from './parquet-files';

export const EVENT_SCHEMAS_PREFIX = 'event-schemas/';

export const EVENT_SCHEMA_COLUMNS = [
  { name: 'event_type', type: 'string', description: 'session | model | tool | chain' },
  { name: 'event_name', type: 'string', description: 'Event name' },
  { name: 'field', type: 'string', description: 'Field path, e.g. metadata.user_tier (a filter accepts it)' },
  { name: 'field_type', type: 'string', description: 'string | number | boolean | object | array' },
  {
    name: 'first_seen',
    type: 'bigint',
    description: 'Epoch milliseconds: earliest start_time of an event with the field',
  },
  {
    name: 'last_seen',
    type: 'bigint',
    description: 'Epoch milliseconds: latest start_time of an event with the field',
  },
  { name: 'occurrences', type: 'bigint', description: 'Events in which the field appeared' },
] as const satisfies readonly Column[];

export const SCHEMA_FIELD_TYPES = ['string', 'number', 'boolean', 'object', 'array'] as const;
export type SchemaFieldType = (typeof SCHEMA_FIELD_TYPES)[number];

/** Keys below a section: `metadata.a.b.c` at most. Deeper structure is rarely a filter anyone writes. */
export const MAX_SCHEMA_PATH_DEPTH = 3;
/** Fields one event contributes; the rest of a wide event is not suggested. */
export const MAX_SCHEMA_FIELDS_PER_EVENT = 200;
/** Rows of one file (distinct type, name, field, field type); a batch of wild events stays a small file. */
export const MAX_SCHEMA_ROWS_PER_FILE = 5_000;
/** Event names longer than this are not described (a name is a value, and a row is kept small). */
export const MAX_SCHEMA_EVENT_NAME_CHARS = 256;

/** The top-level columns a filter may name and a person filters on, when the event has them set. */
const TOP_LEVEL_FIELDS = [
  'event_id',
  'session_id',
  'parent_id',
  'event_type',
  'event_name',
  'source',
  'model',
  'provider',
  'start_time',
  'end_time',
  'duration',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost',
  'error',
  'trace_id',
  'span_id',
] as const satisfies readonly (keyof WaggleEvent)[];

/** Names JavaScript gives meaning to on every object: never suggested, even though the grammar takes them. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface SchemaRow {
  event_type: string;
  event_name: string;
  field: string;
  field_type: SchemaFieldType;
  first_seen: number;
  last_seen: number;
  occurrences: number;
}

export function eventSchemaPartition(encodedProjectId: string): string {
  return `${EVENT_SCHEMAS_PREFIX}project_id=${encodedProjectId}/`;
}

/** The file a writer batch leaves for a project. */
export function eventSchemaBatchKey(encodedProjectId: string, batchId: string): string {
  return `${eventSchemaPartition(encodedProjectId)}b-${batchId}.parquet`;
}

/** Whether a key is a suggestable path segment. */
export function isSchemaKey(key: string): boolean {
  return PATH_SEGMENT.test(key) && !PROTOTYPE_KEYS.has(key);
}

/** The fields one event has set: [field, type] pairs, at most MAX_SCHEMA_FIELDS_PER_EVENT. */
export function eventFields(event: WaggleEvent): Array<[string, SchemaFieldType]> {
  const fields: Array<[string, SchemaFieldType]> = [];
  const add = (field: string, type: SchemaFieldType) => {
    if (fields.length < MAX_SCHEMA_FIELDS_PER_EVENT) fields.push([field, type]);
  };
  for (const name of TOP_LEVEL_FIELDS) {
    const type = valueType(event[name]);
    if (type !== undefined && event[name] !== '') add(name, type);
  }
  const walk = (value: unknown, path: string, depth: number) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const key of Object.keys(value)) {
      if (fields.length >= MAX_SCHEMA_FIELDS_PER_EVENT) return;
      if (!isSchemaKey(key)) continue;
      const child = (value as Record<string, unknown>)[key];
      const type = valueType(child);
      if (type === undefined) continue;
      const field = `${path}.${key}`;
      add(field, type);
      if (type === 'object' && depth < MAX_SCHEMA_PATH_DEPTH) walk(child, field, depth + 1);
    }
  };
  for (const section of EVENT_SECTIONS) walk(event[section], section, 1);
  return fields;
}

/** The rows of a batch's events (one project's), merged by type, name, field and field type. */
export function eventSchemaRows(events: Iterable<WaggleEvent>): SchemaRow[] {
  const rows = new Map<string, SchemaRow>();
  for (const event of events) {
    if (event.event_name.length > MAX_SCHEMA_EVENT_NAME_CHARS) continue;
    for (const [field, field_type] of eventFields(event)) {
      const key = rowKey(event.event_type, event.event_name, field, field_type);
      const row = rows.get(key);
      if (row !== undefined) {
        row.occurrences++;
        row.first_seen = Math.min(row.first_seen, event.start_time);
        row.last_seen = Math.max(row.last_seen, event.start_time);
      } else if (rows.size < MAX_SCHEMA_ROWS_PER_FILE) {
        rows.set(key, {
          event_type: event.event_type,
          event_name: event.event_name,
          field,
          field_type,
          first_seen: event.start_time,
          last_seen: event.start_time,
          occurrences: 1,
        });
      }
    }
  }
  return sortRows([...rows.values()]);
}

/** Rows of several files as one: occurrences added, first and last seen widened. */
export function mergeSchemaRows(groups: Iterable<readonly SchemaRow[]>): SchemaRow[] {
  const rows = new Map<string, SchemaRow>();
  for (const group of groups)
    for (const row of group) {
      const key = rowKey(row.event_type, row.event_name, row.field, row.field_type);
      const seen = rows.get(key);
      if (seen === undefined) rows.set(key, { ...row });
      else {
        seen.occurrences += row.occurrences;
        seen.first_seen = Math.min(seen.first_seen, row.first_seen);
        seen.last_seen = Math.max(seen.last_seen, row.last_seen);
      }
    }
  return sortRows([...rows.values()]);
}

export function schemaParquetRows(rows: readonly SchemaRow[]): ParquetRow[] {
  return rows as unknown as ParquetRow[];
}

/** Rows read back from a file; anything malformed is left out. */
export function toSchemaRows(rows: readonly ParquetRow[]): SchemaRow[] {
  return rows.flatMap((row) => {
    const { event_type, event_name, field, field_type } = row;
    const first = Number(row.first_seen);
    const last = Number(row.last_seen);
    const occurrences = Number(row.occurrences);
    if (
      typeof event_type !== 'string' ||
      typeof event_name !== 'string' ||
      typeof field !== 'string' ||
      !(SCHEMA_FIELD_TYPES as readonly unknown[]).includes(field_type) ||
      !Number.isFinite(first) ||
      !Number.isFinite(last) ||
      !Number.isFinite(occurrences)
    )
      return [];
    return [
      {
        event_type,
        event_name,
        field,
        field_type: field_type as SchemaFieldType,
        first_seen: first,
        last_seen: last,
        occurrences,
      },
    ];
  });
}

function valueType(value: unknown): SchemaFieldType | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isFinite(value) ? 'number' : undefined;
    case 'boolean':
      return 'boolean';
    case 'object':
      return 'object';
    default:
      return undefined;
  }
}

function rowKey(eventType: string, eventName: string, field: string, fieldType: string): string {
  return `${eventType}\u0000${eventName}\u0000${field}\u0000${fieldType}`;
}

function sortRows(rows: SchemaRow[]): SchemaRow[] {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort(
    (a, b) =>
      compare(a.event_type, b.event_type) ||
      compare(a.event_name, b.event_name) ||
      compare(a.field, b.field) ||
      compare(a.field_type, b.field_type),
  );
}
