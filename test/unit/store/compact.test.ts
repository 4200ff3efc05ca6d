import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCompactionJob } from '../../../lambdas/compaction/app';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import { EVENT_COLUMNS } from '../../../lambdas/domain/store/columns';
import { compactPartition } from '../../../lambdas/domain/store/compact';
import { DELETION_REACH_MS } from '../../../lambdas/domain/store/deletion-reach';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import { writeRecords } from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, T0, tombstoneRecord } from './store-fixtures';

const HOUR = 3_600_000;
const PARTITION = 'events/project_id=proj-1/dt=2026-03-04/hour=05/';
const CLOSED_AFTER = 15 * 60_000;
/** Well after the hour of T0 closed. */
const LATER = T0 + 3 * HOUR;
const noLookup = async () => new Map();

async function write(store: FaultyMemoryStore, batchId: string, records: EventRecord[]) {
  const result = await writeRecords([{ messageId: batchId, records }], {
    store,
    lookupLatest: noLookup,
    batchId,
  });
  expect(result.failedMessageIds).toEqual([]);
}

async function rowsUnder(store: FaultyMemoryStore, prefix: string) {
  const rows = [];
  for (const key of store.keys(prefix))
    rows.push(...(await readParquet(EVENT_COLUMNS, (await store.get(key)) as Uint8Array)));
  return rows;
}

