/**
 * The AWS-free parts of the sync handlers: the data plane's JWKS-backed message verifier (fetch
 * once, refetch on an unknown kid at most once per back-off, outages throw) and the scheduled
 * reconciler (everything republished when a plane reported nothing; one failing plane does not
 * stop the others).
 */
import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import { createJwksMessageVerifier } from '../../../lambdas/data-plane-controller/jwks-verifier';
import type { ApiKey, Project } from '../../../lambdas/domain/control-plane/model';
import type { MessageQueue, QueueMessage } from '../../../lambdas/domain/ports';
import { createSyncPublisher, MemorySequenceStore } from '../../../lambdas/domain/sync/publisher';
import { type KeyRing, keyRingJwks } from '../../../lambdas/domain/tokens';
import { createReconciler } from '../../../lambdas/sync-reconciler/app';

const data = new TextEncoder().encode('canonical message');

describe('createJwksMessageVerifier', () => {
  it('verifies under a published key, refetches once for a new kid, and backs off for made-up kids', async () => {
    const first = LocalSigner.generate('k1');
    const second = LocalSigner.generate('k2');
    let published: KeyRing = { current: first };
    let fetches = 0;
    let now = 0;
    const verifier = createJwksMessageVerifier({
      fetchJwks: async () => {
        fetches++;
        return keyRingJwks(published);
      },
      refetchBackoffMs: 10_000,
      clock: () => now,
    });
    expect(await verifier.verify(data, await first.sign(data), 'k1')).toBe(true);
    expect(await verifier.verify(data, await first.sign(new TextEncoder().encode('other')), 'k1')).toBe(
      false,
    );
    expect(fetches).toBe(1);

    published = { current: second, previous: first };
    now = 20_000;
    expect(await verifier.verify(data, await second.sign(data), 'k2')).toBe(true);
    expect(fetches).toBe(2);
    expect(await verifier.verify(data, await second.sign(data), 'forged')).toBe(false);
    expect(await verifier.verify(data, await second.sign(data), 'forged-again')).toBe(false);
    expect(fetches).toBe(2);
    expect(await verifier.verify(data, await first.sign(data), 'k1')).toBe(true);
  });

  it('throws when the JWKS cannot be fetched (an outage, retried), rather than answering false', async () => {
    const verifier = createJwksMessageVerifier({
      fetchJwks: async () => {
        throw new Error('connect ETIMEDOUT');
      },
    });
    await expect(verifier.verify(data, new Uint8Array(8), 'k1')).rejects.toThrow('ETIMEDOUT');
  });
});

function project(id: string, version: number): Project {
  return {
    kind: 'project',
    org_id: 'o1',
    id,
    version,
    workspace_id: 'w1',
    name: id,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

function apiKey(hash: string, status: 'active' | 'revoked'): ApiKey {
  return {
    kind: 'api-key',
    org_id: 'o1',
    id: `key-${hash}`,
    version: status === 'revoked' ? 2 : 1,
    workspace_id: 'w1',
    project_id: 'p1',
    project_name: 'p1',
    key_hash: hash.repeat(64).slice(0, 64),
    prefix: 'wgl_abc',
    scopes: ['ingest'],
    status,
    created_by: 'u1',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

describe('createReconciler', () => {
  it('republishes every project and key to a plane that reported nothing, and reports a failing plane', async () => {
    const signer = LocalSigner.generate('k1');
    const sent: QueueMessage[] = [];
    const inbox: MessageQueue = {
      sendBatch: async (messages) => {
        sent.push(...messages);
      },
    };
    const publisher = createSyncPublisher({
      signer: { keyId: signer.keyId, sign: (bytes) => signer.sign(bytes) },
      sequences: new MemorySequenceStore(),
      inboxFor: (id) => (id === 'eu' ? inbox : undefined),
    });
    const reconcile = createReconciler({
      publisher,
      dataPlaneIds: ['eu', 'unregistered'],
      desired: async () => ({
        projects: [project('p1', 3), project('p2', 1)],
        apiKeys: [apiKey('a', 'active'), apiKey('b', 'revoked')],
      }),
      reported: async () => undefined,
    });
    const summaries = await reconcile();
    expect(summaries[0]).toMatchObject({ dataPlaneId: 'eu', republished: 4, unexpected: 0 });
    expect(summaries[1]?.dataPlaneId).toBe('unregistered');
    expect(String(summaries[1]?.error)).toContain('not registered');
    const kinds = sent.map(
      (message) => (JSON.parse(message.body) as { message: { kind: string } }).message.kind,
    );
    expect(kinds.sort()).toEqual([
      'api-key.revoked',
      'api-key.upserted',
      'project.upserted',
      'project.upserted',
    ]);
  });
});
