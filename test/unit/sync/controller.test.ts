import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createDataPlaneController } from '../../../lambdas/data-plane-controller/app';
import { createSyncController } from '../../../lambdas/domain/sync/controller';
import { digest } from '../../../lambdas/domain/sync/digest';
import { MemoryAppliedState, MemoryConfigStore } from '../../../lambdas/domain/sync/memory-stores';
import type { ConfigKind } from '../../../lambdas/domain/sync/messages';
import { MemoryKeyRegistry } from '../../support/memory-ports';
import {
  apiKeyPayload,
  body,
  change,
  DATA_PLANE,
  dataPlane,
  keyChange,
  keyHash,
  NOW,
  verifier,
} from './fixtures';

describe('sync controller: applying', () => {
  it('applies an api-key upsert to the key registry as an unrevoked record', async () => {
    const world = dataPlane();
    const result = await world.controller.handle(await body(keyChange('api-key.upserted', 'k1', 1)));
    expect(result.status).toBe('applied');
    expect(world.registry.records.get(keyHash('k1'))).toEqual({
      keyHash: keyHash('k1'),
      org_id: 'org-1',
      workspace_id: 'ws-1',
      project_id: 'proj-1',
      projectName: 'Project One',
      scopes: ['ingest', 'read'],
      revoked: false,
      createdAt: NOW - 1000,
    });
  });

  it('a revocation sets the revoked flag, even for a key whose upsert never arrived', async () => {
    const world = dataPlane();
    await world.controller.handle(await body(keyChange('api-key.revoked', 'k1', 2)));
    expect(world.registry.records.get(keyHash('k1'))?.revoked).toBe(true);
  });

  // Kinds whose payloads the sync holds as given (evaluators, prompts, tools and alerts, i.e. monitors, have checked shapes).
  it.each<ConfigKind>(['project'])('stores %s upserts and deletions with versions', async (kind) => {
    const world = dataPlane();
    await world.controller.handle(await body(change(`${kind}.upserted`, 'e1', 1, { name: 'first' })));
    await world.controller.handle(await body(change(`${kind}.upserted`, 'e1', 2, { name: 'second' })));
    expect(await world.configStore.get(kind, 'e1')).toEqual({
      version: 2,
      deleted: false,
      payload: { name: 'second' },
    });
    await world.controller.handle(await body(change(`${kind}.deleted`, 'e1', 3)));
    expect(await world.configStore.get(kind, 'e1')).toEqual({ version: 3, deleted: true, payload: {} });
    expect(await world.configStore.list(kind)).toEqual([]);
  });

  it('a deleted entity is not revived by an older upsert arriving late', async () => {
    const world = dataPlane();
    await world.controller.handle(await body(change('project.deleted', 'p1', 5)));
    const late = await world.controller.handle(
      await body(change('project.upserted', 'p1', 4, { name: 'old' })),
    );
    expect(late.status).toBe('stale');
    expect((await world.configStore.get('project', 'p1'))?.deleted).toBe(true);
  });

  it('an entity recreated at a newer version after deletion is live again', async () => {
    const world = dataPlane();
    await world.controller.handle(await body(change('project.deleted', 'p1', 5)));
    await world.controller.handle(await body(change('project.upserted', 'p1', 6, { name: 'again' })));
    expect(await world.configStore.list('project')).toEqual([
      { entityId: 'p1', version: 6, deleted: false, payload: { name: 'again' } },
    ]);
  });

  it('tracks the highest seq, the lag and counts per outcome', async () => {
    let now = NOW;
    const world = dataPlane({ clock: () => now });
    await world.controller.handle(await body(change('project.upserted', 'x', 2), { seq: 9, issuedAt: NOW }));
    now = NOW + 1500;
    await world.controller.handle(await body(change('project.upserted', 'x', 1), { seq: 4, issuedAt: NOW }));
    expect(await world.appliedState.appliedSeq()).toBe(9);
    expect(world.controller.stats()).toMatchObject({ applied: 1, stale: 1, rejected: 0 });
    // Recorded for the heartbeat sender, which runs in another function.
    expect(await world.appliedState.lastLagMs()).toBe(1500);
  });

  it('applies concurrent deliveries one at a time, so an older version never overwrites a newer one', async () => {
    const registry = new MemoryKeyRegistry();
    const slowRegistry = {
      findByHash: registry.findByHash.bind(registry),
      // The first write is slow: without serialization the older message would land last.
      put: async (record: Parameters<MemoryKeyRegistry['put']>[0]) => {
        if (record.projectName === 'newer') await new Promise((resolve) => setTimeout(resolve, 20));
        await registry.put(record);
      },
    };
    const controller = createSyncController({
      dataPlaneId: DATA_PLANE,
      verifier,
      keyRegistry: slowRegistry,
      configStore: new MemoryConfigStore(),
      appliedState: new MemoryAppliedState(),
      clock: () => NOW,
    });
    const hash = keyHash('k1');
    const newer = await body(
      change('api-key.upserted', hash, 2, apiKeyPayload(hash, { projectName: 'newer' })),
    );
    const older = await body(
      change('api-key.upserted', hash, 1, apiKeyPayload(hash, { projectName: 'older' })),
    );
    const results = await Promise.all([controller.handle(newer), controller.handle(older)]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'stale']);
    expect(registry.records.get(hash)?.projectName).toBe('newer');
  });

  it('reports its inventory and a digest of it', async () => {
    const world = dataPlane();
    await world.controller.handle(await body(change('project.upserted', 'a1', 3)));
    await world.controller.handle(await body(keyChange('api-key.upserted', 'k1', 7)));
    const inventory = await world.controller.inventory();
    expect(inventory).toEqual(
      expect.arrayContaining([
        { kind: 'project', entityId: 'a1', entityVersion: 3 },
        { kind: 'api-key', entityId: keyHash('k1'), entityVersion: 7 },
      ]),
    );
    expect(await world.controller.digest()).toEqual(digest(inventory));
  });
});

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((text, index) => ({
      messageId: `m${index}`,
      receiptHandle: `r${index}`,
      body: text,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(NOW),
        SenderId: 'cp',
        ApproximateFirstReceiveTimestamp: String(NOW),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111111111111:inbox',
      awsRegion: 'eu-west-1',
    })),
  };
}

