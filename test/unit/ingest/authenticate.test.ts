import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../../lambdas/domain/auth/api-key';
import { createAuthenticator } from '../../../lambdas/domain/auth/authenticate';
import { CredentialRejected } from '../../../lambdas/domain/auth/credential-rejected';
import type { ApiKeyRecord } from '../../../lambdas/domain/auth/principal';
import { createMemoryRateLimiter } from '../../../lambdas/domain/auth/rate-limit';
import { httpErrorOf } from '../../../lambdas/http/errors';
import { MemoryKeyRegistry } from '../../support/memory-ports';

const KEY = 'wgl_test-key-1';

function record(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    keyHash: hashApiKey(KEY),
    org_id: 'org',
    workspace_id: 'ws',
    project_id: 'proj-id',
    projectName: 'proj',
    scopes: ['ingest'],
    revoked: false,
    createdAt: 0,
    ...overrides,
  };
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    // The status the edge answers the domain's refusal with.
    const refusal = httpErrorOf(error);
    if (refusal) return refusal.status;
    throw error;
  }
}

describe('createAuthenticator', () => {
  it('resolves a bearer key to its tenant', async () => {
    const registry = new MemoryKeyRegistry();
    await registry.put(record());
    const principal = await createAuthenticator(registry)(`Bearer ${KEY}`, 'ingest');
    expect(principal).toMatchObject({
      org_id: 'org',
      workspace_id: 'ws',
      project_id: 'proj-id',
      projectName: 'proj',
    });
  });

  it('answers 401 for missing, malformed, oversized and unknown keys', async () => {
    const authenticate = createAuthenticator(new MemoryKeyRegistry());
    expect(await statusOf(authenticate(undefined, 'ingest'))).toBe(401);
    expect(await statusOf(authenticate('Basic abc', 'ingest'))).toBe(401);
    expect(await statusOf(authenticate(`Bearer ${'k'.repeat(5000)}`, 'ingest'))).toBe(401);
    expect(await statusOf(authenticate('Bearer wgl_nope', 'ingest'))).toBe(401);
  });

  it('answers 403 for a revoked key and for a missing scope', async () => {
    const registry = new MemoryKeyRegistry();
    await registry.put(record({ revoked: true }));
    expect(await statusOf(createAuthenticator(registry)(`Bearer ${KEY}`, 'ingest'))).toBe(403);
    await registry.put(record({ scopes: ['read'] }));
    expect(await statusOf(createAuthenticator(registry)(`Bearer ${KEY}`, 'ingest'))).toBe(403);
  });

  it('refuses a registry record whose hash is not the presented key', async () => {
    const registry = new MemoryKeyRegistry();
    registry.findByHash = async () => record({ keyHash: hashApiKey('someone-else') });
    expect(await statusOf(createAuthenticator(registry)(`Bearer ${KEY}`, 'ingest'))).toBe(401);
  });

  it('caches look-ups for the TTL, then sees a revocation', async () => {
    let now = 1_000;
    const registry = new MemoryKeyRegistry();
    await registry.put(record());
    const authenticate = createAuthenticator(registry, { clock: () => now, positiveTtlMs: 30_000 });
    await authenticate(`Bearer ${KEY}`, 'ingest');
    await authenticate(`Bearer ${KEY}`, 'ingest');
    expect(registry.lookups).toBe(1);
    await registry.put(record({ revoked: true }));
    now += 30_001;
    expect(await statusOf(authenticate(`Bearer ${KEY}`, 'ingest'))).toBe(403);
    expect(registry.lookups).toBe(2);
  });

  it('refuses a key at and after its expiresAt, even while its record is cached', async () => {
    let now = 1_000;
    const registry = new MemoryKeyRegistry();
    await registry.put(record({ expiresAt: 20_000 }));
    const authenticate = createAuthenticator(registry, { clock: () => now, positiveTtlMs: 30_000 });
    expect(await statusOf(authenticate(`Bearer ${KEY}`, 'ingest'))).toBe(200);
    now = 19_999;
    expect(await statusOf(authenticate(`Bearer ${KEY}`, 'ingest'))).toBe(200);
    now = 20_000;
    const refusal = await authenticate(`Bearer ${KEY}`, 'ingest').catch((error: unknown) => error);
    expect(refusal).toMatchObject({ kind: 'forbidden', message: 'This API key has expired' });
    expect(registry.lookups).toBe(1);
  });

  it('refuses an issued-format key with a wrong or cut-off checksum without a registry lookup', async () => {
    const registry = new MemoryKeyRegistry();
    const good = generateApiKey();
    const wrong = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    for (const key of [good.slice(0, -2), wrong, `${good}x`]) {
      await registry.put(record({ keyHash: hashApiKey(key) }));
      expect(await statusOf(createAuthenticator(registry)(`Bearer ${key}`, 'ingest'))).toBe(401);
    }
    expect(registry.lookups).toBe(0);
    await registry.put(record({ keyHash: hashApiKey(good) }));
    expect(await statusOf(createAuthenticator(registry)(`Bearer ${good}`, 'ingest'))).toBe(200);
    expect(registry.lookups).toBe(1);
  });

  it('marks wrong keys as CredentialRejected (what the brute-force guard counts), not a missing scope', async () => {
    const registry = new MemoryKeyRegistry();
    await registry.put(record({ scopes: ['read'] }));
    await registry.put(record({ keyHash: hashApiKey('wgl_revoked'), revoked: true }));
    await registry.put(record({ keyHash: hashApiKey('wgl_expired'), expiresAt: 1 }));
    const authenticate = createAuthenticator(registry);
    const cutOff = `Bearer ${generateApiKey().slice(0, -1)}`;
    for (const header of [
      undefined,
      'Bearer wgl_unknown',
      cutOff,
      'Bearer wgl_revoked',
      'Bearer wgl_expired',
    ]) {
      await expect(authenticate(header, 'read')).rejects.toBeInstanceOf(CredentialRejected);
    }
    const lacksScope = await authenticate(`Bearer ${KEY}`, 'ingest').catch((error: unknown) => error);
    expect(lacksScope).toMatchObject({ kind: 'forbidden' });
    expect(lacksScope).not.toBeInstanceOf(CredentialRejected);
  });
});

