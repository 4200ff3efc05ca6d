import { ValidationError } from '../errors';
import { MAX_JSON_VALUES } from '../honeyhive/limits';
import { jsonShapeExceeds } from '../json/json-nesting';
import { tooManyJsonValues } from '../json/json-values';

/** JSON nested deeper than this is refused before parsing (no legitimate event needs it). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body, refusing hostile shapes before JSON.parse can act on them: absurd
 * nesting (ValidationError), more than `maxValues` values (memory JSON.parse would spend at once, TooLargeError).
 */
export function parseJsonBody(
  bytes: Uint8Array,
  maxDepth = MAX_JSON_DEPTH,
  maxValues = MAX_JSON_VALUES,
): unknown {
  const excess = jsonShapeExceeds(bytes, { maxDepth, maxValues });
  if (excess === 'depth') throw new ValidationError(`JSON body is nested more than ${maxDepth} levels deep`);
  if (excess === 'values') throw tooManyJsonValues('JSON body', maxValues);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new ValidationError(`Body is not valid JSON: ${(error as Error).message}`);
  }
}
