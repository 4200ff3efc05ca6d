import { describe, expect, it } from 'vitest';
import type { ConfigChange } from '../../../lambdas/domain/control-plane/changes';
import {
  createSyncChangePublisher,
  entityChangeOf,
} from '../../../lambdas/domain/sync/control-plane-changes';
import { createSyncPublisher, MemorySequenceStore } from '../../../lambdas/domain/sync/publisher';
import { MemoryQueue } from '../../support/memory-ports';
import { DATA_PLANE, dataPlane, keyHash, NOW, signer } from './fixtures';

const hash = keyHash('cp-key');
const keyPayload = {
  key_id: 'key_1',
  keyHash: hash,
  org_id: 'org-1',
  workspace_id: 'ws-1',
  project_id: 'proj-1',
  projectName: 'One',
  scopes: ['ingest' as const],
  revoked: false,
  createdAt: NOW - 5000,
};

function wiring(failing = new Set<string>()) {
  const inboxes = new Map(['dp-eu-1', 'dp-us-1'].map((id) => [id, new MemoryQueue()]));
  for (const id of failing) (inboxes.get(id) as MemoryQueue).failSends = true;
  const publisher = createSyncPublisher({
    signer,
    sequences: new MemorySequenceStore(),
    inboxFor: (id) => inboxes.get(id),
    clock: () => NOW,
  });
  return {
    inboxes,
    changes: createSyncChangePublisher({ publisher, dataPlanesFor: async () => [...inboxes.keys()] }),
  };
}

describe('control-plane changes into the sync', () => {
  it('identifies API keys by hash and projects by id, dropping undefined optionals', () => {
    expect(entityChangeOf({ type: 'api-key.upserted', version: 3, payload: keyPayload })).toMatchObject({
      kind: 'api-key.upserted',
      entityId: hash,
      entityVersion: 3,
    });
    const project: ConfigChange = {
      type: 'project.upserted',
      version: 1,
      payload: { id: 'proj-1', org_id: 'org-1', workspace_id: 'ws-1', name: 'One', description: undefined },
    };
    expect(entityChangeOf(project)).toEqual({
      kind: 'project.upserted',
      entityId: 'proj-1',
      entityVersion: 1,
      payload: { id: 'proj-1', org_id: 'org-1', workspace_id: 'ws-1', name: 'One' },
    });
  });

  it('fans a key upsert and revocation out to every data plane, where the controller applies them', async () => {
    const { inboxes, changes } = wiring();
    await changes.publish({ type: 'api-key.upserted', version: 1, payload: keyPayload });
    await changes.publish({ type: 'api-key.revoked', version: 2, payload: { ...keyPayload, revoked: true } });
    const world = dataPlane();
    for (const message of inboxes.get(DATA_PLANE)?.messages ?? [])
      await world.controller.handle(message.body);
    expect(world.controller.stats()).toMatchObject({ applied: 2, rejected: 0 });
    expect(world.registry.records.get(hash)?.revoked).toBe(true);
    expect(inboxes.get('dp-us-1')?.messages).toHaveLength(2);
  });

  it('a key past its expiresAt (a rotated key) is stored revoked', async () => {
    const { inboxes, changes } = wiring();
    await changes.publish({
      type: 'api-key.upserted',
      version: 4,
      payload: { ...keyPayload, expiresAt: NOW - 1 },
    });
    const world = dataPlane();
    for (const message of inboxes.get(DATA_PLANE)?.messages ?? [])
      await world.controller.handle(message.body);
    expect(world.registry.records.get(hash)?.revoked).toBe(true);
  });

  it('rejects when any data plane could not be reached, after trying all of them', async () => {
    const { inboxes, changes } = wiring(new Set(['dp-us-1']));
    await expect(
      changes.publish({ type: 'api-key.upserted', version: 1, payload: keyPayload }),
    ).rejects.toThrow(AggregateError);
    expect(inboxes.get(DATA_PLANE)?.messages).toHaveLength(1);
  });
});
