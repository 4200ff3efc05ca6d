import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digest, type InventoryEntry } from '../../../lambdas/domain/sync/digest';
import { SyncMessageError } from '../../../lambdas/domain/sync/messages';
import {
  createSyncPublisher,
  desiredInventory,
  type EntityChange,
  MemorySequenceStore,
  planReconciliation,
} from '../../../lambdas/domain/sync/publisher';
import { MemoryQueue } from '../../support/memory-ports';
import { change, DATA_PLANE, dataPlane, keyChange, NOW, signer, snapshot, type World } from './fixtures';

function setup() {
  const inboxes = new Map([
    [DATA_PLANE, new MemoryQueue()],
    ['dp-us-1', new MemoryQueue()],
  ]);
  const publisher = createSyncPublisher({
    signer,
    sequences: new MemorySequenceStore(),
    inboxFor: (id) => inboxes.get(id),
    clock: () => NOW,
  });
  return { inboxes, publisher };
}

async function deliver(world: World, queue: MemoryQueue, keep: (index: number) => boolean = () => true) {
  for (const [index, message] of queue.messages.entries())
    if (keep(index)) await world.controller.handle(message.body);
  queue.batches.length = 0;
}

describe('sync publisher', () => {
  it('numbers messages per data plane, signs them and sends them to that plane only', async () => {
    const { inboxes, publisher } = setup();
    await publisher.publish(DATA_PLANE, [
      change('project.upserted', 'p1', 1),
      change('project.upserted', 'p2', 1),
    ]);
    await publisher.publish('dp-us-1', [change('project.upserted', 'p1', 1)]);
    const signed = await publisher.publish(DATA_PLANE, [change('project.upserted', 'a1', 1)]);
    expect(signed.map((s) => s.message.seq)).toEqual([3]);
    const eu = inboxes.get(DATA_PLANE)?.messages.map((m) => JSON.parse(m.body).message) ?? [];
    expect(eu.map((m) => [m.seq, m.dataPlaneId])).toEqual([
      [1, DATA_PLANE],
      [2, DATA_PLANE],
      [3, DATA_PLANE],
    ]);
    expect(inboxes.get('dp-us-1')?.messages).toHaveLength(1);
    // FIFO inboxes: one message group per data plane, deduplicated by seq.
    expect(inboxes.get(DATA_PLANE)?.messages.map((m) => m.fifo)).toEqual([
      { groupId: DATA_PLANE, deduplicationId: 'seq-1' },
      { groupId: DATA_PLANE, deduplicationId: 'seq-2' },
      { groupId: DATA_PLANE, deduplicationId: 'seq-3' },
    ]);
    expect(inboxes.get('dp-us-1')?.messages[0]?.fifo).toEqual({
      groupId: 'dp-us-1',
      deduplicationId: 'seq-1',
    });
    const world = dataPlane();
    await deliver(world, inboxes.get(DATA_PLANE) as MemoryQueue);
    expect(world.controller.stats()).toMatchObject({ applied: 3, rejected: 0 });
  });

  it('splits into batches of at most ten', async () => {
    const { inboxes, publisher } = setup();
    await publisher.publish(
      DATA_PLANE,
      Array.from({ length: 23 }, (_, i) => change('project.upserted', `p${i}`, 1, { text: 'x'.repeat(100) })),
    );
    expect(inboxes.get(DATA_PLANE)?.batches.map((b) => b.length)).toEqual([10, 10, 3]);
  });

  it('refuses an unregistered data plane, a payload with a secret and an oversized payload, sending nothing', async () => {
    const { inboxes, publisher } = setup();
    await expect(publisher.publish('dp-unknown', [change('project.upserted', 'p', 1)])).rejects.toThrow(
      /not registered/,
    );
    await expect(
      publisher.publish(DATA_PLANE, [change('project.upserted', 'p', 1, { clientSecret: 'abc' })]),
    ).rejects.toThrow(SyncMessageError);
    await expect(
      publisher.publish(DATA_PLANE, [change('project.upserted', 'p', 1, { text: 'x'.repeat(70_000) })]),
    ).rejects.toThrow(/exceeds/);
    expect(inboxes.get(DATA_PLANE)?.messages).toEqual([]);
  });

  it('rejects when the inbox refuses the batch', async () => {
    const { inboxes, publisher } = setup();
    (inboxes.get(DATA_PLANE) as MemoryQueue).failSends = true;
    await expect(publisher.publish(DATA_PLANE, [change('project.upserted', 'p', 1)])).rejects.toThrow(
      /outage/,
    );
  });
});

