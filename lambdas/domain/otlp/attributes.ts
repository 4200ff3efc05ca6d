import type { Attributes, AttributeValue } from './model';

/** AnyValue nesting (arrays and kvlists inside each other) deeper than this is rejected as hostile. */
export const MAX_ANY_VALUE_DEPTH = 32;

/**
 * Sets a decoded attribute; a repeated key keeps its last value, as OTLP receivers do.
 * "__proto__" is defined as an own property so a hostile key cannot replace the record's prototype.
 */
export function setAttribute(attributes: Attributes, key: string, value: AttributeValue): void {
  if (key === '__proto__') {
    Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    attributes[key] = value;
  }
}
