/**
 * The local planes' heartbeats: the data plane registers at start and reports over a local queue;
 * the local reconciliation reads the stored digest and republishes only what the data plane lacks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSyncKeyPair } from '../../../lambdas/domain/sync/ecdsa';
import { type LocalConfigSync, startLocalConfigSync } from '../../../lambdas/local/config-sync';
import { MemoryKeyRegistry } from '../../support/memory-ports';
import { change } from './fixtures';

let dir: string | undefined;
let sync: LocalConfigSync | undefined;

afterEach(async () => {
  await sync?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  sync = undefined;
  dir = undefined;
});

async function waitFor<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (let tries = 0; tries < 200; tries++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('timed out');
}

describe('local heartbeats', () => {
  it('register at start, and the local reconciliation uses the stored digest', async () => {
    dir = await mkdtemp(join(tmpdir(), 'waggle-heartbeats-'));
    const syncKeyPem = generateSyncKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    sync = await startLocalConfigSync({
      inboxDir: join(dir, 'inbox'),
      dataPlaneId: 'local',
      keyRegistry: new MemoryKeyRegistry(),
      syncKeyPem,
      maximumBatchingWindowMs: 0,
      eventsQueueDepth: () => 3,
    });
    const registration = await waitFor(() => (sync as LocalConfigSync).heartbeats.registration('local'));
    expect(registration).toMatchObject({ dataPlaneId: 'local', hostingModel: 'self-hosted', queueDepth: 3 });

    // Never told anything: the first reconciliation sends the project.
    const desired = [change('project.upserted', 'p1', 1, { name: 'one' })];
    expect((await sync.reconcile(desired)).toRepublish).toHaveLength(1);
    await waitFor(() => (sync as LocalConfigSync).projectName('p1'));

    // Once the data plane has reported the project, nothing is republished.
    await sync.heartbeatNow();
    expect((await sync.reconcile(desired)).toRepublish).toEqual([]);
    expect((await sync.heartbeats.latest('local'))?.appliedSeq).toBeGreaterThan(0);
  });
});
