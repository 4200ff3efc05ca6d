import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../lambdas/domain/auth/api-key';
import { createAuthenticator } from '../../../lambdas/domain/auth/authenticate';
import type { ApiKeyRecord } from '../../../lambdas/domain/auth/principal';
import { HttpError } from '../../../lambdas/domain/http/errors';
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
    if (error instanceof HttpError) return error.status;
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
});
