/**
 * API keys: `wgl_` + base64url of 32 random bytes + `_` + a 6-character checksum.
 * The checksum lets tools reject a mistyped or truncated key without a registry look-up;
 * only the SHA-256 hex of the whole key string is ever stored.
 */
import { createHash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'wgl_';
const SECRET_BYTES = 32;
const CHECKSUM_LENGTH = 6;
const API_KEY_PATTERN = /^wgl_([A-Za-z0-9_-]{43})_([A-Za-z0-9_-]{6})$/;

function checksumOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url').slice(0, CHECKSUM_LENGTH);
}

/** A new random API key; show it once, store only hashApiKey(key). */
export function generateApiKey(): string {
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return `${API_KEY_PREFIX}${secret}_${checksumOf(secret)}`;
}

/** Lowercase hex SHA-256 of the full key string (the registry's lookup key). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** True when key has the Waggle format and its checksum matches (cheap pre-check, not authentication). */
export function isWellFormedApiKey(key: string): boolean {
  const match = API_KEY_PATTERN.exec(key);
  if (!match) return false;
  const [, secret, checksum] = match;
  return secret !== undefined && checksumOf(secret) === checksum;
}
