import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type CompactionSummary,
  createCompactionJob,
  emptyCompactionSummary,
} from '../../../lambdas/compaction/app';
import { createDeadLetterArchiver } from '../../../lambdas/dead-letter-archiver/app';
import { EVENT_COLUMNS } from '../../../lambdas/domain/store/columns';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import { writeRecords } from '../../../lambdas/domain/store/write-batch';
import { sqsEvent } from '../../support/sqs-event';
import { eventRecord, FaultyMemoryStore, T0, tombstoneRecord } from './store-fixtures';

const HOUR = 3_600_000;

function dlqEvent(ids: string[]): SQSEvent {
  return sqsEvent(
    ids.map((id) => ({ id, body: `{"v":1,"gz":"${id}"}` })),
    {
      sentAt: T0,
      deadLetterSourceArn: 'arn:events',
      messageAttributes: { trace: { stringValue: 'x', dataType: 'String' } },
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:events-dlq',
    },
  );
}

describe('createDeadLetterArchiver', () => {
  it('archives body and attributes of every message under dead-letters/dt=<sent day>/', async () => {
    const store = new FaultyMemoryStore();
    const archive = createDeadLetterArchiver(store, { clock: () => T0 + 48 * HOUR });
    expect(await archive(dlqEvent(['id-1', 'id-2']))).toEqual({ batchItemFailures: [] });
    expect(store.keys()).toEqual([
      'dead-letters/dt=2026-03-04/id-1.json',
      'dead-letters/dt=2026-03-04/id-2.json',
    ]);
    const archived = JSON.parse(
      Buffer.from((await store.get('dead-letters/dt=2026-03-04/id-1.json')) as Uint8Array).toString(),
    );
    expect(archived).toMatchObject({
      messageId: 'id-1',
      body: '{"v":1,"gz":"id-1"}',
      attributes: { SentTimestamp: String(T0), DeadLetterQueueSourceArn: 'arn:events' },
      messageAttributes: { trace: { stringValue: 'x' } },
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events-dlq',
      archivedAt: new Date(T0 + 48 * HOUR).toISOString(),
    });
  });

  it('reports only the messages it could not archive', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.includes('id-2');
    const failures: string[] = [];
    const archive = createDeadLetterArchiver(store, { onFailure: (id) => failures.push(id) });
    expect(await archive(dlqEvent(['id-1', 'id-2']))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'id-2' }],
    });
    expect(store.keys()).toEqual(['dead-letters/dt=2026-03-04/id-1.json']);
    expect(failures).toEqual(['id-2']);
  });
});