describe('reconciliation plan', () => {
  const desired: EntityChange[] = [
    change('project.upserted', 'p1', 1),
    change('project.upserted', 'p1', 2),
    change('project.upserted', 'p2', 1),
    keyChange('api-key.upserted', 'k1', 1),
    change('alert.deleted', 'a1', 4),
  ];

  it('needs nothing when the digests match', () => {
    const plan = planReconciliation(desired, { digest: digest(desiredInventory(desired)) });
    expect(plan).toEqual({ differingKinds: [], toRepublish: [], unexpected: [] });
  });

  it('with an inventory, republishes only what is missing or stale and flags versions never issued', () => {
    const inventory: InventoryEntry[] = [
      { kind: 'project', entityId: 'p1', entityVersion: 1 },
      { kind: 'project', entityId: 'p2', entityVersion: 1 },
      { kind: 'project', entityId: 'p9', entityVersion: 1 },
      { kind: 'alert', entityId: 'a1', entityVersion: 4 },
    ];
    const plan = planReconciliation(desired, { digest: digest(inventory), inventory });
    expect(plan.differingKinds).toEqual(['project', 'api-key']);
    expect(plan.toRepublish).toEqual([
      change('project.upserted', 'p1', 2),
      keyChange('api-key.upserted', 'k1', 1),
    ]);
    expect(plan.unexpected).toEqual([{ kind: 'project', entityId: 'p9', entityVersion: 1 }]);
  });

  it('without an inventory, republishes every entity of each differing kind, at its latest version', () => {
    const reported = digest(desiredInventory(desired));
    const plan = planReconciliation(desired, { digest: { ...reported, project: digest([]).project } });
    expect(plan.toRepublish).toEqual([
      change('project.upserted', 'p1', 2),
      change('project.upserted', 'p2', 1),
    ]);
  });

  it('a digest ignores listing order and changes with any version', () => {
    const inventory = desiredInventory(desired);
    expect(digest([...inventory].reverse())).toEqual(digest(inventory));
    const bumped = inventory.map((e) => (e.entityId === 'p2' ? { ...e, entityVersion: 2 } : e));
    expect(digest(bumped).project).not.toBe(digest(inventory).project);
    expect(digest(bumped).alert).toBe(digest(inventory).alert);
  });
});

describe('lost messages converge through reconciliation', () => {
  const entities = fc.uniqueArray(
    fc.record({
      // Kinds whose payloads the sync takes as given (an alert, i.e. a monitor, has a checked shape).
      kind: fc.constantFrom('project', 'api-key'),
      id: fc.integer({ min: 0, max: 20 }),
      versions: fc.integer({ min: 1, max: 3 }),
    }),
    { selector: (e) => `${e.kind}${e.id}`, minLength: 1, maxLength: 12 },
  );

  it('drops random messages, reconciles from the heartbeat, and ends where full delivery ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        entities,
        fc.infiniteStream(fc.boolean()),
        fc.boolean(),
        async (list, drops, withInventory) => {
          const changes = list.flatMap(({ kind, id, versions }) =>
            Array.from({ length: versions }, (_, v) =>
              kind === 'api-key'
                ? keyChange(
                    v === versions - 1 && id % 2 === 0 ? 'api-key.revoked' : 'api-key.upserted',
                    `k${id}`,
                    v + 1,
                  )
                : change(`${kind}.upserted` as EntityChange['kind'], `${kind}${id}`, v + 1, { v }),
            ),
          );
          const { inboxes, publisher } = setup();
          const queue = inboxes.get(DATA_PLANE) as MemoryQueue;
          await publisher.publish(DATA_PLANE, changes);
          const reference = dataPlane();
          for (const message of queue.messages) await reference.controller.handle(message.body);

          const lossy = dataPlane();
          const dropIt = drops[Symbol.iterator]();
          await deliver(lossy, queue, () => dropIt.next().value !== true);
          const plan = await publisher.reconcile(DATA_PLANE, changes, {
            digest: await lossy.controller.digest(),
            inventory: withInventory ? await lossy.controller.inventory() : undefined,
          });
          await deliver(lossy, queue);
          expect(await snapshot(lossy)).toEqual(await snapshot(reference));
          expect(await lossy.controller.digest()).toEqual(digest(desiredInventory(changes)));
          const again = planReconciliation(changes, { digest: await lossy.controller.digest() });
          expect(again.toRepublish).toEqual([]);
          if (withInventory) expect(plan.unexpected).toEqual([]);
        },
      ),
      { numRuns: 50 },
    );
  });
});
