/**
 * Encodes captured values as the `honeyhive_*` span attributes the ingest normalizer reads
 * (docs/normalization.md): redact, make JSON-safe, flatten. Never throws: a value that cannot be
 * encoded is dropped rather than breaking the traced call.
 */
import type { Attributes } from '@opentelemetry/api';
import { flattenAttributes } from '../utils/flatten';
import { DEFAULT_JSON_SAFE_LIMITS, type JsonValue, toJsonSafe } from '../utils/json-safe';

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
  /** `honeyhive_<section>.<path>` attributes for a value. */
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
  return {
    json,
    section(section, value) {
      return flattenAttributes(`honeyhive_${section}`, json(value), { maxBytes });
    },
  };
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
