/**
 * The writer's rollups (store/rollup-files.ts): one file per project and day of a batch's new
 * events, read back with the figures of those events; updates are not counted again, but the
 * metrics they set (an evaluator's scores) are rolled up into their event's row; a retried
 * batch overwrites its own file; a failed rollup put fails only the messages it rolled up.
 */
import { describe, expect, it } from 'vitest';
import { ROLLUP_COLUMNS, rollupFromResult } from '../../../lambdas/domain/alerts/monitors/rollup-table';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import { writeRecords } from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, T0, TENANT, updateRecord } from './store-fixtures';

const noLookup = async () => new Map();

async function rowsAt(store: FaultyMemoryStore, key: string) {
  const rows = await readParquet(ROLLUP_COLUMNS, store.objects.get(key) as Uint8Array);
  return rows.map((row) => rollupFromResult(row as Record<string, unknown>, TENANT.project_id));
}

describe('the writer and the rollups table', () => {
  it("rolls up a batch's new events per project and day", async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        {
          messageId: 'm1',
          records: [
            eventRecord({ event_id: 'a', error: 'boom', duration: 10 }),
            eventRecord({ event_id: 'b', duration: 30, metrics: { accuracy: 0.5 } }),
          ],
        },
        {
          messageId: 'm2',
          records: [eventRecord({ event_id: 'c', start_time: T0 + 86_400_000, end_time: T0 + 86_400_000 })],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'b1' },
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(result.rollups?.files).toBe(2);
    const keys = store.keys('rollups/');
    expect(keys).toEqual([
      'rollups/project_id=proj-1/dt=2026-03-04/b1.parquet',
      'rollups/project_id=proj-1/dt=2026-03-05/b1.parquet',
    ]);
    const rows = await rowsAt(store, keys[0] as string);
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(2);
    expect(rows.reduce((sum, row) => sum + row.errors, 0)).toBe(1);
    const clean = rows.find((row) => !row.has_error);
    expect(clean?.duration).toMatchObject({ count: 1, sum: 30, min: 30, max: 30 });
    expect(clean?.metrics.accuracy).toMatchObject({ count: 1, sum: 0.5 });
  });

  it('does not count an update as another event, but rolls up the metrics it sets (scores)', async () => {
    const store = new FaultyMemoryStore();
    const first = await writeRecords([{ messageId: 'm1', records: [eventRecord({ event_id: 'a' })] }], {
      store,
      lookupLatest: noLookup,
      batchId: 'b1',
    });
    expect(first.rollups?.rows).toBe(1);
    const event = (eventRecord({ event_id: 'a' }) as { event: object }).event;
    const second = await writeRecords(
      [
        // An evaluator's score arrives as an update of the event's metrics.
        { messageId: 'm2', records: [updateRecord('a', 2, { metrics: { relevance: 0.8, passed: true } })] },
        // An update that sets no metric is not rolled up at all.
        { messageId: 'm3', records: [updateRecord('a', 3, { metadata: { reviewed: true } })] },
      ],
      {
        store,
        lookupLatest: async () => new Map([['a', event as never]]),
        batchId: 'b2',
      },
    );
    expect(second.failedMessageIds).toEqual([]);
    expect(second.written.events).toBe(2);
    expect(second.rollups).toEqual({ files: 1, rows: 1 });
    const [row] = await rowsAt(store, 'rollups/project_id=proj-1/dt=2026-03-04/b2.parquet');
    // The event's minute and dimensions, no second event, and the score as a metric.
    expect(row).toMatchObject({ count: 0, errors: 0, event_type: 'model', duration: { count: 0 } });
    expect(row?.metrics.relevance).toMatchObject({ count: 1, sum: 0.8 });
    expect(row?.metrics.passed).toMatchObject({ count: 1, sum: 1 });
  });

  it('counts an event once when an update of it comes in the same message', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        {
          messageId: 'm1',
          records: [eventRecord({ event_id: 'a', duration: 5 }), updateRecord('a', 2, { metrics: { x: 2 } })],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'b1' },
    );
    expect(result.failedMessageIds).toEqual([]);
    const rows = await rowsAt(store, 'rollups/project_id=proj-1/dt=2026-03-04/b1.parquet');
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(1);
    expect(rows.reduce((sum, row) => sum + row.duration.count, 0)).toBe(1);
    expect(rows.reduce((sum, row) => sum + (row.metrics.x?.sum ?? 0), 0)).toBe(2);
  });

  it('a failed rollup put fails the messages it held, and nothing else', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.startsWith('rollups/') && key.includes('dt=2026-03-05');
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'a' })] },
        {
          messageId: 'm2',
          records: [eventRecord({ event_id: 'c', start_time: T0 + 86_400_000, end_time: T0 + 86_400_000 })],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'b1' },
    );
    expect(result.failedMessageIds).toEqual(['m2']);
    expect(store.keys('rollups/')).toEqual(['rollups/project_id=proj-1/dt=2026-03-04/b1.parquet']);
  });
});
