/**
 * Cheap pre-parse guards against hostile JSON: whether objects/arrays nest deeper than a limit, so bodies
 * like "[[[[...]]]]" are refused before JSON.parse allocates them or a recursive walk of the result runs
 * out of stack, and whether the text holds more values than a limit, so "[{},{},...]" is refused before
 * JSON.parse materialises millions of objects at once. Brackets and commas inside strings do not count.
 * It does not validate the JSON: text that is not JSON is left for the parser to reject.
 */
export function jsonNestingExceeds(json: string | Uint8Array, maxDepth: number): boolean {
  return jsonShapeExceeds(json, { maxDepth, maxValues: Number.POSITIVE_INFINITY }) === 'depth';
}

interface JsonShapeLimits {
  maxDepth: number;
  /**
   * Most values: each object and array counts, and each comma-separated member or item after the
   * first (so `[1,2,3]` is 3, `{"a":{}}` 2). Scalars at the top level or alone in a container are free.
   */
  maxValues: number;
}

/** Which limit the text passes first, or undefined when it stays within both. */
export function jsonShapeExceeds(
  json: string | Uint8Array,
  limits: JsonShapeLimits,
): 'depth' | 'values' | undefined {
  return typeof json === 'string' ? textShapeExceeds(json, limits) : bytesShapeExceeds(json, limits);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** UTF-8 bytes: a plain byte loop (multi-byte sequences never contain ASCII bytes, so they cannot confuse it). */
function bytesShapeExceeds(
  bytes: Uint8Array,
  { maxDepth, maxValues }: JsonShapeLimits,
): 'depth' | 'values' | undefined {
  let depth = 0;
  let values = 0;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      for (i++; i < length; i++) {
        const inString = bytes[i] as number;
        if (inString === QUOTE) break;
        if (inString === BACKSLASH) i++; // the escaped character cannot close the string
      }
    } else if (byte === COMMA) {
      if (++values > maxValues) return 'values';
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return 'depth';
      if (++values > maxValues) return 'values';
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return undefined;
}

/** Strings: indexOf jumps over string contents much faster than a charCodeAt loop. */
function textShapeExceeds(
  text: string,
  { maxDepth, maxValues }: JsonShapeLimits,
): 'depth' | 'values' | undefined {
  let depth = 0;
  let values = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const closing = closingQuoteIndex(text, i);
      if (closing === -1) return undefined; // unterminated string: the parser will reject the text
      i = closing;
    } else if (code === COMMA) {
      if (++values > maxValues) return 'values';
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return 'depth';
      if (++values > maxValues) return 'values';
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return undefined;
}

/** Index of the quote closing the string opened at `open`, or -1 when the string never closes. */
function closingQuoteIndex(text: string, open: number): number {
  let candidate = open;
  for (;;) {
    candidate = text.indexOf('"', candidate + 1);
    if (candidate === -1) return -1;
    // A quote preceded by an odd number of backslashes is escaped.
    let backslashes = 0;
    while (text.charCodeAt(candidate - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return candidate;
  }
}
