/**
 * SQL expressions for allow-listed fields over the filtered relation, where `v` is the event row and
 * `s` the row of its session event (LEFT JOIN, so possibly all NULL). Nested metadata.* and
 * user_properties.* fall back to the session event's value, the same inheritance reads apply.
 */
import type { Dialect } from './dialect';
import { INHERITED_SECTIONS, type ResolvedField } from './fields';
import { raw, type Sql, sql } from './sql';
import type { FieldType } from './types';

export const EVENT_ALIAS = 'v';
export const SESSION_ALIAS = 's';

export function eventColumn(name: string): Sql {
  return raw(`${EVENT_ALIAS}.${name}`);
}

function sessionColumn(name: string): Sql {
  return raw(`${SESSION_ALIAS}.${name}`);
}

/** The field's value as text (for string comparisons and grouping). */
export function textExpression(field: ResolvedField, dialect: Dialect): Sql {
  if (field.kind === 'column') {
    const column = eventColumn(field.name);
    return field.columnKind === 'string' || field.columnKind === 'json'
      ? column
      : sql`CAST(${column} AS VARCHAR)`;
  }
  const own = dialect.jsonText(eventColumn(field.section), field.path);
  if (!INHERITED_SECTIONS.has(field.section)) return own;
  return sql`coalesce(${own}, ${dialect.jsonText(sessionColumn(field.section), field.path)})`;
}

/** The field's value as a number (numbers, epoch-ms datetimes); NULL when it is not one. */
export function numberExpression(field: ResolvedField, dialect: Dialect): Sql {
  if (field.kind === 'column') return sql`CAST(${eventColumn(field.name)} AS DOUBLE)`;
  return dialect.toDouble(textExpression(field, dialect));
}

/** The field's value as lower-case 'true' / 'false' text for nested JSON, or the boolean column. */
export function booleanExpression(field: ResolvedField, dialect: Dialect): Sql {
  if (field.kind === 'column') return eventColumn(field.name);
  return sql`lower(${textExpression(field, dialect)})`;
}

export function valueExpression(field: ResolvedField, type: FieldType, dialect: Dialect): Sql {
  switch (type) {
    case 'string':
      return textExpression(field, dialect);
    case 'boolean':
      return booleanExpression(field, dialect);
    case 'number':
    case 'datetime':
      return numberExpression(field, dialect);
  }
}

/** TRUE when the field holds a value: not NULL, and for JSON text not an empty object or array. */
export function presentExpression(field: ResolvedField, dialect: Dialect): Sql {
  if (field.kind === 'column') {
    const column = eventColumn(field.name);
    return field.columnKind === 'json'
      ? sql`(${column} IS NOT NULL AND ${column} NOT IN ('', '{}', '[]'))`
      : sql`${column} IS NOT NULL`;
  }
  const own = dialect.jsonPresent(eventColumn(field.section), field.path);
  if (!INHERITED_SECTIONS.has(field.section)) return own;
  return sql`(${own} OR ${dialect.jsonPresent(sessionColumn(field.section), field.path)})`;
}
