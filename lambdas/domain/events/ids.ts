/**
 * Deterministic ids: the same (trace id, span id) always yields the same event id, so a retried
 * export produces the same event and the writer can de-duplicate it.
 *
 * The ids only need to be stable and well spread, not secret, and this runs for every span, so a
 * small non-cryptographic 128-bit hash is used instead of SHA-1 (about 10x cheaper here). The
 * result is formatted as an RFC 9562 version-8 (custom) UUID.
 */
import { Buffer } from 'node:buffer';

/** Final avalanche step of MurmurHash3 (fmix32). */
function avalanche(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** The UUID is written into one reused buffer and read out once: half the cost of concatenating hex pieces. */
const uuidBytes = Buffer.from('00000000-0000-0000-0000-000000000000', 'latin1');

/** Writes the low `digits` hex digits of `n` at `at`. */
function writeHex(n: number, at: number, digits: number): void {
  let rest = n;
  for (let i = at + digits - 1; i >= at; i--) {
    uuidBytes[i] = HEX_DIGITS[rest & 15] as number;
    rest >>>= 4;
  }
}

/**
 * Hashes `tag:first:second` (without building the concatenated string) into four 32-bit
 * multiplicative lanes with different multipliers, cross-fed so they do not stay independent,
 * and formats the result as a version-8 UUID. The lanes stay in locals (no array per id).
 */
function hashToUuid(tag: number, first: string, second: string): string {
  let a = 0x9e3779b9 ^ tag;
  let b = 0x85ebca6b;
  let c = 0xc2b2ae35;
  let d = 0x27d4eb2f;
  const length = first.length + 1 + second.length;
  for (let i = 0; i < length; i++) {
    // One loop over first, the ':' separator, then second.
    const k =
      i < first.length
        ? first.charCodeAt(i)
        : i === first.length
          ? 58
          : second.charCodeAt(i - first.length - 1);
    a = Math.imul(a ^ k, 0x01000193);
    b = Math.imul(b ^ k, 0x5bd1e995);
    c = Math.imul(c ^ k, 0x1b873593);
    d = Math.imul(d ^ k, 0xcc9e2d51);
    a ^= d >>> 15;
    b ^= a >>> 13;
    c ^= b >>> 16;
    d ^= c >>> 11;
  }
  a = avalanche(a ^ length);
  b = avalanche(b + a);
  c = avalanche(c + b);
  d = avalanche(d + c);
  a = avalanche(a + d);
  const withVersion = ((b & 0xffff0fff) | 0x00008000) >>> 0; // version 8: custom
  const withVariant = ((c & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122/9562 variant
  // xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx: a, then b and c split around dashes, then d.
  writeHex(a, 0, 8);
  writeHex(withVersion >>> 16, 9, 4);
  writeHex(withVersion, 14, 4);
  writeHex(withVariant >>> 16, 19, 4);
  writeHex(withVariant, 24, 4);
  writeHex(d, 28, 8);
  return uuidBytes.toString('latin1');
}

const SPAN_TAG = 1;
const SESSION_TAG = 2;

/**
 * Event id of the span `spanId` in trace `traceId` (also used for a child's parent_id).
 * Ids are lowercase hex as the decoders produce them (otlp/model.ts).
 */
export function eventIdForSpan(traceId: string, spanId: string): string {
  return hashToUuid(SPAN_TAG, traceId, spanId);
}

/** Session id for spans that name no session: one session per trace. */
export function sessionIdForTrace(traceId: string): string {
  return hashToUuid(SESSION_TAG, traceId, '');
}

/**
 * Spans arrive grouped by trace and siblings usually follow each other, so remembering the last
 * parent and session id skips most of their hashes (ids are pure functions of their inputs).
 */
let lastParentKey = { traceId: '', spanId: '', id: '' };
let lastSessionKey = { traceId: '', id: '' };

/** eventIdForSpan of a span's parent, remembered for the next sibling. */
export function parentEventId(traceId: string, parentSpanId: string): string {
  const last = lastParentKey;
  if (last.traceId === traceId && last.spanId === parentSpanId) return last.id;
  const id = eventIdForSpan(traceId, parentSpanId);
  lastParentKey = { traceId, spanId: parentSpanId, id };
  return id;
}

/** sessionIdForTrace, remembered for the next span of the same trace. */
export function traceSessionId(traceId: string): string {
  if (lastSessionKey.traceId === traceId) return lastSessionKey.id;
  const id = sessionIdForTrace(traceId);
  lastSessionKey = { traceId, id };
  return id;
}
