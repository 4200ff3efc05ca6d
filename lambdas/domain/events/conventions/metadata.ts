/** Writing a convention's metadata section: the helpers the conventions share. */
import type { AttributeValue } from '../../otlp/model';
import type { ConventionFields } from '../convention-fields';
import { countFromAttribute, setOwn } from '../json-path';

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
