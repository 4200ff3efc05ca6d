/**
 * HoneyHive SingleFilter arrays -> EventFilter[]. Each filter is checked on its own (field readable,
 * operator valid for the field's type, value of that type) and a problem is a 400 naming
 * `filters[i].<key>`. Values are coerced leniently because query strings carry only text: "12" is a
 * number filter's 12, "true" a boolean's true, and a datetime is ISO 8601 text or epoch ms (nothing
 * else: see ../query/epoch-ms.ts), always handed on as epoch ms (the store keeps times as epoch ms).
 */
import type { JsonObject } from '../events/event';
import { describeType, invalidField, isJsonObject } from '../honeyhive/fields';
import { MAX_EPOCH_MS, MAX_JSON_DEPTH } from '../honeyhive/limits';
import { jsonNestingExceeds } from '../json/json-nesting';
import { DATETIME_FORMATS, parseEpochMs } from '../query/epoch-ms';
import { FILTER_VALUE_TOO_LONG, filterValueChars, MAX_FILTER_VALUE_CHARS } from '../query/filters';
import {
  type EventFilter,
  FIELD_TYPES,
  FILTER_OPERATORS,
  type FieldType,
  type FilterOperator,
} from '../query/types';
import { parseFieldRef } from './field-paths';

/** More conditions than this is not a query a person wrote; it only makes the SQL expensive. */
export const MAX_FILTERS = 50;
/** Longest string a filter compares against (a ' counts twice): see ../query/filters.ts for why. */
export const MAX_FILTER_VALUE_LENGTH = MAX_FILTER_VALUE_CHARS;

/**
 * Operators each field type accepts: the spec's SingleFilter lists, plus `is not` on booleans and
 * `greater than`/`less than` on datetimes, which the query layer (../query/filters.ts) also compiles.
 */
export const OPERATORS_BY_TYPE: Record<FieldType, readonly FilterOperator[]> = {
  string: ['exists', 'not exists', 'is', 'is not', 'contains', 'not contains'],
  number: ['exists', 'not exists', 'is', 'is not', 'greater than', 'less than'],
  boolean: ['exists', 'not exists', 'is', 'is not'],
  datetime: ['exists', 'not exists', 'is', 'is not', 'after', 'before', 'greater than', 'less than'],
};

/** When a filter on a nested path leaves `type` out, an operator that belongs to one type says which. */
const TYPE_OF_OPERATOR: Partial<Record<FilterOperator, FieldType>> = {
  'greater than': 'number',
  'less than': 'number',
  after: 'datetime',
  before: 'datetime',
};

/** `filters` as an array, a JSON-encoded array, or absent (no filters). */
export function parseFilters(value: unknown, where = 'filters'): EventFilter[] {
  if (value === undefined || value === null || value === '') return [];
  const list = typeof value === 'string' ? decodeJson(value, where) : value;
  // A query string may carry one JSON object per repeated `filters` parameter.
  const items = isJsonObject(list) ? [list] : list;
  if (!Array.isArray(items))
    throw invalidField(where, `must be an array of filters, got ${describeType(items)}`);
  if (items.length > MAX_FILTERS) throw invalidField(where, `has more than ${MAX_FILTERS} filters`);
  return items.map((item, index) => parseFilter(item, `${where}[${index}]`));
}

export function parseFilter(value: unknown, where: string): EventFilter {
  const item = typeof value === 'string' ? decodeJson(value, where) : value;
  if (!isJsonObject(item)) throw invalidField(where, `must be a filter object, got ${describeType(item)}`);
  const field = parseFieldRef(item.field, `${where}.field`);
  const operator = parseOperator(item.operator, `${where}.operator`);
  const type = resolveType(item, operator, field.columnType, where);
  if (!OPERATORS_BY_TYPE[type].includes(operator)) {
    throw invalidField(
      `${where}.operator`,
      `"${operator}" does not apply to a ${type} field; use one of: ${OPERATORS_BY_TYPE[type].join(', ')}`,
    );
  }
  if (operator === 'exists' || operator === 'not exists') return { field: field.path, operator, type };
  return { field: field.path, operator, type, value: coerceValue(item.value, type, `${where}.value`) };
}

function parseOperator(value: unknown, where: string): FilterOperator {
  const text = typeof value === 'string' ? value.trim().toLowerCase().replace(/\s+/g, ' ') : undefined;
  const operator = FILTER_OPERATORS.find((candidate) => candidate === text);
  if (operator === undefined) {
    throw invalidField(where, `must be one of: ${FILTER_OPERATORS.join(', ')}`);
  }
  return operator;
}

function resolveType(
  item: JsonObject,
  operator: FilterOperator,
  columnType: FieldType | undefined,
  where: string,
): FieldType {
  const given = item.type === undefined || item.type === null ? undefined : item.type;
  if (given === undefined) return defaultType(item.value, operator, columnType);
  const type = FIELD_TYPES.find((candidate) => candidate === given);
  if (type === undefined) throw invalidField(`${where}.type`, `must be one of: ${FIELD_TYPES.join(', ')}`);
  if (columnType !== undefined && type !== columnType && !(columnType === 'datetime' && type === 'number')) {
    throw invalidField(`${where}.type`, `is "${type}" but ${String(item.field)} is a ${columnType} field`);
  }
  return type;
}

/** The type a filter without `type` gets: the column's, else the operator's, else the value's own. */
function defaultType(value: unknown, operator: FilterOperator, columnType: FieldType | undefined): FieldType {
  if (columnType === 'datetime' && (operator === 'greater than' || operator === 'less than')) return 'number';
  if (columnType !== undefined) return columnType;
  const byOperator = TYPE_OF_OPERATOR[operator];
  if (byOperator !== undefined) return byOperator;
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

function coerceValue(value: unknown, type: FieldType, where: string): string | number | boolean {
  if (value === undefined || value === null) {
    throw invalidField(
      where,
      'is required for this operator (use "exists" / "not exists" to test for presence)',
    );
  }
  if (type === 'string') {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') throw invalidField(where, `must be a string, got ${describeType(value)}`);
    if (filterValueChars(value) > MAX_FILTER_VALUE_LENGTH) throw invalidField(where, FILTER_VALUE_TOO_LONG);
    return value;
  }
  if (type === 'number') {
    const number = toNumber(value);
    if (number === undefined)
      throw invalidField(where, `must be a finite number, got ${describeValue(value)}`);
    return number;
  }
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw invalidField(where, `must be true or false, got ${describeValue(value)}`);
  }
  const epochMs = toEpochMs(value);
  if (epochMs === undefined)
    throw invalidField(where, `must be ${DATETIME_FORMATS}, got ${describeValue(value)}`);
  return epochMs;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 64) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** ISO 8601 text or epoch milliseconds (../query/epoch-ms.ts) -> epoch ms between 1970 and 9999; undefined otherwise. */
export function toEpochMs(value: unknown): number | undefined {
  const epochMs = parseEpochMs(value);
  if (epochMs === undefined || epochMs < 0 || epochMs > MAX_EPOCH_MS) return undefined;
  return epochMs;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return describeType(value);
}

/** JSON.parse for text that arrived in a query parameter or a string-typed body field. */
export function decodeJson(text: string, where: string): unknown {
  if (jsonNestingExceeds(text, MAX_JSON_DEPTH)) {
    throw invalidField(where, `is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalidField(where, 'is a string but not valid JSON');
  }
}
