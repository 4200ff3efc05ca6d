/**
 * Compiles HoneyHive filters to a parameterized SQL condition. Fields come from the allow-list,
 * operators from a fixed table per type, and every user value travels as a parameter.
 */

import { ValidationError } from '../errors';
import { MAX_ATHENA_PARAMETER_CHARS } from './athena-rules';
import type { Dialect } from './dialect';
import type { SqlParam } from './engine';
import { DATETIME_FORMATS, parseEpochMs } from './epoch-ms';
import { presentExpression, valueExpression } from './field-expressions';
import { type ColumnKind, type ResolvedField, resolveField } from './fields';
import { and, param, type Sql, sql } from './sql';
import {
  type EventFilter,
  FIELD_TYPES,
  FILTER_OPERATORS,
  type FieldType,
  type FilterOperator,
} from './types';

/**
 * Longest text a filter compares against, with each `'` counted twice. Athena takes each execution
 * parameter as a literal of at most MAX_ATHENA_PARAMETER_CHARS (1,024) characters, and a string
 * arrives quoted with its quotes doubled: 1,000 leaves room for the two enclosing quotes and a round
 * number a client can be told, instead of a 500 from Athena (and a silent success locally).
 */
export const MAX_FILTER_VALUE_CHARS = 1000;
const QUOTING_ROOM = MAX_ATHENA_PARAMETER_CHARS - MAX_FILTER_VALUE_CHARS;
if (QUOTING_ROOM < 2) throw new Error('MAX_FILTER_VALUE_CHARS leaves no room for quoting');

/** The text a filter value counts as: its characters, plus one for each quote Athena's literal doubles. */
export function filterValueChars(text: string): number {
  let quotes = 0;
  for (const char of text) if (char === "'") quotes++;
  return text.length + quotes;
}

export const FILTER_VALUE_TOO_LONG = `is longer than ${MAX_FILTER_VALUE_CHARS} characters (a ' counts as two): Athena takes query parameters of at most ${MAX_ATHENA_PARAMETER_CHARS} characters, quotes included`;

const OPERATORS_BY_TYPE: Record<FieldType, readonly FilterOperator[]> = {
  string: ['exists', 'not exists', 'is', 'is not', 'contains', 'not contains'],
  number: ['exists', 'not exists', 'is', 'is not', 'greater than', 'less than'],
  boolean: ['exists', 'not exists', 'is', 'is not'],
  datetime: ['exists', 'not exists', 'is', 'is not', 'after', 'before', 'greater than', 'less than'],
};

/** Which filter types a top-level column accepts. */
const TYPES_BY_COLUMN_KIND: Record<ColumnKind, readonly FieldType[]> = {
  string: ['string'],
  json: ['string'],
  number: ['number'],
  datetime: ['datetime', 'number'],
  boolean: ['boolean'],
};

export function compileFilters(filters: readonly EventFilter[], dialect: Dialect): Sql {
  if (!Array.isArray(filters)) throw new ValidationError('filters must be an array');
  return and(filters.map((filter) => compileFilter(filter, dialect)));
}

/** A filter checked against the grammar: its field, operator, type and the operand coerced to it. */
export interface ResolvedFilter {
  field: ResolvedField;
  operator: FilterOperator;
  type: FieldType;
  /** Absent for exists / not exists. */
  operand?: SqlParam;
}

/** Checks one filter (a ValidationError names what is wrong); SQL and the in-memory matcher share it. */
export function resolveFilter(filter: EventFilter): ResolvedFilter {
  if (typeof filter !== 'object' || filter === null)
    throw new ValidationError('each filter must be an object');
  const field = resolveField(filter.field);
  const operator = checkOperator(filter.operator);
  const type = filterType(field, filter);
  if (!OPERATORS_BY_TYPE[type].includes(operator))
    throw new ValidationError(`operator "${operator}" does not apply to ${type} field "${filter.field}"`);
  if (operator === 'exists' || operator === 'not exists') return { field, operator, type };
  return { field, operator, type, operand: coerceValue(filter, type, field) };
}