describe('compactPartition', () => {
  it('keeps exactly the newest version of each event in one file and deletes the old files', async () => {
    const store = new FaultyMemoryStore();
    await write(store, 'b1', [
      eventRecord({ event_id: 'a', version: 1 }),
      eventRecord({ event_id: 'b', version: 1 }),
    ]);
    await write(store, 'b2', [eventRecord({ event_id: 'a', version: 2, event_name: 'renamed' })]);
    await write(store, 'b3', [eventRecord({ event_id: 'b', version: 1 })]); // a redelivered duplicate

    const result = await compactPartition(store, PARTITION, { now: LATER, closedAfterMs: CLOSED_AFTER });
    expect(result).toMatchObject({ filesRead: 3, rowsRead: 4, rowsKept: 2 });
    expect(store.keys(PARTITION)).toEqual([`${PARTITION}compacted-${LATER}.parquet`]);
    const rows = await rowsUnder(store, PARTITION);
    expect(rows.map((row) => [row.event_id, row.version, row.event_name])).toEqual([
      ['a', 2, 'renamed'],
      ['b', 1, 'chat'],
    ]);
  });

  it('drops events deleted by event and session tombstones of any hour, and their payloads', async () => {
    const store = new FaultyMemoryStore();
    await write(store, 'b1', [
      eventRecord({ event_id: 'keep', session_id: 's1' }),
      eventRecord({ event_id: 'gone', session_id: 's1', inputs: { big: 'q'.repeat(40_000) } }),
      eventRecord({ event_id: 'x1', session_id: 's2' }),
      eventRecord({ event_id: 'x2', session_id: 's2' }),
    ]);
    await write(store, 'b2', [
      tombstoneRecord({ target: 'event', id: 'gone', deleted_at: T0 + 2 * HOUR }),
      tombstoneRecord({ target: 'session', id: 's2', deleted_at: T0 + 2 * HOUR }),
    ]);
    expect(store.keys('payloads/')).toHaveLength(1);
    await compactPartition(store, PARTITION, { now: LATER, closedAfterMs: CLOSED_AFTER });
    expect((await rowsUnder(store, PARTITION)).map((row) => row.event_id)).toEqual(['keep']);
    expect(store.keys('payloads/')).toEqual([]);
  });

  it('applies the deletion reach as reads do: an event that started over two days after the deletion stays', async () => {
    const store = new FaultyMemoryStore();
    await write(store, 'b1', [
      eventRecord({ event_id: 'at-reach', session_id: 'a', start_time: T0 }),
      eventRecord({ event_id: 'past-reach', session_id: 'b', start_time: T0 }),
      eventRecord({ event_id: 'deleted-again', session_id: 'c', start_time: T0 }),
      eventRecord({ event_id: 'session-past-reach', session_id: 'old-session', start_time: T0 }),
    ]);
    await write(store, 'b2', [
      tombstoneRecord({ target: 'event', id: 'at-reach', deleted_at: T0 - DELETION_REACH_MS }),
      tombstoneRecord({ target: 'event', id: 'past-reach', deleted_at: T0 - DELETION_REACH_MS - 1 }),
      // The latest deletion of an id reaches furthest.
      tombstoneRecord({ target: 'event', id: 'deleted-again', deleted_at: T0 - DELETION_REACH_MS - 1 }),
      tombstoneRecord({ target: 'event', id: 'deleted-again', deleted_at: T0 }),
      tombstoneRecord({ target: 'session', id: 'old-session', deleted_at: T0 - DELETION_REACH_MS - 1 }),
    ]);
    await compactPartition(store, PARTITION, { now: LATER, closedAfterMs: CLOSED_AFTER });
    expect((await rowsUnder(store, PARTITION)).map((row) => row.event_id).sort()).toEqual([
      'past-reach',
      'session-past-reach',
    ]);
  });

  it('leaves an hour that is not closed yet alone', async () => {
    const store = new FaultyMemoryStore();
    await write(store, 'b1', [eventRecord()]);
    await write(store, 'b2', [eventRecord()]);
    const result = await compactPartition(store, PARTITION, { now: T0 + HOUR, closedAfterMs: CLOSED_AFTER });
    expect(result.skipped).toBe('open');
    expect(store.keys(PARTITION)).toHaveLength(2);
  });

  it('refuses a prefix that is not an events hour partition', async () => {
    await expect(
      compactPartition(new FaultyMemoryStore(), 'tombstones/project_id=p/dt=2026-01-01/hour=00/', {
        now: LATER,
        closedAfterMs: 0,
      }),
    ).rejects.toThrow(/Not an events hour partition/);
  });

  it('converges when a run crashes between writing the compacted file and deleting the old ones', async () => {
    const store = new FaultyMemoryStore();
    await write(store, 'b1', [
      eventRecord({ event_id: 'a', version: 1 }),
      eventRecord({ event_id: 'b', version: 3 }),
    ]);
    await write(store, 'b2', [eventRecord({ event_id: 'a', version: 2 })]);
    store.failDelete = (key) => key.endsWith('b2.parquet');
    await expect(
      compactPartition(store, PARTITION, { now: LATER, closedAfterMs: CLOSED_AFTER }),
    ).rejects.toThrow(/simulated delete/);
    // Mid-crash a reader may see rows twice, but never misses one.
    expect(new Set((await rowsUnder(store, PARTITION)).map((row) => row.event_id))).toEqual(
      new Set(['a', 'b']),
    );

    store.failDelete = () => false;
    await compactPartition(store, PARTITION, { now: LATER + 60_000, closedAfterMs: CLOSED_AFTER });
    expect(store.keys(PARTITION)).toEqual([`${PARTITION}compacted-${LATER + 60_000}.parquet`]);
    expect((await rowsUnder(store, PARTITION)).map((row) => [row.event_id, row.version])).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    // And a further run with the same clock is a no-op on the content.
    await compactPartition(store, PARTITION, { now: LATER + 60_000, closedAfterMs: CLOSED_AFTER });
    expect(store.keys(PARTITION)).toHaveLength(1);
  });

  it('every event written is found exactly once, newest version, after compaction (property)', async () => {
    const recordArb = fc.record({
      id: fc.integer({ min: 0, max: 15 }),
      version: fc.integer({ min: 1, max: 5 }),
      hour: fc.integer({ min: 0, max: 2 }),
      session: fc.integer({ min: 0, max: 3 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(recordArb, { maxLength: 12 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 3 }),
        async (batches, deletedIds) => {
          const store = new FaultyMemoryStore();
          const expected = new Map<string, number>();
          // The hour of an event id is fixed, as it is in practice (start_time never changes).
          const hourOf = (id: number) => id % 3;
          for (const [index, batch] of batches.entries()) {
            const records = batch.map((r) =>
              eventRecord({
                event_id: `e${r.id}`,
                version: r.version,
                session_id: `s${r.session}`,
                start_time: T0 + hourOf(r.id) * HOUR,
              }),
            );
            for (const r of batch)
              expected.set(`e${r.id}`, Math.max(expected.get(`e${r.id}`) ?? 0, r.version));
            await write(store, `b${index}`, records);
            await write(store, `dup${index}`, records); // at-least-once: every batch twice
          }
          // The job as it runs: from the writer's change markers; deletions come after a first
          // compaction, so they must find the compacted hours that hold their targets.
          const now = T0 + 5 * HOUR;
          await createCompactionJob(store, { clock: () => now, closedAfterMs: CLOSED_AFTER })();
          if (deletedIds.length > 0) {
            await write(
              store,
              'del',
              deletedIds.map((id) => tombstoneRecord({ id: `e${id}`, deleted_at: now })),
            );
            for (const id of deletedIds) expected.delete(`e${id}`);
          }
          const summary = await createCompactionJob(store, {
            clock: () => now + HOUR,
            closedAfterMs: CLOSED_AFTER,
          })();
          expect(summary.failed).toBe(0);
          expect(store.keys('compaction/changed/')).toEqual([]);
          const rows = await rowsUnder(store, 'events/');
          expect(rows.map((row) => row.event_id).sort()).toEqual([...expected.keys()].sort());
          for (const row of rows) expect(row.version).toBe(expected.get(row.event_id as string));
        },
      ),
      { numRuns: 25 },
    );
  });
});