describe('createCompactionJob', () => {
  async function seed(store: FaultyMemoryStore) {
    for (const batchId of ['b1', 'b2']) {
      await writeRecords(
        [
          {
            messageId: batchId,
            records: [eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b', start_time: T0 + HOUR })],
          },
        ],
        { store, lookupLatest: async () => new Map(), batchId },
      );
    }
  }

  const summaryOf = (fields: Partial<CompactionSummary>): CompactionSummary => ({
    ...emptyCompactionSummary(2),
    ...fields,
  });

  it('compacts the closed partitions the change markers name, and keeps the markers of open ones', async () => {
    const store = new FaultyMemoryStore();
    await seed(store);
    const job = createCompactionJob(store, { clock: () => T0 + 2 * HOUR, closedAfterMs: 30 * 60_000 });
    expect(await job()).toEqual(summaryOf({ due: 1, compacted: 1 }));
    expect(store.keys('events/')).toEqual([
      `events/project_id=proj-1/dt=2026-03-04/hour=05/compacted-${T0 + 2 * HOUR}.parquet`,
      'events/project_id=proj-1/dt=2026-03-04/hour=06/b1.parquet',
      'events/project_id=proj-1/dt=2026-03-04/hour=06/b2.parquet',
    ]);
    // Both batches also wrote hour 06, still open: their markers wait for it.
    expect(store.keys('compaction/changed/')).toHaveLength(2);
    const later = createCompactionJob(store, { clock: () => T0 + 3 * HOUR, closedAfterMs: 30 * 60_000 });
    expect(await later()).toEqual(summaryOf({ due: 1, compacted: 1 }));
    expect(store.keys('compaction/changed/')).toEqual([]);
    expect(await later()).toEqual(summaryOf({ markers: 0 }));
  });

  it('carries on past a failing partition and stops starting new ones when time runs low', async () => {
    const store = new FaultyMemoryStore();
    await seed(store);
    store.failDelete = (key) => key.includes('hour=05') && key.startsWith('events/');
    const failed: string[] = [];
    const job = createCompactionJob(store, {
      clock: () => T0 + 5 * HOUR,
      onFailure: (partition) => failed.push(partition),
    });
    expect(await job()).toEqual(summaryOf({ due: 2, compacted: 1, failed: 1 }));
    expect(failed).toEqual(['events/project_id=proj-1/dt=2026-03-04/hour=05/']);
    // The markers name the failed hour: they stay for the next run.
    expect(store.keys('compaction/changed/')).toHaveLength(2);

    // Hour 06 is done and leaves the markers; hour 05 is what is left.
    let remaining = 200_000;
    const lowOnTime = await job({ remainingMs: () => (remaining -= 100_000), minRemainingMs: 60_000 });
    expect(lowOnTime).toEqual(summaryOf({ due: 1, failed: 1 }));
    store.failDelete = () => false;
    remaining = 0;
    expect(await job({ remainingMs: () => remaining })).toEqual(summaryOf({ due: 1, deferred: 1 }));
    expect(await job()).toEqual(summaryOf({ due: 1, compacted: 1 }));
    expect(store.keys('compaction/changed/')).toEqual([]);
  });

  it('compacts an hour larger than one compaction holds in chunks, one file each', async () => {
    const store = new FaultyMemoryStore();
    await seed(store);
    const compacted: string[] = [];
    const job = createCompactionJob(store, {
      clock: () => T0 + 5 * HOUR,
      maxInputBytes: 1,
      onCompacted: (result) => compacted.push(`${result.partition} ${result.chunks}`),
    });
    expect(await job()).toEqual(summaryOf({ due: 2, compacted: 2, chunked: 2 }));
    expect(store.keys('events/project_id=proj-1/dt=2026-03-04/hour=05/')).toEqual([
      `events/project_id=proj-1/dt=2026-03-04/hour=05/compacted-${T0 + 5 * HOUR}-1.parquet`,
      `events/project_id=proj-1/dt=2026-03-04/hour=05/compacted-${T0 + 5 * HOUR}.parquet`,
    ]);
    expect(compacted).toEqual([
      'events/project_id=proj-1/dt=2026-03-04/hour=05/ 2',
      'events/project_id=proj-1/dt=2026-03-04/hour=06/ 2',
    ]);
    // A second run has nothing to do: no marker is left, and single compacted files are not rewritten.
    expect(await job()).toEqual(summaryOf({ markers: 0 }));
  });

  describe('work that follows what changed, not history', () => {
    /** Counts the store operations a run makes. */
    function counting(store: FaultyMemoryStore) {
      const counts = { list: 0, get: 0, put: 0, delete: 0 };
      const wrapped = {
        put: (key: string, body: Uint8Array) => {
          counts.put++;
          return store.put(key, body);
        },
        get: (key: string) => {
          counts.get++;
          return store.get(key);
        },
        list: (prefix: string) => {
          counts.list++;
          return store.list(prefix);
        },
        delete: (key: string) => {
          counts.delete++;
          return store.delete(key);
        },
      };
      return { wrapped, counts };
    }

    /** A project with `hours` compacted hours of history, one event `e<hour>` in each. */
    async function history(hours: number, sessionOf: (hour: number) => string = () => 'sess-1') {
      const store = new FaultyMemoryStore();
      for (let hour = 0; hour < hours; hour++) {
        await writeRecords(
          [
            {
              messageId: `h${hour}`,
              records: [
                eventRecord({
                  event_id: `e${hour}`,
                  session_id: sessionOf(hour),
                  start_time: T0 + hour * HOUR,
                }),
              ],
            },
          ],
          { store, lookupLatest: async () => new Map(), batchId: `h${hour}` },
        );
      }
      const now = T0 + (hours + 2) * HOUR;
      await createCompactionJob(store, { clock: () => now })();
      expect(store.keys('compaction/changed/')).toEqual([]);
      return { store, now };
    }

    it('a new batch in one hour costs the same whatever the history: only that hour is read and rewritten', async () => {
      const runs = [];
      for (const hours of [4, 40]) {
        const { store, now } = await history(hours);
        await writeRecords(
          [{ messageId: 'late', records: [eventRecord({ event_id: 'late', start_time: T0 })] }],
          {
            store,
            lookupLatest: async () => new Map(),
            batchId: 'late',
          },
        );
        const { wrapped, counts } = counting(store);
        const summary = await createCompactionJob(wrapped, { clock: () => now + HOUR })();
        runs.push({ summary, counts });
      }
      const [small, large] = runs;
      expect(small?.summary).toEqual(summaryOf({ markers: 1, due: 1, compacted: 1 }));
      expect(large?.summary).toEqual(small?.summary);
      expect(large?.counts).toEqual(small?.counts);
    });

    it('a deletion rewrites only the hours that hold its target, checking the others by their id columns', async () => {
      const { store, now } = await history(12);
      const before = store.keys('events/');
      await writeRecords([{ messageId: 'del', records: [tombstoneRecord({ id: 'e7', deleted_at: now })] }], {
        store,
        lookupLatest: async () => new Map(),
        batchId: 'del',
      });
      const rewritten: string[] = [];
      const summary = await createCompactionJob(store, {
        clock: () => now + HOUR,
        onCompacted: (result) => rewritten.push(result.partition),
      })();
      expect(summary).toEqual(summaryOf({ markers: 1, due: 1, compacted: 1, checked: 12 }));
      expect(rewritten).toEqual(['events/project_id=proj-1/dt=2026-03-04/hour=12/']);
      const after = store.keys('events/');
      expect(after.filter((key) => !before.includes(key))).toEqual([]);
      expect(before.filter((key) => !after.includes(key))).toEqual([
        `events/project_id=proj-1/dt=2026-03-04/hour=12/compacted-${now}.parquet`,
      ]);
      // Checked once: the same deletion does not make the next run look again.
      expect(await createCompactionJob(store, { clock: () => now + 2 * HOUR })()).toEqual(
        summaryOf({ markers: 0 }),
      );
    });

    describe('deletions find their days in the id locator', () => {
      /** The store, recording the events files a run reads. */
      function recording(store: FaultyMemoryStore) {
        const read: string[] = [];
        const wrapped = {
          put: (key: string, body: Uint8Array) => store.put(key, body),
          get: (key: string) => {
            if (key.startsWith('events/')) read.push(key);
            return store.get(key);
          },
          list: (prefix: string) => store.list(prefix),
          delete: (key: string) => store.delete(key),
        };
        return { wrapped, read };
      }

      async function deleteAndCompact(
        store: FaultyMemoryStore,
        now: number,
        tombstones: Array<{ target: 'event' | 'session'; id: string }>,
      ) {
        await writeRecords(
          [
            {
              messageId: 'del',
              records: tombstones.map((tombstone) => tombstoneRecord({ ...tombstone, deleted_at: now })),
            },
          ],
          { store, lookupLatest: async () => new Map(), batchId: 'del' },
        );
        const { wrapped, read } = recording(store);
        const rewritten: string[] = [];
        const summary = await createCompactionJob(wrapped, {
          clock: () => now + HOUR,
          onCompacted: (result) => rewritten.push(result.partition),
        })();
        const days = [...new Set(read.map((key) => /\/dt=([^/]+)\//.exec(key)?.[1]))].sort();
        return { summary, rewritten, days };
      }

      const eventIdsIn = async (store: FaultyMemoryStore) => {
        const ids: string[] = [];
        for (const key of store.keys('events/')) {
          const rows = await readParquet(EVENT_COLUMNS, (await store.get(key)) as Uint8Array);
          ids.push(...rows.map((row) => row.event_id as string));
        }
        return ids;
      };

      it('reads only the compacted hours of the day the locator names, and rewrites the hour holding the event', async () => {
        // 60 hours over three days (2026-03-04 05:00 to 2026-03-06 16:00); e30 starts 2026-03-05 11:06.
        const { store, now } = await history(60);
        const { summary, rewritten, days } = await deleteAndCompact(store, now, [
          { target: 'event', id: 'e30' },
        ]);
        // The 24 hours of 2026-03-05 are checked, the other 36 are not read at all.
        expect(summary).toEqual(summaryOf({ markers: 1, due: 1, compacted: 1, checked: 24 }));
        expect(days).toEqual(['2026-03-05']);
        expect(rewritten).toEqual(['events/project_id=proj-1/dt=2026-03-05/hour=11/']);
        const left = await eventIdsIn(store);
        expect(left).toHaveLength(59);
        expect(left).not.toContain('e30');
        // The hours not read were marked checked with the others: the next run has nothing to do.
        expect(await createCompactionJob(store, { clock: () => now + 2 * HOUR })()).toEqual(
          summaryOf({ markers: 0 }),
        );
      });

      it('never reads an hour on a day the locator does not name: a session deletion reads its days only', async () => {
        // Session s-1 has events on the first and the last day; the middle day holds only s-2.
        const { store, now } = await history(60, (hour) => (hour < 12 || hour >= 48 ? 's-1' : 's-2'));
        const { summary, rewritten, days } = await deleteAndCompact(store, now, [
          { target: 'session', id: 's-1' },
        ]);
        expect(days).toEqual(['2026-03-04', '2026-03-06']);
        // Every compacted hour of 2026-03-04 (05 to 23) and 2026-03-06 (00 to 16); 24 of them hold s-1.
        expect(summary.checked).toBe(19 + 17);
        expect(rewritten).toHaveLength(24);
        expect(rewritten.every((prefix) => !prefix.includes('dt=2026-03-05'))).toBe(true);
        expect((await eventIdsIn(store)).sort()).toEqual(
          Array.from({ length: 36 }, (_, index) => `e${index + 12}`).sort(),
        );
      });

      it('reads no events file for an id the locator does not know, and is done with it', async () => {
        const { store, now } = await history(30);
        const before = store.keys('events/');
        const { summary, rewritten, days } = await deleteAndCompact(store, now, [
          { target: 'event', id: 'never-written' },
          { target: 'session', id: 'no-such-session' },
        ]);
        expect(summary).toEqual(summaryOf({ markers: 1 }));
        expect(days).toEqual([]);
        expect(rewritten).toEqual([]);
        expect(store.keys('events/')).toEqual(before);
        expect(store.keys('compaction/changed/')).toEqual([]);
      });

      it('checks every reached hour of a project without locator files (a store from before the locator)', async () => {
        const { store, now } = await history(60);
        for (const key of store.keys('locator/')) await store.delete(key);
        const { summary, rewritten, days } = await deleteAndCompact(store, now, [
          { target: 'event', id: 'e30' },
        ]);
        expect(summary).toEqual(summaryOf({ markers: 1, due: 1, compacted: 1, checked: 60 }));
        expect(days).toEqual(['2026-03-04', '2026-03-05', '2026-03-06']);
        expect(rewritten).toEqual(['events/project_id=proj-1/dt=2026-03-05/hour=11/']);
        expect(await eventIdsIn(store)).not.toContain('e30');
      });

      it('keeps the markers when the locator cannot be read, and a later run does the deletion', async () => {
        const { store, now } = await history(30);
        const [locatorFile] = store.keys('locator/');
        const failures: string[] = [];
        const broken = {
          put: (key: string, body: Uint8Array) => store.put(key, body),
          get: (key: string) =>
            key === locatorFile ? Promise.resolve(new Uint8Array([1, 2, 3])) : store.get(key),
          list: (prefix: string) => store.list(prefix),
          delete: (key: string) => store.delete(key),
        };
        await writeRecords(
          [{ messageId: 'del', records: [tombstoneRecord({ id: 'e20', deleted_at: now })] }],
          { store, lookupLatest: async () => new Map(), batchId: 'del' },
        );
        const failed = await createCompactionJob(broken, {
          clock: () => now + HOUR,
          onFailure: (what) => failures.push(what),
        })();
        expect(failed).toEqual(summaryOf({ markers: 1 }));
        expect(failures).toEqual(['proj-1 (deletions)']);
        expect(store.keys('compaction/changed/')).toHaveLength(1);
        // e20 starts 2026-03-05 01:06: the 11 compacted hours of that day (00 to 10) are checked.
        const retried = await createCompactionJob(store, { clock: () => now + 2 * HOUR })();
        expect(retried).toEqual(summaryOf({ markers: 1, due: 1, compacted: 1, checked: 11 }));
        expect(await eventIdsIn(store)).not.toContain('e20');
        expect(store.keys('compaction/changed/')).toEqual([]);
      });
    });
  });
});
