/** HoneyHive's filter grammar as the read API takes it (docs/read-api.md, "Filters"). */
import type { EventFilter, EventSchemaAnswer, EventSchemaField } from '../api/types';

export type FilterType = 'string' | 'number' | 'boolean' | 'datetime';

export const OPERATORS: Record<FilterType, readonly string[]> = {
  string: ['is', 'is not', 'contains', 'not contains', 'exists', 'not exists'],
  number: ['is', 'is not', 'greater than', 'less than', 'exists', 'not exists'],
  boolean: ['is', 'is not', 'exists', 'not exists'],
  datetime: ['after', 'before', 'is', 'is not', 'greater than', 'less than', 'exists', 'not exists'],
};

/** Top-level event columns and their types (lambdas/domain/store/columns.ts). */
export const COLUMN_TYPES: Record<string, FilterType> = {
  event_name: 'string',
  event_type: 'string',
  source: 'string',
  model: 'string',
  provider: 'string',
  error: 'string',
  session_id: 'string',
  event_id: 'string',
  parent_id: 'string',
  project_id: 'string',
  trace_id: 'string',
  span_id: 'string',
  start_time: 'datetime',
  end_time: 'datetime',
  duration: 'number',
  cost: 'number',
  prompt_tokens: 'number',
  completion_tokens: 'number',
  total_tokens: 'number',
};

export interface FieldSuggestion {
  field: string;
  type: FilterType;
}

/**
 * Columns first, then the schema's dotted fields (one entry per field, its most common type), of
 * one event type when `eventType` is given.
 */
export function fieldSuggestions(
  schema: EventSchemaAnswer | undefined,
  eventType?: EventSchemaField['event_type'],
): FieldSuggestion[] {
  const columns = Object.entries(COLUMN_TYPES).map(([field, type]) => ({ field, type }));
  const seen = new Map<string, { type: FilterType; occurrences: number }>();
  for (const entry of schema?.fields ?? []) {
    if (entry.field in COLUMN_TYPES) continue;
    // Filters on a session list match the session event: only the fields session events carry.
    if (eventType !== undefined && entry.event_type !== eventType) continue;
    const type: FilterType =
      entry.field_type === 'number' ? 'number' : entry.field_type === 'boolean' ? 'boolean' : 'string';
    const known = seen.get(entry.field);
    if (!known || entry.occurrences > known.occurrences)
      seen.set(entry.field, { type, occurrences: entry.occurrences });
  }
  const extra = [...seen.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, { type }]) => ({ field, type }));
  return [...columns, ...extra];
}

export function typeOf(field: string, suggestions: readonly FieldSuggestion[]): FilterType {
  return COLUMN_TYPES[field] ?? suggestions.find((entry) => entry.field === field)?.type ?? 'string';
}

export function needsValue(operator: string): boolean {
  return operator !== 'exists' && operator !== 'not exists';
}

export interface FilterRow {
  field: string;
  operator: string;
  value: string;
}

/**
 * The HoneyHive filter for a row, or an error naming what is missing. Values are sent in the
 * field's type: numbers as numbers, booleans as booleans, datetimes as ISO 8601 (UTC).
 */
export function toFilter(
  row: FilterRow,
  suggestions: readonly FieldSuggestion[],
): { filter: EventFilter } | { error: string } {
  const field = row.field.trim();
  if (field === '') return { error: 'Choose a field' };
  const type = typeOf(field, suggestions);
  const operator = OPERATORS[type].includes(row.operator) ? row.operator : OPERATORS[type][0];
  if (operator === undefined) return { error: 'Choose an operator' };
  if (!needsValue(operator)) return { filter: { field, operator, type } };
  const text = row.value.trim();
  if (text === '') return { error: `Give a value for ${field}` };
  switch (type) {
    case 'number': {
      const value = Number(text);
      if (!Number.isFinite(value)) return { error: `${field} takes a number` };
      return { filter: { field, operator, value, type } };
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') return { error: `${field} is true or false` };
      return { filter: { field, operator, value: text === 'true', type } };
    case 'datetime': {
      const ms = Date.parse(text);
      if (!Number.isFinite(ms)) return { error: `${field} takes a date and time` };
      return { filter: { field, operator, value: new Date(ms).toISOString(), type } };
    }
    default:
      return { filter: { field, operator, value: text, type } };
  }
}

/** A filter back to an editable row (datetimes shown in local time for the input). */
export function toRow(filter: EventFilter): FilterRow {
  let value = filter.value === undefined ? '' : String(filter.value);
  if (filter.type === 'datetime' && typeof filter.value === 'string') {
    const ms = Date.parse(filter.value);
    if (Number.isFinite(ms))
      value = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }
  return { field: filter.field, operator: filter.operator, value };
}
