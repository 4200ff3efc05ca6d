import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '../errors';
import type { KeyRegistry } from '../ports';
import { API_KEY_PREFIX, hashApiKey, isWellFormedApiKey } from './api-key';
import { CredentialRejected } from './credential-rejected';
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
/** Length of `wgl_` plus an issued key's 43-character secret. */
const ISSUED_SECRET_END = API_KEY_PREFIX.length + 43;

/**
 * Failures that say "wrong key" are CredentialRejected, for the brute-force guard of the request
 * authenticator (authenticate-request.ts) to count; this function does no counting itself.
 */
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

  async function lookup(keyHash: string, now: number): Promise<ApiKeyRecord | undefined> {
    const cached = cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached.record;
    const record = await registry.findByHash(keyHash);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(keyHash, { record, expiresAt: now + (record ? positiveTtlMs : negativeTtlMs) });
    return record;
  }

  return async (authorization, scope) => {
    const now = clock();
    const key = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!key || key.length > MAX_KEY_LENGTH) {
      throw new CredentialRejected(
        'unauthorized',
        'Missing or malformed API key: send "Authorization: Bearer <api key>"',
        'required',
      );
    }
    if (claimsIssuedFormat(key) && !isWellFormedApiKey(key)) {
      throw new CredentialRejected('unauthorized', 'Malformed API key (bad checksum)', 'invalid');
    }
    const keyHash = hashApiKey(key);
    const record = await lookup(keyHash, now);
    // The registry is addressed by hash; comparing the stored hash in constant time also guards
    // against a store that matched loosely (prefix, case) returning someone else's record.
    if (!record || !hashesEqual(record.keyHash, keyHash)) {
      throw new CredentialRejected('unauthorized', 'Unknown API key', 'invalid');
    }
    if (record.revoked) throw new CredentialRejected('forbidden', 'This API key has been revoked');
    // Checked on every call against the clock, so a cached record never outlives its expiry.
    if (record.expiresAt !== undefined && now >= record.expiresAt) {
      throw new CredentialRejected('forbidden', 'This API key has expired');
    }
    if (!record.scopes.includes(scope)) throw new ForbiddenError(`This API key lacks the "${scope}" scope`);
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

/**
 * Issued keys are `wgl_` + 43 + `_` + 6 characters with a checksum. A `wgl_` value at least as long
 * as prefix and secret claims that format, so a wrong checksum or a cut-off checksum is refused
 * without a registry look-up. Shorter `wgl_` values are the local platform's developer-chosen and
 * test keys: they still must be in the registry, which only ever holds registered hashes.
 */
function claimsIssuedFormat(key: string): boolean {
  return key.startsWith(API_KEY_PREFIX) && key.length >= ISSUED_SECRET_END;
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
