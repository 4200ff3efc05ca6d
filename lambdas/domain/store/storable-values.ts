/**
 * What the store's typed columns can hold, in one place. Ingest checks every event against these
 * rules before it is acknowledged (REST refuses the item, OTLP drops the value and says so), and the
 * writer checks again before encoding, so a value that cannot be written never reaches a Parquet
 * file where it would fail every other event of that file.
 *
 * INT64 columns hold JavaScript numbers, which are exact only up to 2^53 - 1: beyond that a count
 * would be stored as a different number than the one sent (and 2^63 and beyond do not fit INT64 at
 * all), so whole numbers within +-(2^53 - 1) are the range. DOUBLE columns take any finite number
 * (NaN and Infinity have no JSON form and no place in min/max statistics).
 */
import { EVENT_TYPES, type WaggleEvent } from '../events/event';
import { type ColumnType, EVENT_COLUMNS, JSON_TEXT_COLUMNS } from './columns';

/** The largest whole number an INT64 column keeps exactly: 2^53 - 1 = 9,007,199,254,740,991. */
export const MAX_STORED_INTEGER = Number.MAX_SAFE_INTEGER;

/** A number column of the event row whose value does not fit its type. */
export interface UnstorableValue {
  column: NumberColumnName;
  value: unknown;
  /** Why, in words a client can act on. */
  reason: string;
}

type NumberColumn = Extract<(typeof EVENT_COLUMNS)[number], { type: 'bigint' | 'double' }>;
export type NumberColumnName = NumberColumn['name'];

/** The event's number columns, in row order: what must fit before an event is acknowledged. */
const NUMBER_COLUMNS = EVENT_COLUMNS.filter(
  (column): column is NumberColumn => column.type === 'bigint' || column.type === 'double',
);

/** Columns an event may leave empty (NULL): an unstorable value there can be dropped instead of refusing the event. */
const NULLABLE_NUMBER_COLUMNS: ReadonlySet<NumberColumnName> = new Set([
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost',
]);

export function isNullableNumberColumn(column: NumberColumnName): boolean {
  return NULLABLE_NUMBER_COLUMNS.has(column);
}

/** Why `value` cannot be stored in a column of `type`, or undefined when it can (NULL always can). */
export function unstorableReason(type: ColumnType, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (type === 'bigint') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'is not a finite number';
    const rounded = Math.round(value);
    if (rounded > MAX_STORED_INTEGER || rounded < -MAX_STORED_INTEGER) {
      return `is beyond the largest whole number the store keeps exactly (${MAX_STORED_INTEGER})`;
    }
    return undefined;
  }
  if (type === 'double') {
    return typeof value === 'number' && Number.isFinite(value) ? undefined : 'is not a finite number';
  }
  if (type === 'boolean') return typeof value === 'boolean' ? undefined : 'is not a boolean';
  return typeof value === 'string' ? undefined : 'is not a string';
}

/** A token count the store keeps exactly: a finite number from 0 to MAX_STORED_INTEGER. */
export function isStorableCount(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= MAX_STORED_INTEGER;
}

/** Every number column of `event` whose value the store cannot hold (empty when it all fits). */
export function unstorableValues(event: WaggleEvent): UnstorableValue[] {
  let found: UnstorableValue[] | undefined;
  for (const column of NUMBER_COLUMNS) {
    const value = event[column.name];
    const reason = unstorableReason(column.type, value);
    if (reason === undefined) continue;
    found ??= [];
    found.push({ column: column.name, value, reason });
  }
  return found ?? [];
}

type TextColumnName = Extract<(typeof EVENT_COLUMNS)[number], { type: 'string' }>['name'];

/** The event's own text fields (the *_ref columns are the writer's, not the event's). */
const TEXT_FIELDS = EVENT_COLUMNS.filter(
  (column) => column.type === 'string' && column.name !== 'inputs_ref' && column.name !== 'outputs_ref',
).map((column) => column.name as Exclude<TextColumnName, 'inputs_ref' | 'outputs_ref'>);

/**
 * Everything about `event` that its row cannot hold or its readers could not read back: numbers
 * out of range, a text column that is not text, a JSON section that is not an object, children_ids
 * that are not a list of ids, an unknown event type. The writer's last check before encoding: ingest
 * never builds such an event, so one here is a foreign or corrupted record (poison).
 */
export function rowProblems(event: WaggleEvent): string[] {
  const problems = unstorableValues(event).map(describeUnstorable);
  const fields = event as unknown as Record<string, unknown>;
  for (const name of TEXT_FIELDS) {
    const value = fields[name];
    if (JSON_TEXT_COLUMNS.has(name)) {
      if (name === 'children_ids') {
        if (!Array.isArray(value) || value.some((id) => typeof id !== 'string')) {
          problems.push('children_ids is not a list of ids');
        }
      } else if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${name} is not a JSON object`);
      }
    } else if (value !== null && typeof value !== 'string') problems.push(`${name} is not text`);
  }
  if (!(EVENT_TYPES as readonly unknown[]).includes(event.event_type)) {
    problems.push(`event_type ${formatValue(event.event_type)} is not one of ${EVENT_TYPES.join(', ')}`);
  }
  return problems;
}

/** "prompt_tokens 1e+30 is beyond ...": one value's problem, for error messages and notes. */
export function describeUnstorable(problem: UnstorableValue): string {
  return `${problem.column} ${formatValue(problem.value)} ${problem.reason}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

/**
 * Empties (sets NULL) the nullable number columns that do not fit, in place, and returns what was
 * dropped; a value that does not fit a required column (times, duration, version) is returned in
 * `refused`, and the event must not be stored. The dropped values are named in the event's
 * metadata.normalization_notes, so what happened stays visible with the event.
 */
export function dropUnstorableValues(event: WaggleEvent): {
  dropped: UnstorableValue[];
  refused: UnstorableValue[];
} {
  const problems = unstorableValues(event);
  if (problems.length === 0) return { dropped: problems, refused: problems };
  const dropped: UnstorableValue[] = [];
  const refused: UnstorableValue[] = [];
  for (const problem of problems) {
    if (!isNullableNumberColumn(problem.column)) {
      refused.push(problem);
      continue;
    }
    (event as unknown as Record<string, unknown>)[problem.column] = null;
    dropped.push(problem);
  }
  if (dropped.length > 0) {
    const notes = Array.isArray(event.metadata.normalization_notes)
      ? (event.metadata.normalization_notes as unknown[])
      : [];
    event.metadata.normalization_notes = [
      ...notes,
      ...dropped.map((problem) => `${describeUnstorable(problem)}; left empty`),
    ];
  }
  return { dropped, refused };
}