describe('data-plane controller (SQS consumer)', () => {
  it('deletes applied and rejected messages, retries only those that hit an outage, and logs no bodies', async () => {
    const registry = new MemoryKeyRegistry();
    const failingRegistry = {
      findByHash: registry.findByHash.bind(registry),
      put: async (record: Parameters<MemoryKeyRegistry['put']>[0]) => {
        if (record.keyHash === keyHash('down')) throw new Error('registry unavailable');
        await registry.put(record);
      },
    };
    const logged: unknown[] = [];
    const handler = createDataPlaneController({
      dataPlaneId: DATA_PLANE,
      verifier,
      keyRegistry: failingRegistry,
      configStore: new MemoryConfigStore(),
      appliedState: new MemoryAppliedState(),
      clock: () => NOW,
      onRejected: (info) => logged.push(info),
      onApplied: (info) => logged.push(info),
      onFailure: (info) => logged.push({ messageId: info.messageId }),
    });
    const forged = (await body(keyChange('api-key.upserted', 'k2', 1))).replace('"proj-1"', '"proj-2"');
    const response = await handler(
      sqsEvent([
        await body(keyChange('api-key.upserted', 'k1', 1)),
        forged,
        await body(keyChange('api-key.upserted', 'down', 1)),
      ]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(registry.records.has(keyHash('k1'))).toBe(true);
    expect(registry.records.has(keyHash('k2'))).toBe(false);
    expect(logged).toContainEqual({ messageId: 'm1', reason: 'bad-signature', detail: expect.any(String) });
    expect(JSON.stringify(logged)).not.toContain('proj-2');
    expect(handler.sync.stats()).toMatchObject({
      applied: 1,
      rejected: 1,
      rejectedByReason: { 'bad-signature': 1 },
    });
    // The failed message is not recorded as applied, so its retry applies it.
    expect(await handler.sync.inventory()).toHaveLength(1);
  });

  it('after a failure, returns the rest of the batch unprocessed so nothing overtakes it (FIFO inbox)', async () => {
    const registry = new MemoryKeyRegistry();
    let down = true;
    const flakyRegistry = {
      findByHash: registry.findByHash.bind(registry),
      put: async (record: Parameters<MemoryKeyRegistry['put']>[0]) => {
        if (down && record.keyHash === keyHash('k2')) throw new Error('registry unavailable');
        await registry.put(record);
      },
    };
    const handler = createDataPlaneController({
      dataPlaneId: DATA_PLANE,
      verifier,
      keyRegistry: flakyRegistry,
      configStore: new MemoryConfigStore(),
      appliedState: new MemoryAppliedState(),
      clock: () => NOW,
    });
    const bodies = [
      await body(keyChange('api-key.upserted', 'k1', 1)),
      await body(keyChange('api-key.upserted', 'k2', 1)),
      await body(keyChange('api-key.revoked', 'k2', 2)),
      await body(change('project.upserted', 'p1', 1)),
    ];
    const first = await handler(sqsEvent(bodies));
    expect(first.batchItemFailures).toEqual([
      { itemIdentifier: 'm1' },
      { itemIdentifier: 'm2' },
      { itemIdentifier: 'm3' },
    ]);
    // Neither the revocation nor the project behind the failed upsert was applied out of turn.
    expect(registry.records.has(keyHash('k2'))).toBe(false);
    expect(handler.sync.stats()).toMatchObject({ applied: 1 });
    // SQS delivers the failed rest again, in order; every message is applied exactly once.
    down = false;
    const retry = await handler(sqsEvent(bodies.slice(1)));
    expect(retry.batchItemFailures).toEqual([]);
    expect(registry.records.get(keyHash('k2'))?.revoked).toBe(true);
    expect(handler.sync.stats()).toMatchObject({ applied: 4, stale: 0 });
  });
});
