/**
 * Deterministic ids: the same (trace id, span id) always yields the same event id, so a retried
 * export produces the same event and the writer can de-duplicate it.
 *
 * The ids only need to be stable and well spread, not secret, and this runs for every span, so a
 * small non-cryptographic 128-bit hash is used instead of SHA-1 (about 10x cheaper here). The
 * result is formatted as an RFC 9562 version-8 (custom) UUID.
 */

/** Final avalanche step of MurmurHash3 (fmix32). */
function avalanche(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Four 32-bit multiplicative lanes with different multipliers, cross-fed so they do not stay
 * independent. Hashes `tag:first:second` without building the concatenated string.
 */
function hash128(tag: number, first: string, second: string): [number, number, number, number] {
  let a = 0x9e3779b9 ^ tag;
  let b = 0x85ebca6b;
  let c = 0xc2b2ae35;
  let d = 0x27d4eb2f;
  const length = first.length + 1 + second.length;
  for (let i = 0; i < length; i++) {
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
  return [a, b, c, d];
}

/** Two hex digits per byte value: a table lookup is several times faster than toString(16) + padStart. */
const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

function hex8(n: number): string {
  return (
    (BYTE_HEX[n >>> 24] as string) +
    (BYTE_HEX[(n >>> 16) & 0xff] as string) +
    (BYTE_HEX[(n >>> 8) & 0xff] as string) +
    (BYTE_HEX[n & 0xff] as string)
  );
}

function uuidFromHash([a, b, c, d]: [number, number, number, number]): string {
  const withVersion = ((b & 0xffff0fff) | 0x00008000) >>> 0; // version 8: custom
  const withVariant = ((c & 0x3fffffff) | 0x80000000) >>> 0; // RFC 4122/9562 variant
  const h = hex8(withVersion);
  const v = hex8(withVariant);
  return `${hex8(a)}-${h.slice(0, 4)}-${h.slice(4)}-${v.slice(0, 4)}-${v.slice(4)}${hex8(d)}`;
}

const SPAN_TAG = 1;
const SESSION_TAG = 2;

/**
 * Event id of the span `spanId` in trace `traceId` (also used for a child's parent_id).
 * Ids are lowercase hex as the decoders produce them (otlp/model.ts).
 */
export function eventIdForSpan(traceId: string, spanId: string): string {
  return uuidFromHash(hash128(SPAN_TAG, traceId, spanId));
}

/** Session id for spans that name no session: one session per trace. */
export function sessionIdForTrace(traceId: string): string {
  return uuidFromHash(hash128(SESSION_TAG, traceId, ''));
}
