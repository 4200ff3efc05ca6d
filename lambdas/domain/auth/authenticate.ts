import { timingSafeEqual } from 'node:crypto';
import { HttpError, serviceUnavailable } from '../http/errors';
import type { KeyRegistry } from '../ports';
import { API_KEY_PREFIX, hashApiKey, isWellFormedApiKey } from './api-key';
import type { ApiKeyRecord, ApiKeyScope, Principal } from './principal';
import { createMemoryRateLimiter, type RateLimiter, type RateLimitPolicy } from './rate-limit';

export interface AuthenticatorOptions {
  /** How long a found key is trusted before the registry is read again (revocations take this long to bite). */
  positiveTtlMs?: number;
  /** How long an unknown key is remembered as unknown, so a flood of bad keys does not hammer the registry. */
  negativeTtlMs?: number;
  maxEntries?: number;
  clock?: () => number;
  /** Counts failed authentications per client; default: in memory, per function instance. */
  rateLimiter?: RateLimiter;
  /** Failed authentications a client may make per window before it is answered 429; default 20 per minute. */
  failureLimit?: RateLimitPolicy;
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
export const DEFAULT_FAILURE_LIMIT: RateLimitPolicy = { limit: 20, windowMs: 60_000 };

/**
 * clientId (the caller's source IP) turns on brute-force protection: failures are counted per
 * client and a client over the limit is answered 429 before any key is looked at.
 */
export type Authenticate = (
  authorization: string | undefined,
  scope: ApiKeyScope,
  clientId?: string,
) => Promise<Principal>;

/**
 * Resolves `Authorization: Bearer <key>` to a principal through the key registry, behind a short
 * in-memory cache. Only the SHA-256 of the key is looked up or kept; the key itself is never logged.
 */
export function createAuthenticator(registry: KeyRegistry, options: AuthenticatorOptions = {}): Authenticate {
  const positiveTtlMs = options.positiveTtlMs ?? 30_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const limiter = options.rateLimiter ?? createMemoryRateLimiter({ clock, maxEntries });
  const failureLimit = options.failureLimit ?? DEFAULT_FAILURE_LIMIT;
  const cache = new Map<string, CacheEntry>();
  // Clients this instance saw go over the limit, so a blocked flood costs no limiter round trips.
  const blockedUntil = new Map<string, number>();
  // Failures that say "wrong key" (as opposed to a missing scope or an outage); only these are counted.
  const credentialFailures = new WeakSet<HttpError>();

  function credentialFailure(status: number, message: string, headers?: Record<string, string>): HttpError {
    const error = new HttpError(status, message, headers);
    credentialFailures.add(error);
    return error;
  }

  async function lookup(keyHash: string, now: number): Promise<ApiKeyRecord | undefined> {
    const cached = cache.get(keyHash);
    if (cached && cached.expiresAt > now) return cached.record;
    const record = await registry.findByHash(keyHash);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    cache.set(keyHash, { record, expiresAt: now + (record ? positiveTtlMs : negativeTtlMs) });
    return record;
  }

  async function principalFor(authorization: string | undefined, scope: ApiKeyScope, now: number) {
    const key = authorization ? BEARER.exec(authorization)?.[1] : undefined;
    if (!key || key.length > MAX_KEY_LENGTH) {
      throw credentialFailure(401, 'Missing or malformed API key: send "Authorization: Bearer <api key>"', {
        'www-authenticate': 'Bearer',
      });
    }
    if (claimsIssuedFormat(key) && !isWellFormedApiKey(key)) {
      throw credentialFailure(401, 'Malformed API key (bad checksum)', {
        'www-authenticate': 'Bearer error="invalid_token"',
      });
    }
    const keyHash = hashApiKey(key);
    const record = await lookup(keyHash, now);
    // The registry is addressed by hash; comparing the stored hash in constant time also guards
    // against a store that matched loosely (prefix, case) returning someone else's record.
    if (!record || !hashesEqual(record.keyHash, keyHash)) {
      throw credentialFailure(401, 'Unknown API key', { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    if (record.revoked) throw credentialFailure(403, 'This API key has been revoked');
    // Checked on every call against the clock, so a cached record never outlives its expiry.
    if (record.expiresAt !== undefined && now >= record.expiresAt) {
      throw credentialFailure(403, 'This API key has expired');
    }
    if (!record.scopes.includes(scope)) throw new HttpError(403, `This API key lacks the "${scope}" scope`);
    return {
      org_id: record.org_id,
      workspace_id: record.workspace_id,
      project_id: record.project_id,
      projectName: record.projectName,
      scopes: record.scopes,
      keyHash,
    };
  }

  function tooManyFailures(retryAfterSeconds: number): HttpError {
    return new HttpError(429, 'Too many failed authentication attempts; retry later', {
      'Retry-After': String(retryAfterSeconds),
    });
  }

  function block(clientId: string, now: number, retryAfterSeconds: number): HttpError {
    if (blockedUntil.size >= maxEntries) blockedUntil.delete(blockedUntil.keys().next().value as string);
    blockedUntil.set(clientId, now + retryAfterSeconds * 1000);
    return tooManyFailures(retryAfterSeconds);
  }

  /** A client over the limit is refused whatever key it sends: the limiter cannot tell a lucky guess from a real key. */
  async function refuseIfBlocked(clientId: string, now: number): Promise<void> {
    const until = blockedUntil.get(clientId);
    if (until !== undefined && until > now) throw tooManyFailures(Math.ceil((until - now) / 1000));
    if (until !== undefined) blockedUntil.delete(clientId);
    const decision = await limited(() => limiter.peek(bucketOf(clientId), failureLimit));
    if (!decision.allowed) throw block(clientId, now, decision.retryAfterSeconds);
  }

  async function countFailure(clientId: string, now: number, failure: HttpError): Promise<HttpError> {
    const decision = await limited(() => limiter.hit(bucketOf(clientId), failureLimit));
    return decision.allowed ? failure : block(clientId, now, decision.retryAfterSeconds);
  }

  return async (authorization, scope, clientId) => {
    const now = clock();
    if (clientId !== undefined) await refuseIfBlocked(clientId, now);
    try {
      return await principalFor(authorization, scope, now);
    } catch (error) {
      if (clientId !== undefined && error instanceof HttpError && credentialFailures.has(error)) {
        throw await countFailure(clientId, now, error);
      }
      throw error;
    }
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

function bucketOf(clientId: string): string {
  return `api-key-failures:${clientId}`;
}

/** The limiter is part of the check: if it cannot answer, nothing gets through (503, retryable). */
async function limited<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch {
    throw serviceUnavailable('Cannot check the authentication rate limit right now', 5);
  }
}

function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
