/** Writing a convention's metadata section: the helpers the conventions share. */
import type { AttributeValue } from '../../otlp/model';
import type { ConventionFields } from '../convention-fields';
import type { EventType } from '../event';
import { countFromAttribute, setOwn, textFromAttribute, toJsonValue } from '../json-path';

/** Sets a metadata key; a deprecated name only fills a gap, so the current name wins in any order. */
export function metadataValue(
  fields: ConventionFields,
  key: string,
  value: unknown,
  deprecated = false,
): void {
  const metadata = fields.section('metadata');
  if (deprecated && Object.hasOwn(metadata, key)) return;
  setOwn(metadata, key, value);
}

/** Sets a metadata key to a token count read from an attribute; false when it is not one. */
export function metadataCount(
  fields: ConventionFields,
  key: string,
  value: AttributeValue,
  deprecated = false,
): boolean {
  const n = countFromAttribute(value);
  if (n === undefined) return false;
  metadataValue(fields, key, n, deprecated);
  return true;
}

/**
 * A kind-like attribute (a span kind, an operation name): its text, as `normalize` writes it, is set
 * as metadata `key`, and the event type `eventTypes` maps it to is offered as a hint at `rank`.
 * False when the value is not text.
 */
export function kindHint(
  fields: ConventionFields,
  key: string,
  value: AttributeValue,
  eventTypes: Readonly<Record<string, EventType>>,
  options: { normalize?: (text: string) => string; rank?: number } = {},
): boolean {
  const text = textFromAttribute(value);
  if (text === undefined) return false;
  const kind = options.normalize ? options.normalize(text) : text;
  metadataValue(fields, key, kind);
  const hint = eventTypes[kind];
  if (hint !== undefined) fields.offer('eventTypeHint', hint, options.rank);
  return true;
}

/**
 * An attribute a convention keeps as it is: set under the key `keys` maps it to in `section`; false
 * when `keys` does not map it.
 */
export function mappedValue(
  fields: ConventionFields,
  section: 'metadata' | 'config',
  keys: Readonly<Record<string, string>>,
  key: string,
  value: AttributeValue,
): boolean {
  const sectionKey = keys[key];
  if (sectionKey === undefined) return false;
  setOwn(fields.section(section), sectionKey, toJsonValue(value));
  return true;
}
