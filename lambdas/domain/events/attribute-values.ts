/** Applies the attribute size cap to one decoded attribute value, recording what was cut. */
import type { AttributeValue } from '../otlp/model';
import { truncateString } from './truncate';

export interface TruncationContext {
  maxBytes: number;
  rawArchiveKey: string;
  /** Names of truncated attributes, filled as values are capped. */
  truncated: string[];
}

/** Returns the value to use: the same value when within the cap, else a truncated copy. */
export function capAttributeValue(
  name: string,
  value: AttributeValue,
  cap: TruncationContext,
): AttributeValue {
  if (typeof value === 'string') {
    const cut = truncateString(value, cap.maxBytes, cap.rawArchiveKey);
    if (cut === undefined) return value;
    cap.truncated.push(name);
    return cut;
  }
  if (Array.isArray(value)) {
    let copy: AttributeValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const element = value[i];
      if (typeof element !== 'string') continue;
      const cut = truncateString(element, cap.maxBytes, cap.rawArchiveKey);
      if (cut === undefined) continue;
      copy ??= value.slice();
      copy[i] = cut;
    }
    if (copy === undefined) return value;
    cap.truncated.push(name);
    return copy;
  }
  return value;
}
