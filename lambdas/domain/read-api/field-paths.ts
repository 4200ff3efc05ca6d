/**
 * Field names in read requests (filters, group-by, chart metrics, projections), checked against the
 * query layer's allow-list (../query/fields.ts, the one list the SQL compiler trusts) so that a bad
 * name comes back as a ValidationError that says where in the request it was.
 */

import { ValidationError } from '../errors';
import { invalidField } from '../honeyhive/fields';
import { resolveField, resolveProjection } from '../query/fields';
import type { FieldType } from '../query/types';

export interface FieldRef {
  /** The path as the client wrote it, e.g. `metadata.user.tier`. */
  path: string;
  /** The top-level column's filter type (JSON section columns compare as text); undefined for nested paths. */
  columnType: FieldType | undefined;
  nested: boolean;
}

/** Parses and checks a field name; throws a ValidationError naming `where` when it is not readable. */
export function parseFieldRef(value: unknown, where: string): FieldRef {
  const field = withLocation(where, () => resolveField(value));
  if (field.kind === 'nested') return { path: value as string, columnType: undefined, nested: true };
  const columnType = field.columnKind === 'json' ? 'string' : field.columnKind;
  return { path: field.name, columnType, nested: false };
}

export function parseProjectionName(value: unknown, where: string): string {
  return withLocation(where, () => resolveProjection(value));
}

/** Re-labels the allow-list's refusal with the request location (`filters[2].field`). */
function withLocation<T>(where: string, resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (error instanceof ValidationError) throw invalidField(where, `is not readable: ${error.message}`);
    throw error;
  }
}
