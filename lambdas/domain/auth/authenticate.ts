import { timingSafeEqual } from 'node:crypto';
import { HttpError } from '../http/errors';
import type { KeyRegistry } from '../ports';
import { hashApiKey } from './api-key';
import type { ApiKeyRecord, ApiKeyScope, Principal } from './principal';

export interface AuthenticatorOptions {
  /** How long a found key is trusted before the registry is read again (revocations take this long to bite). */
  positiveTtlMs?: number;
  /** How long an unknown key is remembered as unknown, so a flood of bad keys does not hammer the registry. */
  negativeTtlMs?: number;
  maxEntries?: number;
  clock?: () => number;
}

interface CacheEntry {
  record: ApiKeyRecord | undefined;
  expiresAt: number;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
/** Keys longer than this are not keys; refuse before hashing attacker-sized input. */
const MAX_KEY_LENGTH = 256;

export type Authenticate = (authorization: string | undefined, scope: ApiKeyScope) => Promise<Principal>;

/**
 * Resolves `Authorization: Bearer <key>` to a principal through the key registry, behind a short
 * in-memory cache. Only the SHA-256 of the key is looked up or kept; the key itself is never logged.
 */
export function createAuthenticator(registry: KeyRegistry, options: AuthenticatorOptions = {}): Authenticate {
  const positiveTtlMs = options.positiveTtlMs ?? 30_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  async function lookup(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const now = clock();
    const cached = cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached.record;
    const record = await registry.findByHash(keyHash);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(keyHash, { record, expiresAt: now + (record ? positiveTtlMs : negativeTtlMs) });
    return record;
  }

  return async (authorization, scope) => {
    const match = authorization ? BEARER.exec(authorization) : null;
    const key = match?.[1];
    if (!key || key.length > MAX_KEY_LENGTH) {
      throw new HttpError(401, 'Missing or malformed API key: send "Authorization: Bearer <api key>"', {
        'www-authenticate': 'Bearer',
      });
    }
    const keyHash = hashApiKey(key);
    const record = await lookup(keyHash);
    // The registry is addressed by hash; comparing the stored hash in constant time also guards
    // against a store that matched loosely (prefix, case) returning someone else's record.
    if (!record || !hashesEqual(record.keyHash, keyHash)) {
      throw new HttpError(401, 'Unknown API key', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (record.revoked) throw new HttpError(403, 'This API key has been revoked');
    if (!record.scopes.includes(scope)) throw new HttpError(403, `This API key lacks the "${scope}" scope`);
    return {
      org_id: record.org_id,
      workspace_id: record.workspace_id,
      project_id: record.project_id,
      projectName: record.projectName,
      scopes: record.scopes,
      keyHash,
    };
  };
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
