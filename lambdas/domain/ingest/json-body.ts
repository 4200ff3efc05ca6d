import { HttpError } from '../http/errors';
import { jsonNestingExceeds } from '../http/json-nesting';

/** JSON nested deeper than this is refused before parsing (no legitimate event needs it). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body, refusing hostile shapes with 400: absurd nesting is rejected by a
 * cheap scan before JSON.parse can recurse into it.
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonNestingExceeds(bytes, maxDepth)) {
    throw new HttpError(400, `JSON body is nested more than ${maxDepth} levels deep`);
  }
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new HttpError(400, `Body is not valid JSON: ${(error as Error).message}`);
  }
}