export function compileFilter(filter: EventFilter, dialect: Dialect): Sql {
  const { field, operator, type, operand: value } = resolveFilter(filter);
  if (operator === 'exists') return presentExpression(field, dialect);
  if (operator === 'not exists') return sql`NOT ${presentExpression(field, dialect)}`;

  const expression = valueExpression(field, type, dialect);
  const operand = param(value as SqlParam);
  switch (operator) {
    case 'is':
      return sql`${expression} = ${operand}`;
    case 'is not':
      return sql`${expression} IS DISTINCT FROM ${operand}`;
    case 'contains':
      return sql`strpos(lower(${expression}), lower(${operand})) > 0`;
    case 'not contains':
      return sql`(${expression} IS NULL OR strpos(lower(${expression}), lower(${operand})) = 0)`;
    case 'greater than':
    case 'after':
      return sql`${expression} > ${operand}`;
    case 'less than':
    case 'before':
      return sql`${expression} < ${operand}`;
  }
}

function checkOperator(operator: unknown): FilterOperator {
  if (typeof operator === 'string' && (FILTER_OPERATORS as readonly string[]).includes(operator))
    return operator as FilterOperator;
  throw new ValidationError(
    `unknown filter operator "${String(operator)}": use one of ${FILTER_OPERATORS.join(', ')}`,
  );
}

/** The declared type, else the column's own, else a guess from the operator and the value. */
function filterType(field: ResolvedField, filter: EventFilter): FieldType {
  const declared = filter.type;
  if (declared !== undefined && !(FIELD_TYPES as readonly unknown[]).includes(declared))
    throw new ValidationError(
      `unknown filter type "${String(declared)}": use one of ${FIELD_TYPES.join(', ')}`,
    );
  if (field.kind === 'column') {
    const accepted = TYPES_BY_COLUMN_KIND[field.columnKind];
    if (declared === undefined) return defaultColumnType(field.columnKind, filter.operator);
    if (!accepted.includes(declared))
      throw new ValidationError(`field "${field.name}" is ${accepted[0]}, not ${declared}`);
    return declared;
  }
  if (declared !== undefined) return declared;
  if (filter.operator === 'after' || filter.operator === 'before') return 'datetime';
  if (filter.operator === 'greater than' || filter.operator === 'less than') return 'number';
  if (typeof filter.value === 'number') return 'number';
  if (typeof filter.value === 'boolean') return 'boolean';
  return 'string';
}

function defaultColumnType(kind: ColumnKind, operator: FilterOperator): FieldType {
  if (kind === 'json') return 'string';
  if (kind === 'datetime' && (operator === 'greater than' || operator === 'less than')) return 'number';
  return kind;
}

function coerceValue(filter: EventFilter, type: FieldType, field: ResolvedField): SqlParam {
  const { value } = filter;
  const invalid = () =>
    new ValidationError(
      `filter on "${filter.field}" needs a ${type} value, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  switch (type) {
    case 'string':
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        const text = String(value);
        if (filterValueChars(text) > MAX_FILTER_VALUE_CHARS)
          throw new ValidationError(`filter value on "${filter.field}" ${FILTER_VALUE_TOO_LONG}`);
        return text;
      }
      throw invalid();
    case 'number': {
      const number = toNumber(value);
      if (number === undefined) throw invalid();
      return number;
    }
    case 'datetime': {
      const epochMs = parseEpochMs(value);
      if (epochMs === undefined)
        throw new ValidationError(
          `filter on "${filter.field}" needs a datetime value, ${DATETIME_FORMATS}; got ${JSON.stringify(value) ?? 'nothing'}`,
        );
      return epochMs;
    }
    case 'boolean': {
      const flag =
        value === true || value === 'true' ? true : value === false || value === 'false' ? false : undefined;
      if (flag === undefined) throw invalid();
      // Nested JSON booleans compare as lower-case text; the boolean column compares as boolean.
      return field.kind === 'column' ? flag : String(flag);
    }
  }
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}
