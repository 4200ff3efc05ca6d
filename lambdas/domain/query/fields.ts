/**
 * The allow-list of fields a filter, projection, chart metric or group may name: every column of
 * the event store (columns.ts), its project_id partition, and nested paths inside the JSON sections.
 * Anything else is a 400.
 */

import { ValidationError } from '../errors';
import { EVENT_SECTIONS, type EventSection } from '../events/event';
import { EVENT_COLUMNS, JSON_TEXT_COLUMNS, PARTITION_COLUMNS } from '../store/columns';

/** How a top-level column behaves in a filter. `json` columns hold JSON text (objects, arrays). */
export type ColumnKind = 'string' | 'number' | 'datetime' | 'boolean' | 'json';

export const JSON_SECTIONS = EVENT_SECTIONS;
export type JsonSection = EventSection;

/** Sections an event inherits from its session event when read (the event's own keys win). */
export const INHERITED_SECTIONS: ReadonlySet<JsonSection> = new Set(['metadata', 'user_properties']);

const DATETIME_COLUMNS: ReadonlySet<string> = new Set(['start_time', 'end_time', 'ingested_at']);

/** The event columns the read side selects: the stored columns plus the project partition. */
export const EVENT_FIELD_NAMES: readonly string[] = [
  ...EVENT_COLUMNS.map((column) => column.name),
  'project_id',
];

const COLUMN_KINDS: ReadonlyMap<string, ColumnKind> = new Map(
  [...EVENT_COLUMNS, ...PARTITION_COLUMNS]
    .filter((column) => EVENT_FIELD_NAMES.includes(column.name))
    .map((column): [string, ColumnKind] => [column.name, kindOf(column.name, column.type)]),
);

/**
 * The day and hour partitions (`dt`, `hour`) say where a row's file lies, not what the event is:
 * the dedup view does not carry them, and start_time (with a dateRange, which also picks the
 * partitions to read) answers any question they would. Naming one is a 400 that says so.
 */
const STORAGE_ONLY_COLUMNS: ReadonlySet<string> = new Set(
  PARTITION_COLUMNS.map((column) => column.name).filter((name) => !EVENT_FIELD_NAMES.includes(name)),
);

export const MAX_PATH_DEPTH = 8;
/**
 * One key of a nested path; nothing else may reach SQL text (dialect.ts writes paths as quoted
 * literals). Spaces inside a key are allowed (metric names such as "answer length"): a quoted JSON
 * path key holds them in both DuckDB (`$."a b"`) and Trino (`$["a b"]`); a key never starts or ends with one.
 */
export const PATH_SEGMENT = /^(?=.{1,64}$)[A-Za-z0-9_-](?:[A-Za-z0-9_ -]*[A-Za-z0-9_-])?$/;

export type ResolvedField =
  | { kind: 'column'; name: string; columnKind: ColumnKind }
  | { kind: 'nested'; section: JsonSection; path: string[] };

/** Resolves a field name against the allow-list; throws a ValidationError for anything else. */
export function resolveField(field: unknown): ResolvedField {
  if (typeof field !== 'string' || field.length === 0)
    throw new ValidationError('filter field must be a non-empty string');
  const columnKind = COLUMN_KINDS.get(field);
  if (columnKind) return { kind: 'column', name: field, columnKind };
  if (STORAGE_ONLY_COLUMNS.has(field))
    throw new ValidationError(
      `field "${field}" is a storage partition, not an event field: use start_time (a filter, or a dateRange) instead`,
    );
  const [section, ...path] = field.split('.');
  if (!isJsonSection(section) || path.length === 0)
    throw new ValidationError(
      `unknown field "${field}": use a top-level column or ${JSON_SECTIONS.join('.*, ')}.*`,
    );
  if (path.length > MAX_PATH_DEPTH)
    throw new ValidationError(`field "${field}" is nested deeper than ${MAX_PATH_DEPTH} levels`);
  for (const segment of path) {
    if (!PATH_SEGMENT.test(segment))
      throw new ValidationError(
        `field "${field}": each path segment must be 1-64 letters, digits, '_', '-' or inner spaces`,
      );
  }
  return { kind: 'nested', section, path };
}

/** Whether any of these (already validated) field names reads a section the session event fills in. */
export function readsInheritedField(fields: readonly string[]): boolean {
  return fields.some((name) => {
    const field = resolveField(name);
    return field.kind === 'nested' && INHERITED_SECTIONS.has(field.section);
  });
}

/** Projections name top-level fields only. */
export function resolveProjection(field: unknown): string {
  if (typeof field !== 'string' || !EVENT_FIELD_NAMES.includes(field))
    throw new ValidationError(`unknown projection "${String(field)}": use top-level event fields`);
  return field;
}

function isJsonSection(name: string | undefined): name is JsonSection {
  return (JSON_SECTIONS as readonly string[]).includes(name ?? '');
}

function kindOf(name: string, type: string): ColumnKind {
  if (JSON_TEXT_COLUMNS.has(name)) return 'json';
  if (DATETIME_COLUMNS.has(name)) return 'datetime';
  if (type === 'bigint' || type === 'double') return 'number';
  if (type === 'boolean') return 'boolean';
  return 'string';
}
