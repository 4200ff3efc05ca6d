import { createHash } from 'node:crypto';

/**
 * A sequence of UUID-formatted ids derived from a seed (the request id). Ids the server assigns to
 * events that came without one are therefore the same when an archived request is replayed, so a
 * replay overwrites (newer version) instead of duplicating.
 */
export function deterministicIds(seed: string): () => string {
  let counter = 0;
  return () => uuidFromHash(`${seed}:${counter++}`);
}

/** An RFC 9562 version-8 (custom) UUID built from the first 16 bytes of SHA-256(input). */
export function uuidFromHash(input: string): string {
  const bytes = createHash('sha256').update(input).digest();
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
