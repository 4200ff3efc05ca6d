/**
 * A cheap pre-parse guard against hostile JSON: reports whether objects/arrays nest deeper than a limit,
 * so bodies like "[[[[...]]]]" are refused before JSON.parse allocates them or a recursive walk of the
 * result runs out of stack. Brackets inside strings do not count. It does not validate the JSON: text
 * that is not JSON is left for the parser to reject.
 */
export function jsonNestingExceeds(json: string | Uint8Array, maxDepth: number): boolean {
  return typeof json === 'string' ? textNestingExceeds(json, maxDepth) : bytesNestingExceeds(json, maxDepth);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** UTF-8 bytes: a plain byte loop (multi-byte sequences never contain ASCII bytes, so they cannot confuse it). */
function bytesNestingExceeds(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  const length = bytes.length;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i] as number;
    if (byte === QUOTE) {
      for (i++; i < length; i++) {
        const inString = bytes[i] as number;
        if (inString === QUOTE) break;
        if (inString === BACKSLASH) i++; // the escaped character cannot close the string
      }
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/** Strings: indexOf jumps over string contents much faster than a charCodeAt loop. */
function textNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const closing = closingQuoteIndex(text, i);
      if (closing === -1) return false; // unterminated string: the parser will reject the text
      i = closing;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
      if (depth > maxDepth) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
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
