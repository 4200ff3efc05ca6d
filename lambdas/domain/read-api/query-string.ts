/**
 * A raw query string -> a plain structure, the way Express's qs reads it (HoneyHive's own server):
 * `a=1&a=2` is a list, `dateRange[$gte]=...` an object, `filters[0][field]=...` a list of objects.
 * Bounded (parameter count, bracket depth, list index) so a hostile URL costs nothing much, and
 * prototype keys are refused so no parsed name can reach Object.prototype.
 */
import { invalidField } from '../honeyhive/fields';

export const MAX_QUERY_PARAMETERS = 200;
const MAX_BRACKET_DEPTH = 4;
const MAX_LIST_INDEX = 199;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };
export type QueryParameters = Record<string, QueryValue>;

export function parseQueryString(raw: string | undefined): QueryParameters {
  const root: QueryParameters = {};
  if (!raw) return root;
  let count = 0;
  for (const [name, value] of new URLSearchParams(raw)) {
    if (++count > MAX_QUERY_PARAMETERS) {
      throw invalidField('query string', `has more than ${MAX_QUERY_PARAMETERS} parameters`);
    }
    assign(root, splitName(name), value, name);
  }
  return listsFromIndexes(root) as QueryParameters;
}

/** `filters[0][field]` -> ['filters', '0', 'field']; `a[]` -> ['a', '']. */
function splitName(name: string): string[] {
  const open = name.indexOf('[');
  if (open <= 0 || !name.endsWith(']')) return [name];
  const keys = name.slice(open + 1, -1).split('][');
  if (keys.length > MAX_BRACKET_DEPTH || keys.some((key) => key.includes('[') || key.includes(']'))) {
    throw invalidField(name, `nests more than ${MAX_BRACKET_DEPTH} brackets or is malformed`);
  }
  return [name.slice(0, open), ...keys];
}

function assign(target: Record<string, QueryValue>, path: string[], value: string, name: string): void {
  const [key, ...rest] = path as [string, ...string[]];
  if (FORBIDDEN_KEYS.has(key)) throw invalidField(name, 'uses a reserved name');
  if (key !== '' && /^\d+$/.test(key) && Number(key) > MAX_LIST_INDEX) {
    throw invalidField(name, `has a list index above ${MAX_LIST_INDEX}`);
  }
  // `a[]=x` appends: give it the next free index.
  const slot = key === '' ? String(Object.keys(target).length) : key;
  const existing = Object.hasOwn(target, slot) ? target[slot] : undefined;
  if (rest.length === 0) {
    if (existing === undefined) target[slot] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else if (typeof existing === 'string') target[slot] = [existing, value];
    else throw invalidField(name, 'is given both as a value and as an object');
    return;
  }
  if (existing === undefined) {
    const child: Record<string, QueryValue> = {};
    target[slot] = child;
    assign(child, rest, value, name);
  } else if (typeof existing === 'object' && !Array.isArray(existing)) {
    assign(existing, rest, value, name);
  } else {
    throw invalidField(name, 'is given both as a value and as an object');
  }
}

/** Objects whose keys are all list indexes become lists, in index order. */
function listsFromIndexes(value: QueryValue): QueryValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(listsFromIndexes);
  const keys = Object.keys(value);
  const converted: Record<string, QueryValue> = {};
  for (const key of keys) converted[key] = listsFromIndexes(value[key] as QueryValue);
  if (keys.length === 0 || !keys.every((key) => /^\d+$/.test(key))) return converted;
  return keys
    .map(Number)
    .sort((a, b) => a - b)
    .map((index) => converted[String(index)] as QueryValue);
}
