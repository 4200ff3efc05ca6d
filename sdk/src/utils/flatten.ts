/**
 * Flattens a JSON-safe value into span attributes the HoneyHive way (docs/normalization.md):
 * `honeyhive_inputs.chat_history.0.role`. Bounded by a byte budget per section so one huge
 * argument cannot blow up a span.
 */
import type { AttributeValue } from '@opentelemetry/api';
import type { JsonValue } from './json-safe';

export interface FlattenOptions {
  /** Approximate bytes of keys and values per section before the rest is dropped. */
  maxBytes: number;
}

const DEFAULT_FLATTEN_OPTIONS: FlattenOptions = { maxBytes: 64 * 1024 };

export function flattenAttributes(
  prefix: string,
  value: JsonValue,
  options: FlattenOptions = DEFAULT_FLATTEN_OPTIONS,
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  let budget = options.maxBytes;
  let truncated = false;

  const put = (key: string, leaf: string | number | boolean): void => {
    const cost = key.length + (typeof leaf === 'string' ? leaf.length : 8);
    if (cost > budget) {
      truncated = true;
      return;
    }
    budget -= cost;
    out[key] = leaf;
  };

  const walk = (key: string, v: JsonValue): void => {
    if (truncated) return;
    if (v === null) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(`${key}.${i}`, item);
      });
      return;
    }
    if (typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) walk(`${key}.${k}`, item);
      return;
    }
    put(key, v);
  };

  if (value !== null && typeof value === 'object') walk(prefix, value);
  else if (value !== null) put(prefix, value);
  if (truncated) out[`${prefix}.__truncated`] = true;
  return out;
}
