/**
 * Turns any value captured from user code into a JSON-safe value with bounded size. Runs on the
 * hot path for every traced call, so it walks the value once and never throws.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonSafeLimits {
  /** Nesting below this depth is replaced by a marker. */
  maxDepth: number;
  /** Strings longer than this are cut, with a marker saying how much was dropped. */
  maxStringLength: number;
  /** Array items and object keys beyond this are dropped, with a marker. */
  maxItems: number;
}

export const DEFAULT_JSON_SAFE_LIMITS: JsonSafeLimits = {
  maxDepth: 8,
  maxStringLength: 16_384,
  maxItems: 200,
};

function cut(s: string, limits: JsonSafeLimits): string {
  if (s.length <= limits.maxStringLength) return s;
  return `${s.slice(0, limits.maxStringLength)}...[truncated ${s.length - limits.maxStringLength} chars]`;
}

function isBinary(value: object): value is ArrayBufferView | ArrayBuffer {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

function binaryMarker(value: ArrayBufferView | ArrayBuffer): string {
  const kind = typeof Buffer !== 'undefined' && Buffer.isBuffer(value) ? 'Buffer' : value.constructor.name;
  return `[${kind} ${value.byteLength} bytes]`;
}

export function toJsonSafe(value: unknown, limits: JsonSafeLimits = DEFAULT_JSON_SAFE_LIMITS): JsonValue {
  // Ancestors only (not every object seen), so a shared sub-object is kept while a cycle is cut.
  const ancestors = new Set<object>();

  const walk = (v: unknown, depth: number): JsonValue => {
    switch (typeof v) {
      case 'string':
        return cut(v, limits);
      case 'number':
        return Number.isFinite(v) ? v : String(v);
      case 'boolean':
        return v;
      case 'bigint':
        return v.toString();
      case 'undefined':
        return null;
      case 'symbol':
        return v.toString();
      case 'function':
        return `[Function ${v.name || 'anonymous'}]`;
    }
    if (v === null) return null;
    const obj = v as object;
    if (ancestors.has(obj)) return '[Circular]';
    if (depth >= limits.maxDepth) return '[MaxDepth]';
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    if (isBinary(obj)) return binaryMarker(obj);
    if (obj instanceof RegExp) return obj.toString();
    if (obj instanceof Promise) return '[Promise]';
    ancestors.add(obj);
    try {
      if (obj instanceof Error) return errorObject(obj, walk, depth);
      if (Array.isArray(obj) || obj instanceof Set) return walkList([...obj], walk, depth, limits);
      if (obj instanceof Map) return walkEntries([...obj.entries()], walk, depth, limits);
      const toJSON = (obj as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return walk(toJSON.call(obj), depth + 1);
      return walkEntries(Object.entries(obj), walk, depth, limits);
    } catch {
      // A throwing getter or toJSON must not break the traced call.
      return '[Unserializable]';
    } finally {
      ancestors.delete(obj);
    }
  };
  try {
    return walk(value, 0);
  } catch {
    return '[Unserializable]';
  }
}

type Walk = (v: unknown, depth: number) => JsonValue;

function walkList(items: unknown[], walk: Walk, depth: number, limits: JsonSafeLimits): JsonValue[] {
  const out = items.slice(0, limits.maxItems).map((item) => walk(item, depth + 1));
  if (items.length > limits.maxItems) out.push(`[${items.length - limits.maxItems} more items]`);
  return out;
}

function walkEntries(
  entries: [unknown, unknown][],
  walk: Walk,
  depth: number,
  limits: JsonSafeLimits,
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  let kept = 0;
  for (const [k, item] of entries) {
    if (item === undefined) continue;
    if (kept === limits.maxItems) {
      out['[truncated]'] = `${entries.length - kept} more keys`;
      break;
    }
    out[String(k)] = walk(item, depth + 1);
    kept += 1;
  }
  return out;
}

function errorObject(err: Error, walk: Walk, depth: number): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = { name: err.name, message: err.message };
  if (err.stack) out.stack = walk(err.stack, depth + 1);
  if (err.cause !== undefined) out.cause = walk(err.cause, depth + 1);
  return out;
}
