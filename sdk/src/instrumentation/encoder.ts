/**
 * Encodes captured values as the `honeyhive_*` span attributes the ingest normalizer reads
 * (docs/normalization.md): redact, make JSON-safe, flatten. Never throws: a value that cannot be
 * encoded is dropped rather than breaking the traced call.
 */
import type { Attributes } from '@opentelemetry/api';
import { flattenAttributes } from '../utils/flatten';
import { DEFAULT_JSON_SAFE_LIMITS, type JsonValue, toJsonSafe } from '../utils/json-safe';
import { type FlatLeafRedactor, flatLeafRedactor } from '../utils/redaction';

export type Section =
  | 'inputs'
  | 'outputs'
  | 'config'
  | 'metadata'
  | 'metrics'
  | 'feedback'
  | 'user_properties';

export interface Encoder {
  /** JSON-safe, redacted copy of a captured value. */
  json(value: unknown): JsonValue;
  /** `honeyhive_<section>.<path>` attributes for a value, in a fresh object the caller may keep. */
  section(section: Section, value: unknown): Attributes;
}

export interface EncoderOptions {
  redact?: (value: unknown) => unknown;
  /** Byte budget per section (keys plus values). */
  maxSectionBytes?: number;
}

export function createEncoder(options: EncoderOptions = {}): Encoder {
  const redact = options.redact;
  const maxBytes = options.maxSectionBytes ?? 64 * 1024;
  const json = (value: unknown): JsonValue => {
    const safe = toJsonSafe(value, DEFAULT_JSON_SAFE_LIMITS);
    if (redact === undefined) return safe;
    try {
      // Redaction sees JSON-safe data, so a redactor never meets cycles or BigInts.
      return toJsonSafe(redact(safe), DEFAULT_JSON_SAFE_LIMITS);
    } catch {
      return '[redaction failed]';
    }
  };
  const general = (prefix: string, value: unknown): Attributes =>
    flattenAttributes(prefix, json(value), { maxBytes });
  // Flat plain objects (enrichment, arguments by name, { result }) skip the copy-redact-copy-flatten
  // walks when redaction is none or a createRedactor one without a custom hook: same attributes.
  const leaf: FlatLeafRedactor | undefined = redact === undefined ? undefined : flatLeafRedactor(redact);
  return {
    json,
    section(section, value) {
      const keys = sectionKeys(section);
      const prefix = keys.prefix;
      if (redact === undefined || leaf !== undefined) {
        const fast = flatSection(keys, value, leaf, maxBytes, general);
        if (fast !== undefined) return fast;
      }
      return general(prefix, value);
    },
  };
}

/**
 * The attributes `flattenAttributes(prefix, json(value))` gives for a plain object whose values are
 * all primitives, in one pass; undefined (before reading any property) when the value is not such an
 * object. Mirrors toJsonSafe (undefined dropped, strings cut, non-finite numbers as strings), the
 * redactor (per key and string) and flattenAttributes (null dropped, byte budget, __truncated).
 */
function flatSection(
  keys: SectionKeys,
  value: unknown,
  /** undefined: no redaction (then json() makes one JSON-safe pass, so strings are cut once). */
  leaf: FlatLeafRedactor | undefined,
  maxBytes: number,
  general: (prefix: string, value: unknown) => Attributes,
): Attributes | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prefix = keys.prefix;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  let entries: [string, unknown][];
  try {
    entries = Object.entries(value);
  } catch {
    // A throwing getter: the general path would make the whole value this marker.
    return general(prefix, '[Unserializable]');
  }
  // Properties were read once; anything unusual continues on a copy of what was read (no closure
  // for that: this runs for every section of every traced call).
  if (entries.length > DEFAULT_JSON_SAFE_LIMITS.maxItems) return general(prefix, Object.fromEntries(entries));
  const out: Attributes = {};
  let budget = maxBytes;
  let truncated = false;
  for (const [key, raw] of entries) {
    if (key === '__proto__') return general(prefix, Object.fromEntries(entries));
    let v: string | number | boolean | null;
    switch (typeof raw) {
      case 'undefined':
        continue;
      case 'string':
        v = cutString(raw);
        break;
      case 'number':
        v = Number.isFinite(raw) ? raw : String(raw);
        break;
      case 'boolean':
        v = raw;
        break;
      case 'object':
        if (raw !== null) return general(prefix, Object.fromEntries(entries));
        v = null;
        break;
      default:
        return general(prefix, Object.fromEntries(entries));
    }
    if (truncated) continue;
    let redacted = v;
    if (leaf !== undefined) {
      // json() makes the redactor's output JSON-safe again: a string is cut a second time.
      redacted = leaf(key, v);
      if (typeof redacted === 'string') redacted = cutString(redacted);
    }
    if (redacted === null) continue;
    const attribute = keys.key(key);
    const cost = attribute.length + (typeof redacted === 'string' ? redacted.length : 8);
    if (cost > budget) {
      truncated = true;
      continue;
    }
    budget -= cost;
    out[attribute] = redacted;
  }
  if (truncated) out[`${prefix}.__truncated`] = true;
  return out;
}

/** Attribute names of one section: `honeyhive_<section>.<key>`, built once per key (bounded cache). */
interface SectionKeys {
  readonly prefix: string;
  key(key: string): string;
}

/** Keys remembered per section; beyond this, names are built per call as before. */
export const MAX_CACHED_KEYS_PER_SECTION = 1_024;

const SECTION_KEYS = new Map<string, SectionKeys>();

function sectionKeys(section: Section): SectionKeys {
  let keys = SECTION_KEYS.get(section);
  if (keys === undefined) {
    const prefix = `honeyhive_${section}`;
    const names = new Map<string, string>();
    keys = {
      prefix,
      key(key) {
        let name = names.get(key);
        if (name === undefined) {
          name = `${prefix}.${key}`;
          if (names.size < MAX_CACHED_KEYS_PER_SECTION) names.set(key, name);
        }
        return name;
      },
    };
    SECTION_KEYS.set(section, keys);
  }
  return keys;
}

function cutString(s: string): string {
  const max = DEFAULT_JSON_SAFE_LIMITS.maxStringLength;
  return s.length <= max ? s : `${s.slice(0, max)}...[truncated ${s.length - max} chars]`;
}

export const ATTR = {
  eventType: 'honeyhive_event_type',
  eventName: 'honeyhive_event_name',
  sessionId: 'honeyhive_session_id',
  sessionName: 'honeyhive_session_name',
  project: 'honeyhive_project',
  source: 'honeyhive_source',
  error: 'honeyhive_error',
} as const;
