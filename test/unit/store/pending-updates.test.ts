/**
 * Updates that arrive before their event: the writer keeps them pending (no retry, no dead letter)
 * and folds them into the event when it writes it, in version order; before, with and after the
 * event; and the race where the event is written while the update is being kept.
 */
import { describe, expect, it } from 'vitest';
import type { Tenant, WaggleEventUpdate } from '../../../lambdas/domain/events/event';
import { rowToStoredEvent } from '../../../lambdas/domain/query/stored-event';
import { EVENT_COLUMNS } from '../../../lambdas/domain/store/columns';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import {
  applyPending,
  MemoryPendingUpdates,
  type PendingUpdateStore,
} from '../../../lambdas/domain/store/pending-updates';
import { type LookupLatest, type WriteItem, writeRecords } from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, makeEvent, T0, TENANT, updateRecord } from './store-fixtures';

/** What the query layer's lookupLatest answers: the newest stored row of each id. */
function storeLookup(store: FaultyMemoryStore): LookupLatest {
  return async (tenant: Tenant, ids: string[]) => {
    const newest = new Map<string, ReturnType<typeof rowToStoredEvent>>();
    for (const event of await storedEvents(store)) {
      // project_id is a partition column (in the key, not the file): one project here.
      if (tenant.project_id !== TENANT.project_id || !ids.includes(event.event_id)) continue;
      const known = newest.get(event.event_id);
      if (!known || event.version > known.version) newest.set(event.event_id, event);
    }
    return newest;
  };
}

async function storedEvents(store: FaultyMemoryStore) {
  const events = [];
  for (const key of store.keys('events/'))
    for (const row of await readParquet(EVENT_COLUMNS, (await store.get(key)) as Uint8Array))
      events.push(rowToStoredEvent(row));
  return events;
}

async function newestStored(store: FaultyMemoryStore, eventId: string) {
  return (await storeLookup(store)(TENANT, [eventId])).get(eventId);
}

function writer(store: FaultyMemoryStore, pendingUpdates: PendingUpdateStore = new MemoryPendingUpdates()) {
  let batch = 0;
  return {
    pendingUpdates,
    write: (items: WriteItem[], lookupLatest = storeLookup(store)) =>
      writeRecords(items, { store, lookupLatest, pendingUpdates, batchId: `b${++batch}` }),
  };
}

