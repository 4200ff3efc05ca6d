import { Buffer } from 'node:buffer';

/**
 * UTF-8 text out of a request buffer. Node's Buffer#toString is the fastest way to materialise a string
 * (a native call, ASCII and UTF-8 fast paths); invalid sequences become U+FFFD instead of failing.
 */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Strings up to this many bytes are interned: attribute keys and common values repeat in every span. */
const MAX_INTERNED_BYTES = 48;
const SLOT_COUNT = 4096;

/**
 * A direct-mapped cache of recently decoded short strings. A hit returns the same string object, which
 * saves an allocation and lets V8 reuse the internalized key when it becomes a property name. A collision
 * simply replaces the slot, so the cache's size is fixed whatever the input.
 */
const slotBytes: (Uint8Array | undefined)[] = new Array(SLOT_COUNT).fill(undefined);
const slotText: string[] = new Array(SLOT_COUNT).fill('');

export function decodeUtf8(buffer: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length === 0) return '';
  if (length > MAX_INTERNED_BYTES) return buffer.toString('utf8', start, end);
  const slot = slotOf(buffer, start, end);
  const cached = slotBytes[slot];
  if (cached !== undefined && cached.length === length && sameBytes(cached, buffer, start)) {
    return slotText[slot] as string;
  }
  const text = buffer.toString('utf8', start, end);
  // A copy, not a view: the cache must neither pin nor follow the request's memory.
  const copy = new Uint8Array(length);
  buffer.copy(copy, 0, start, end);
  slotBytes[slot] = copy;
  slotText[slot] = text;
  return text;
}

/**
 * Hashes the length and a few sampled bytes (ends and middle, where keys like "gen_ai.usage.input_tokens"
 * differ) rather than every byte: a hit is confirmed by a full comparison anyway.
 */
function slotOf(buffer: Buffer, start: number, end: number): number {
  const last = end - 1;
  let hash = Math.imul(end - start, 0x9e3779b1);
  hash = Math.imul(hash ^ (buffer[start] as number), 0x01000193);
  hash = Math.imul(hash ^ (buffer[last] as number), 0x01000193);
  hash = Math.imul(hash ^ (buffer[(start + end) >>> 1] as number), 0x01000193);
  if (end - start < 3) return (hash ^ (hash >>> 16)) & (SLOT_COUNT - 1);
  hash = Math.imul(hash ^ (buffer[last - 1] as number), 0x01000193);
  hash = Math.imul(hash ^ (buffer[last - 2] as number), 0x01000193);
  hash = Math.imul(hash ^ (buffer[start + 1] as number), 0x01000193);
  return (hash ^ (hash >>> 16)) & (SLOT_COUNT - 1);
}

function sameBytes(cached: Uint8Array, buffer: Buffer, start: number): boolean {
  for (let i = 0; i < cached.length; i++) {
    if (cached[i] !== buffer[start + i]) return false;
  }
  return true;
}
