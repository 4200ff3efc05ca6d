import { HttpError } from '../http/errors';

/** JSON nested deeper than this is refused before parsing (no legitimate event needs it). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses a JSON request body, refusing hostile shapes with 400: invalid UTF-8 is tolerated by
 * replacement, but absurd nesting is rejected by a cheap scan before JSON.parse can recurse.
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): unknown {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const depth = jsonNestingDepth(text);
  if (depth > maxDepth)
    throw new HttpError(400, `JSON body is nested ${depth} levels deep; the limit is ${maxDepth}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `Body is not valid JSON: ${(error as Error).message}`);
  }
}

/** The deepest bracket nesting outside string literals (stops counting past a hard cap). */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return deepest;
}
