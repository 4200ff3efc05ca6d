/**
 * HoneyHive filters evaluated on one event in memory, with the meaning the compiled SQL gives them
 * (filters.ts, field-expressions.ts): online evaluation decides which new events an evaluator scores
 * without a query. The same checks refuse the same filters (resolveFilter); a nested field is the
 * scalar at its path (an object or array is no value, as Athena's json_extract_scalar has it), and
 * metadata.* and user_properties.* fall back to the session event's, as reads do. SQL's NULL rules
 * carry over: a missing value matches nothing but `is not`, `not contains` and `not exists`.
 * test/unit/query/match-filters.property.test.ts checks it against DuckDB running the compiled SQL.
 */
import { INHERITED_SECTIONS, type ResolvedField } from './fields';
import { type ResolvedFilter, resolveFilter } from './filters';
import type { EventFilter } from './types';

/** An event as the writer stores it, with its JSON sections as objects (WaggleEvent fits). */
export type FilterableEvent = object;

export type EventPredicate = (event: FilterableEvent, session?: FilterableEvent) => boolean;

/** Checks the filters once (a ValidationError for a bad one) and returns their conjunction. */
export function filterPredicate(filters: readonly EventFilter[]): EventPredicate {
  const resolved = filters.map(resolveFilter);
  return (event, session) => resolved.every((filter) => matches(filter, event, session));
}

type Scalar = string | number | boolean;

function matches(filter: ResolvedFilter, event: FilterableEvent, session?: FilterableEvent): boolean {
  const { field, operator, type, operand } = filter;
  if (operator === 'exists') return present(field, event, session);
  if (operator === 'not exists') return !present(field, event, session);
  const value = comparedValue(field, type, event, session);
  switch (operator) {
    case 'is':
      return value !== null && value === operand;
    case 'is not':
      return value !== operand;
    case 'contains':
      return value !== null && String(value).toLowerCase().includes(String(operand).toLowerCase());
    case 'not contains':
      return value === null || !String(value).toLowerCase().includes(String(operand).toLowerCase());
    case 'greater than':
    case 'after':
      return value !== null && (value as number) > (operand as number);
    case 'less than':
    case 'before':
      return value !== null && (value as number) < (operand as number);
  }
}

function record(event: FilterableEvent | undefined): Record<string, unknown> {
  return (event ?? {}) as Record<string, unknown>;
}

/** The value a filter of this type compares, or null (SQL NULL). */
function comparedValue(
  field: ResolvedField,
  type: ResolvedFilter['type'],
  event: FilterableEvent,
  session?: FilterableEvent,
): Scalar | null {
  if (field.kind === 'column') {
    const value = record(event)[field.name];
    if (value === null || value === undefined) return null;
    switch (type) {
      case 'string':
        return columnText(value);
      case 'boolean':
        return typeof value === 'boolean' ? value : null;
      case 'number':
      case 'datetime':
        return toDouble(columnText(value));
    }
  }
  const text = nestedText(field, event, session);
  if (text === null) return null;
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      // Nested booleans compare as lower-case text ('true' / 'false'), as the operand is coerced.
      return text.toLowerCase();
    case 'number':
    case 'datetime':
      return toDouble(text);
  }
}

/** A top-level column as the stored row holds it: JSON sections as JSON text, numbers as text of a double. */
function columnText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The scalar at the path as text, the event's own first, then (metadata, user_properties) its session's. */
function nestedText(
  field: Extract<ResolvedField, { kind: 'nested' }>,
  event: FilterableEvent,
  session?: FilterableEvent,
): string | null {
  const own = scalarText(at(record(event)[field.section], field.path));
  if (own !== null || !INHERITED_SECTIONS.has(field.section)) return own;
  return scalarText(at(record(session)[field.section], field.path));
}

function at(section: unknown, path: readonly string[]): unknown {
  let value: unknown = typeof section === 'string' ? parseJson(section) : section;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return null;
}

/** try_cast(text AS DOUBLE): a number written as text, surrounding spaces allowed; else null. */
function toDouble(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : null;
}

/** Whether the field holds a value (SQL: present, not JSON null; a JSON column not '', '{}' or '[]'). */
function present(field: ResolvedField, event: FilterableEvent, session?: FilterableEvent): boolean {
  if (field.kind === 'column') {
    const value = record(event)[field.name];
    if (value === null || value === undefined) return false;
    if (typeof value === 'object') {
      const text = JSON.stringify(value);
      return text !== '{}' && text !== '[]';
    }
    return value !== '' || !isJsonColumn(field);
  }
  const own = at(record(event)[field.section], field.path);
  if (own !== undefined && own !== null) return true;
  if (!INHERITED_SECTIONS.has(field.section)) return false;
  const inherited = at(record(session)[field.section], field.path);
  return inherited !== undefined && inherited !== null;
}

function isJsonColumn(field: Extract<ResolvedField, { kind: 'column' }>): boolean {
  return field.columnKind === 'json';
}
