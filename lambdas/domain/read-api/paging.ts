/** `limit`, `page` and `projections` of the export routes, from a JSON body or from query text. */
import { describeType, invalidField } from '../honeyhive/fields';
import { DEFAULT_EXPORT_LIMIT, MAX_EXPORT_LIMIT } from '../query/types';
import { parseProjectionName } from './field-paths';
import { decodeJson } from './filters';

/** Pages past this are a scan of the whole project; a client wanting that should narrow the dateRange. */
export const MAX_PAGE = 100_000;
const MAX_PROJECTIONS = 64;

export function parseLimit(value: unknown, where = 'limit'): number {
  if (isAbsent(value)) return DEFAULT_EXPORT_LIMIT;
  const limit = positiveInteger(value, where);
  if (limit > MAX_EXPORT_LIMIT) throw invalidField(where, `must be at most ${MAX_EXPORT_LIMIT}`);
  return limit;
}

export function parsePage(value: unknown, where = 'page'): number {
  if (isAbsent(value)) return 1;
  const page = positiveInteger(value, where);
  if (page > MAX_PAGE) throw invalidField(where, `must be at most ${MAX_PAGE}`);
  return page;
}

/**
 * Top-level field names to return: a list, a JSON-encoded list, or comma-separated text. Absent or
 * empty means every field. Duplicates collapse.
 */
export function parseProjections(value: unknown, where = 'projections'): string[] | undefined {
  if (isAbsent(value)) return undefined;
  let list = value;
  if (typeof value === 'string') {
    list = value.trim().startsWith('[')
      ? decodeJson(value, where)
      : value.split(',').map((name) => name.trim());
  }
  if (!Array.isArray(list))
    throw invalidField(where, `must be a list of field names, got ${describeType(list)}`);
  if (list.length > MAX_PROJECTIONS) throw invalidField(where, `lists more than ${MAX_PROJECTIONS} fields`);
  const names = list.map((name, index) => parseProjectionName(name, `${where}[${index}]`));
  return names.length === 0 ? undefined : [...new Set(names)];
}

/** A boolean flag from JSON or query text ("true"/"false"); undefined when absent. */
export function parseFlag(value: unknown, where: string): boolean | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw invalidField(where, 'must be true or false');
}

function positiveInteger(value: unknown, where: string): number {
  const number = typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw invalidField(
      where,
      `must be a positive integer, got ${typeof value === 'string' ? `"${value.slice(0, 40)}"` : describeType(value)}`,
    );
  }
  return number;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
