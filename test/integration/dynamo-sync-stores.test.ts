import { describe, expect, it } from 'vitest';
import {
  DynamoAppliedStateStore,
  DynamoConfigStore,
  SYNC_STATE_TABLE,
} from '../../lambdas/adapters/aws/dynamo-config-store';
import { DynamoKeyRegistry, KEY_TABLE_PARTITION_KEY } from '../../lambdas/adapters/aws/dynamo-key-registry';
import { DynamoSequenceStore } from '../../lambdas/adapters/aws/dynamo-sequence-store';
import { stringKeyedTable, useDynalite } from '../support/dynalite';

const dynamo = useDynalite();
let tables = 0;

function newTable(): Promise<string> {
  return dynamo.createTable(
    stringKeyedTable(`sync${++tables}`, SYNC_STATE_TABLE.partitionKey, SYNC_STATE_TABLE.sortKey),
  );
}

describe('DynamoSequenceStore', () => {
  it('hands out 1, 2, 3 ... per data plane, and never the same seq to concurrent callers', async () => {
    const sequences = new DynamoSequenceStore(dynamo.client, await newTable());
    expect(await sequences.next('eu')).toBe(1);
    expect(await sequences.next('eu')).toBe(2);
    expect(await sequences.next('us')).toBe(1);
    const concurrent = await Promise.all(Array.from({ length: 25 }, () => sequences.next('eu')));
    expect(new Set(concurrent).size).toBe(25);
    expect([...concurrent].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 3));
  });
});

describe('DynamoConfigStore', () => {
  it('stores, lists live entries and keeps tombstones out of the list', async () => {
    const store = new DynamoConfigStore(dynamo.client, await newTable());
    await store.put('project', 'p1', { version: 1, deleted: false, payload: { name: 'one' } });
    await store.put('project', 'p2', { version: 3, deleted: true, payload: { name: 'two' } });
    await store.put('prompt', 'x', { version: 1, deleted: false, payload: { text: 'hi' } });
    expect(await store.get('project', 'p2')).toEqual({ version: 3, deleted: true, payload: { name: 'two' } });
    expect(await store.list('project')).toEqual([
      { entityId: 'p1', version: 1, deleted: false, payload: { name: 'one' } },
    ]);
    expect(await store.get('project', 'missing')).toBeUndefined();
  });

  it('never replaces an entry with an older version (an old upsert cannot revive a deletion)', async () => {
    const store = new DynamoConfigStore(dynamo.client, await newTable());
    await store.put('project', 'p1', { version: 5, deleted: true, payload: { name: 'gone' } });
    await store.put('project', 'p1', { version: 4, deleted: false, payload: { name: 'old' } });
    expect(await store.get('project', 'p1')).toEqual({
      version: 5,
      deleted: true,
      payload: { name: 'gone' },
    });
    await store.put('project', 'p1', { version: 6, deleted: false, payload: { name: 'back' } });
    expect((await store.get('project', 'p1'))?.payload).toEqual({ name: 'back' });
  });
});

describe('DynamoAppliedStateStore', () => {
  it('records versions, lists them as the inventory and never goes backwards', async () => {
    const state = new DynamoAppliedStateStore(dynamo.client, await newTable());
    await state.put('project', 'p1', { entityVersion: 2, status: 'active' });
    await state.put('project', 'p1', { entityVersion: 1, status: 'deleted' });
    await state.put('api-key', 'h1', { entityVersion: 1, status: 'active' });
    expect(await state.get('project', 'p1')).toEqual({ entityVersion: 2, status: 'active' });
    expect((await state.inventory()).sort((a, b) => a.entityId.localeCompare(b.entityId))).toEqual([
      { kind: 'api-key', entityId: 'h1', entityVersion: 1 },
      { kind: 'project', entityId: 'p1', entityVersion: 2 },
    ]);
  });

  it('keeps a revoked key revoked: a newer upsert does not un-revoke it, a newer revocation does apply', async () => {
    const state = new DynamoAppliedStateStore(dynamo.client, await newTable());
    await state.put('api-key', 'h1', { entityVersion: 3, status: 'revoked' });
    await state.put('api-key', 'h1', { entityVersion: 9, status: 'active' });
    expect(await state.get('api-key', 'h1')).toEqual({ entityVersion: 3, status: 'revoked' });
    await state.put('api-key', 'h1', { entityVersion: 4, status: 'revoked' });
    expect(await state.get('api-key', 'h1')).toEqual({ entityVersion: 4, status: 'revoked' });
  });

  it('only ever raises the applied seq', async () => {
    const state = new DynamoAppliedStateStore(dynamo.client, await newTable());
    expect(await state.appliedSeq()).toBe(0);
    await state.raiseAppliedSeq(7);
    await state.raiseAppliedSeq(3);
    expect(await state.appliedSeq()).toBe(7);
    await state.raiseAppliedSeq(8);
    expect(await state.appliedSeq()).toBe(8);
  });

  it('keeps the last recorded lag for the heartbeat, apart from the applied seq', async () => {
    const state = new DynamoAppliedStateStore(dynamo.client, await newTable());
    expect(await state.lastLagMs()).toBe(0);
    await state.recordLag(1500);
    await state.recordLag(250.4);
    await state.raiseAppliedSeq(4);
    expect(await state.lastLagMs()).toBe(250);
    expect(await state.appliedSeq()).toBe(4);
  });
});

describe('DynamoKeyRegistry as the sync controller writes it', () => {
  it('never lets an unrevoked record replace a revoked one, whoever writes last', async () => {
    const tableName = await dynamo.createTable(stringKeyedTable(`keys${++tables}`, KEY_TABLE_PARTITION_KEY));
    const registry = new DynamoKeyRegistry(dynamo.client, tableName);
    const record = {
      keyHash: 'a'.repeat(64),
      org_id: 'org-1',
      workspace_id: 'ws-1',
      project_id: 'proj-1',
      projectName: 'one',
      scopes: ['ingest' as const],
      revoked: false,
      createdAt: 1,
    };
    await registry.put(record);
    await registry.put({ ...record, projectName: 'renamed' });
    expect(await registry.findByHash(record.keyHash)).toMatchObject({
      projectName: 'renamed',
      revoked: false,
    });
    await registry.put({ ...record, projectName: 'renamed', revoked: true });
    // A late or racing upsert of the same key is a no-op.
    await registry.put({ ...record, projectName: 'late' });
    expect(await registry.findByHash(record.keyHash)).toMatchObject({
      projectName: 'renamed',
      revoked: true,
    });
  });
});