describe('pending updates in the writer', () => {
  it('keeps an update that arrives before its event, and folds it in when the event is written', async () => {
    const store = new FaultyMemoryStore();
    const { write, pendingUpdates } = writer(store);
    const before = await write([
      {
        messageId: 'u',
        records: [updateRecord('e', 5, { feedback: { rating: 4 }, metadata: { k: 'patched' } })],
      },
    ]);
    // Not failed (no retry, no dead letter), nothing written yet, kept pending.
    expect(before).toMatchObject({
      failedMessageIds: [],
      poisonMessages: [],
      pending: { kept: 1, applied: 0 },
    });
    expect(store.keys('events/')).toEqual([]);
    expect(await pendingUpdates.forEvents(TENANT, ['e'])).toEqual(
      new Map([['e', [expect.objectContaining({ event_id: 'e', version: 5 })]]]),
    );

    const arrival = await write([{ messageId: 'ev', records: [eventRecord({ event_id: 'e', version: 1 })] }]);
    expect(arrival).toMatchObject({ failedMessageIds: [], pending: { kept: 0, applied: 1 } });
    expect(arrival.written).toEqual({ files: 2, events: 2, tombstones: 0 });
    expect(store.keys('events/')).toEqual([
      'events/project_id=proj-1/dt=2026-03-04/hour=05/b2-pending.parquet',
      'events/project_id=proj-1/dt=2026-03-04/hour=05/b2.parquet',
    ]);
    expect(await newestStored(store, 'e')).toMatchObject({
      version: 5,
      feedback: { rating: 4 },
      metadata: { k: 'patched' },
      model: 'gpt-4o-mini',
    });
    expect(await pendingUpdates.forEvents(TENANT, ['e'])).toEqual(new Map());
  });

  it('applies several updates that came before the event in version order, whatever order they came in', async () => {
    const store = new FaultyMemoryStore();
    const { write, pendingUpdates } = writer(store);
    // v3 arrives first, in its own batch; v2 and v4 together later. Each sets metadata.step.
    await write([
      { messageId: 'u3', records: [updateRecord('e', 3, { metadata: { step: 3, three: true } })] },
    ]);
    await write([
      { messageId: 'u4', records: [updateRecord('e', 4, { metadata: { step: 4 }, metrics: { score: 1 } })] },
      { messageId: 'u2', records: [updateRecord('e', 2, { metadata: { step: 2, two: true } })] },
    ]);
    expect((await pendingUpdates.forEvents(TENANT, ['e'])).get('e')?.map((u) => u.version)).toEqual([
      2, 3, 4,
    ]);

    const arrival = await write([{ messageId: 'ev', records: [eventRecord({ event_id: 'e', version: 1 })] }]);
    expect(arrival.pending).toEqual({ kept: 0, applied: 3 });
    expect(await newestStored(store, 'e')).toMatchObject({
      version: 4,
      metadata: { k: 'v', step: 4, two: true, three: true },
      metrics: { score: 1 },
    });
    expect((pendingUpdates as MemoryPendingUpdates).size).toBe(0);
  });

  it('folds an update that comes before its event in the same batch, and applies one after it in order', async () => {
    const store = new FaultyMemoryStore();
    const { write, pendingUpdates } = writer(store);
    const result = await write([
      { messageId: 'u2', records: [updateRecord('e', 2, { metadata: { step: 2 } })] },
      { messageId: 'ev', records: [eventRecord({ event_id: 'e', version: 1 })] },
      // After the event, but behind a pending update of it: it waits too, to apply after v2.
      { messageId: 'u3', records: [updateRecord('e', 3, { metadata: { step: 3 }, feedback: { ok: true } })] },
    ]);
    expect(result.failedMessageIds).toEqual([]);
    expect(result.pending).toEqual({ kept: 2, applied: 2 });
    expect(await newestStored(store, 'e')).toMatchObject({
      version: 3,
      metadata: { k: 'v', step: 3 },
      feedback: { ok: true },
    });
    expect((pendingUpdates as MemoryPendingUpdates).size).toBe(0);
  });

  it('applies an update after its event directly, keeping nothing pending', async () => {
    const store = new FaultyMemoryStore();
    const { write, pendingUpdates } = writer(store);
    await write([{ messageId: 'ev', records: [eventRecord({ event_id: 'e', version: 1 })] }]);
    const after = await write([
      { messageId: 'u', records: [updateRecord('e', 2, { feedback: { rating: 1 } })] },
    ]);
    expect(after.pending).toEqual({ kept: 0, applied: 0 });
    expect(after.written.events).toBe(1);
    expect(await newestStored(store, 'e')).toMatchObject({ version: 2, feedback: { rating: 1 } });
    expect((pendingUpdates as MemoryPendingUpdates).size).toBe(0);
  });

  it('closes the race: the event is stored after the update was looked up, before it was kept', async () => {
    const store = new FaultyMemoryStore();
    const { write, pendingUpdates } = writer(store);
    let lookups = 0;
    // The first lookup (resolving the update) misses; by the re-check the other writer has stored it.
    const racingLookup: LookupLatest = async (tenant, ids) => {
      lookups++;
      if (lookups === 1) {
        await writeRecords([{ messageId: 'other', records: [eventRecord({ event_id: 'e', version: 1 })] }], {
          store,
          lookupLatest: storeLookup(store),
          batchId: 'other-writer',
        });
        return new Map();
      }
      return storeLookup(store)(tenant, ids);
    };
    const result = await write(
      [{ messageId: 'u', records: [updateRecord('e', 2, { feedback: { rating: 2 } })] }],
      racingLookup,
    );
    expect(result).toMatchObject({ failedMessageIds: [], pending: { kept: 1, applied: 1 } });
    expect(lookups).toBe(2);
    expect(await newestStored(store, 'e')).toMatchObject({ version: 2, feedback: { rating: 2 } });
    expect((pendingUpdates as MemoryPendingUpdates).size).toBe(0);
  });

  it('retries the message when the update cannot be kept, and the event message when pending updates cannot be read', async () => {
    const store = new FaultyMemoryStore();
    const memory = new MemoryPendingUpdates();
    let down = true;
    const flaky: PendingUpdateStore = {
      add: (update) => (down ? Promise.reject(new Error('table down')) : memory.add(update)),
      forEvents: (tenant, ids) =>
        down ? Promise.reject(new Error('table down')) : memory.forEvents(tenant, ids),
      remove: (updates) => memory.remove(updates),
    };
    const { write } = writer(store, flaky);
    const kept = await write([{ messageId: 'u', records: [updateRecord('e', 2, { feedback: { a: 1 } })] }]);
    expect(kept.failedMessageIds).toEqual(['u']);
    const event = await write([{ messageId: 'ev', records: [eventRecord({ event_id: 'f', version: 1 })] }]);
    // Its rows are stored, but the check failed: the retry rewrites them (same version) and checks again.
    expect(event.failedMessageIds).toEqual(['ev']);
    down = false;
    expect(
      (await write([{ messageId: 'u', records: [updateRecord('e', 2, { feedback: { a: 1 } })] }])).pending,
    ).toEqual({ kept: 1, applied: 0 });
    const retried = await write([{ messageId: 'e', records: [eventRecord({ event_id: 'e', version: 1 })] }]);
    expect(retried.failedMessageIds).toEqual([]);
    expect(await newestStored(store, 'e')).toMatchObject({ version: 2, feedback: { a: 1 } });
  });

  it('retries the event message when the folded version cannot be stored, and loses nothing', async () => {
    const store = new FaultyMemoryStore();
    const { write, pendingUpdates } = writer(store);
    await write([{ messageId: 'u', records: [updateRecord('e', 2, { feedback: { a: 1 } })] }]);
    store.failPut = (key) => key.endsWith('-pending.parquet');
    const failed = await write([{ messageId: 'ev', records: [eventRecord({ event_id: 'e', version: 1 })] }]);
    expect(failed.failedMessageIds).toEqual(['ev']);
    expect((pendingUpdates as MemoryPendingUpdates).size).toBe(1);
    store.failPut = () => false;
    const retried = await write([{ messageId: 'ev', records: [eventRecord({ event_id: 'e', version: 1 })] }]);
    expect(retried.failedMessageIds).toEqual([]);
    expect(await newestStored(store, 'e')).toMatchObject({ version: 2, feedback: { a: 1 } });
    expect((pendingUpdates as MemoryPendingUpdates).size).toBe(0);
  });
});

describe('applyPending', () => {
  it('applies in version order, then arrival order', () => {
    const update = (version: number, ingested_at: number, value: string): WaggleEventUpdate => ({
      ...TENANT,
      event_id: 'e',
      version,
      ingested_at,
      patch: { metadata: { value } },
    });
    const event = makeEvent({ event_id: 'e', version: 1, start_time: T0 });
    const applied = applyPending(event, [update(3, 1, 'c'), update(2, 9, 'b2'), update(2, 5, 'b1')]);
    // Each update supersedes what it patches: one at or below the version so far adds one to it.
    expect(applied).toMatchObject({ version: 4, metadata: { k: 'v', value: 'c' } });
    expect(applyPending(event, [update(2, 9, 'late'), update(2, 5, 'early')]).metadata).toEqual({
      k: 'v',
      value: 'late',
    });
  });
});
