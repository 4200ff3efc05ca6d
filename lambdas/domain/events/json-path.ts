/**
 * Building JSON sections from flattened attribute paths (`chat_history.0.role`) without letting
 * attribute keys touch object prototypes or allocate huge sparse arrays.
 */
import type { AttributeValue } from '../otlp/model';
import type { JsonObject } from './event';

/** Numeric segments above this become object keys instead of array indexes (no 1e9-slot arrays). */
const MAX_ARRAY_INDEX = 10_000;

/** Assigns an own property even for keys like `__proto__`, which plain assignment would turn into a prototype change. */
export function setOwn(target: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Copies own enumerable properties of `source` into `target`, later keys winning, prototype-safe. */
export function mergeInto(target: JsonObject, source: JsonObject): void {
  for (const key of Object.keys(source)) setOwn(target, key, source[key]);
}

/** True when `segment` is a message index (`0`, `12`) a path like gen_ai.prompt.N.* must start with. */
export function isArrayIndex(segment: string | undefined): boolean {
  return segment !== undefined && arrayIndex(segment) >= 0;
}

function arrayIndex(segment: string): number {
  if (segment.length === 0 || segment.length > 5) return -1;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  if (segment.length > 1 && segment.charCodeAt(0) === 48) return -1;
  const n = Number(segment);
  return n <= MAX_ARRAY_INDEX ? n : -1;
}

type Container = JsonObject | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/**
 * Sets `value` at `segments` under `root`, creating arrays for numeric segments and objects
 * otherwise. Returns false, changing nothing, when the path conflicts with what is already there
 * (a scalar where a container is needed, an object key on an array, or a value already set).
 */
export function setPath(root: JsonObject, segments: readonly string[], value: unknown): boolean {
  if (segments.length === 0) return false;
  let node: Container = root;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    const nextIsIndex = !last && arrayIndex(segments[i + 1] as string) >= 0;
    if (Array.isArray(node)) {
      const index = arrayIndex(segment);
      if (index < 0) return false;
      const existing: unknown = node[index];
      if (last) {
        if (existing !== undefined) return false;
        node[index] = value;
        return true;
      }
      if (existing === undefined) {
        const created: Container = nextIsIndex ? [] : {};
        node[index] = created;
        node = created;
      } else if (isContainer(existing)) {
        node = existing;
      } else {
        return false;
      }
    } else {
      const existing: unknown = Object.hasOwn(node, segment) ? node[segment] : undefined;
      if (last) {
        if (existing !== undefined) return false;
        setOwn(node, segment, value);
        return true;
      }
      if (existing === undefined) {
        const created: Container = nextIsIndex ? [] : {};
        setOwn(node, segment, created);
        node = created;
      } else if (isContainer(existing)) {
        node = existing;
      } else {
        return false;
      }
    }
  }
  return false;
}

/** Enough for every attribute name a real instrumentation uses; hostile key floods just restart the cache. */
const MAX_CACHED_PATHS = 1024;

/**
 * A function giving the path of a flattened attribute key: `key` without its first `prefixLength`
 * characters, split on `.`, after the optional `lead` segment. Attribute names repeat in every
 * span, so each key's path is built once and shared (callers must not modify it).
 */
export function keyPaths(prefixLength: number, lead?: string): (key: string) => readonly string[] {
  const cache = new Map<string, readonly string[]>();
  return (key) => {
    let path = cache.get(key);
    if (path === undefined) {
      const segments = key.slice(prefixLength).split('.');
      path = lead === undefined ? segments : [lead, ...segments];
      if (cache.size >= MAX_CACHED_PATHS) cache.clear();
      cache.set(key, path);
    }
    return path;
  };
}

/** Parses a JSON string; undefined when it is not JSON. Cheap first-character check avoids try/catch on plain text. */
export function parseJson(text: string): unknown {
  const first = text.charCodeAt(0);
  // { [ " digits - t f n: anything else cannot start a JSON document.
  if (
    first !== 123 &&
    first !== 91 &&
    first !== 34 &&
    first !== 45 &&
    !(first >= 48 && first <= 57) &&
    first !== 116 &&
    first !== 102 &&
    first !== 110
  ) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON object from an attribute that is either a JSON string of an object or already a map. */
export function objectFromAttribute(value: AttributeValue): JsonObject | undefined {
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    return isPlainObject(parsed) ? parsed : undefined;
  }
  return isPlainObject(value) ? value : undefined;
}

/** A JSON array from an attribute that is either a JSON string of an array or already a list. */
export function arrayFromAttribute(value: AttributeValue): unknown[] | undefined {
  if (typeof value === 'string') {
    const parsed = parseJson(value);
    return Array.isArray(parsed) ? parsed : undefined;
  }
  return Array.isArray(value) ? value : undefined;
}

/** A non-empty string attribute; undefined for anything else. */
export function textFromAttribute(value: AttributeValue): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An attribute as JSON: a string that parses as JSON is parsed (else kept as it is), anything else made JSON-safe. */
export function jsonFromAttribute(value: AttributeValue): unknown {
  if (typeof value === 'string') return parseJson(value) ?? value;
  return toJsonValue(value);
}

/**
 * A non-negative token count from an attribute: numbers, or decimal strings (the decoder turns
 * int64 values beyond 2^53 into strings). Undefined for anything else.
 */
export function countFromAttribute(value: AttributeValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && value !== '') {
    const n = Number(value);
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  }
  return undefined;
}

/** A finite number (cost, temperature) from a number or numeric string. */
export function numberFromAttribute(value: AttributeValue): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Makes a decoded attribute value safe for JSON: non-finite numbers (NaN, Infinity from doubles)
 * become their string names instead of silently turning into null.
 */
export function toJsonValue(value: AttributeValue): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: JsonObject = {};
  for (const key of Object.keys(value)) setOwn(out, key, toJsonValue(value[key] as AttributeValue));
  return out;
}