describe('createMemoryRateLimiter', () => {
  it('counts per key in fixed windows and says when the window ends', async () => {
    let now = 10_500;
    const limiter = createMemoryRateLimiter({ clock: () => now });
    const policy = { limit: 2, windowMs: 10_000 };
    expect(await limiter.hit('a', policy)).toEqual({ allowed: true, retryAfterSeconds: 10 });
    expect(await limiter.peek('a', policy)).toMatchObject({ allowed: true });
    expect(await limiter.hit('a', policy)).toMatchObject({ allowed: true });
    expect(await limiter.peek('a', policy)).toMatchObject({ allowed: false });
    expect(await limiter.hit('a', policy)).toMatchObject({ allowed: false });
    expect(await limiter.peek('b', policy)).toMatchObject({ allowed: true });
    now = 20_000;
    expect(await limiter.peek('a', policy)).toEqual({ allowed: true, retryAfterSeconds: 10 });
  });

  it('stays bounded, forgetting the least recently counted key', async () => {
    const limiter = createMemoryRateLimiter({ maxEntries: 2 });
    const policy = { limit: 1, windowMs: 60_000 };
    await limiter.hit('a', policy);
    await limiter.hit('b', policy);
    await limiter.hit('a', policy);
    await limiter.hit('c', policy);
    expect(await limiter.peek('b', policy)).toMatchObject({ allowed: true });
    expect(await limiter.peek('a', policy)).toMatchObject({ allowed: false });
    expect(await limiter.peek('c', policy)).toMatchObject({ allowed: false });
  });
});
