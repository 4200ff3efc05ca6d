/** The id locator: rows per batch, and the tiered merge that keeps a project's files few. */
import { describe, expect, it } from 'vitest';
import {
  LOCATOR_COLUMNS,
  type LocatorRow,
  locatorFileKey,
  locatorParquetRows,
  locatorRows,
  locatorTier,
  toLocatorRows,
} from '../../../lambdas/domain/store/locator';
import { FINAL_LOCATOR_TIER, mergeLocator } from '../../../lambdas/domain/store/locator-merge';
import { needsLocatorRebuild, rebuildLocator } from '../../../lambdas/domain/store/locator-rebuild';
import { readParquet, writeParquet } from '../../../lambdas/domain/store/parquet-files';
import { writeRecords } from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, makeEvent, T0 } from './store-fixtures';

const DAY = 86_400_000;

async function putBatch(
  store: FaultyMemoryStore,
  name: string,
  rows: LocatorRow[],
  tier = 0,
): Promise<string> {
  const key = locatorFileKey('proj-1', tier, name);
  await store.put(key, writeParquet(LOCATOR_COLUMNS, locatorParquetRows(rows)));
  return key;
}

async function rowsIn(store: FaultyMemoryStore): Promise<LocatorRow[]> {
  const rows: LocatorRow[] = [];
  for (const key of store.keys('locator/')) {
    rows.push(...toLocatorRows(await readParquet(LOCATOR_COLUMNS, (await store.get(key)) as Uint8Array)));
  }
  return rows;
}

const row = (index: number): LocatorRow => ({
  kind: 'event',
  id: `evt-${String(index).padStart(6, '0')}`,
  session_id: 's',
  dt: '2026-03-04',
});

describe('locatorRows', () => {
  it('gives each event its day and session, and each session every day it has events on, once each, sorted by id', () => {
    const rows = locatorRows([
      makeEvent({ event_id: 'b', session_id: 's1', start_time: T0 }),
      makeEvent({ event_id: 'a', session_id: 's1', start_time: T0 + 2 * DAY }),
      makeEvent({ event_id: 'b', session_id: 's1', start_time: T0 }),
      makeEvent({ event_id: 's1', session_id: 's1', start_time: T0 - DAY }),
    ]);
    expect(rows).toEqual([
      { kind: 'event', id: 'a', session_id: 's1', dt: '2026-03-06' },
      { kind: 'event', id: 'b', session_id: 's1', dt: '2026-03-04' },
      { kind: 'event', id: 's1', session_id: 's1', dt: '2026-03-03' },
      { kind: 'session', id: 's1', session_id: null, dt: '2026-03-03' },
      { kind: 'session', id: 's1', session_id: null, dt: '2026-03-04' },
      { kind: 'session', id: 's1', session_id: null, dt: '2026-03-06' },
    ]);
  });

  it('puts a time outside the store range on the edge day the writer clamps it to', () => {
    expect(locatorRows([makeEvent({ start_time: -5 })])[0]?.dt).toBe('2000-01-01');
  });

  it('names files by tier, and knows a tier only from a locator file name', () => {
    const key = locatorFileKey('p%2F1', 3, 'batch-1');
    expect(key).toBe('locator/project_id=p%2F1/t3-batch-1.parquet');
    expect(locatorTier(key)).toBe(3);
    expect(locatorTier('locator/project_id=p/notes.txt')).toBeUndefined();
  });
});

describe('mergeLocator', () => {
  it('leaves fewer files than a merge takes alone', async () => {
    const store = new FaultyMemoryStore();
    for (let batch = 0; batch < 7; batch++) await putBatch(store, `b${batch}`, [row(batch)]);
    const result = await mergeLocator(store, 'proj-1', { now: T0 });
    expect(result).toMatchObject({ filesRead: 0, written: [], deleted: [], files: 7 });
  });

  it('merges the batch files into one file of the next tier, rows distinct and sorted, and deletes them after', async () => {
    const store = new FaultyMemoryStore();
    const batches: string[] = [];
    for (let batch = 0; batch < 10; batch++)
      batches.push(await putBatch(store, `b${batch}`, [row(9 - batch), row(0)]));
    const result = await mergeLocator(store, 'proj-1', { now: T0 });
    expect(result.written).toHaveLength(1);
    expect(locatorTier(result.written[0] as string)).toBe(1);
    expect(result.deleted.sort()).toEqual(batches.sort());
    expect(store.keys('locator/')).toEqual(result.written);
    expect(await rowsIn(store)).toEqual([...Array(10).keys()].map(row));
    // The merged file is written before any input goes.
    expect(store.putKeys.indexOf(result.written[0] as string)).toBeGreaterThan(-1);
  });

  it('cascades: eight files of a tier become one of the next, so files stay logarithmic in batches', async () => {
    const store = new FaultyMemoryStore();
    let merges = 0;
    // 8 runs of 8 batches: each run makes one tier-1 file; the 8th run also merges them into tier 2.
    for (let run = 0; run < 8; run++) {
      for (let batch = 0; batch < 8; batch++)
        await putBatch(store, `r${run}-b${batch}`, [row(run * 8 + batch)]);
      const result = await mergeLocator(store, 'proj-1', { now: T0 + run });
      merges += result.written.length;
    }
    expect(store.keys('locator/').map(locatorTier)).toEqual([2]);
    expect(merges).toBe(9);
    expect(await rowsIn(store)).toHaveLength(64);
  });

  it('moves a file that reaches the row bound to the final tier, never to be merged again', async () => {
    const store = new FaultyMemoryStore();
    for (let batch = 0; batch < 8; batch++)
      await putBatch(store, `b${batch}`, [row(batch * 2), row(batch * 2 + 1)]);
    const result = await mergeLocator(store, 'proj-1', { now: T0, maxRowsPerFile: 6 });
    // Files are taken until 6 rows (3 files); the 5 left wait for a full merge's worth.
    expect(result.written.map(locatorTier)).toEqual([FINAL_LOCATOR_TIER]);
    expect(result.files).toBe(6);
    expect(await rowsIn(store)).toHaveLength(16);
    for (let batch = 8; batch < 11; batch++) await putBatch(store, `b${batch}`, [row(100 + batch)]);
    const again = await mergeLocator(store, 'proj-1', { now: T0 + 1, maxRowsPerFile: 6 });
    // 8 batch files again: 3 more (6 rows) become a final file; the final files are not read.
    expect(again.written.map(locatorTier)).toEqual([FINAL_LOCATOR_TIER]);
    expect(again.deleted.every((key) => locatorTier(key) === 0)).toBe(true);
    expect(again.files).toBe(store.keys('locator/').length);
    expect(await rowsIn(store)).toHaveLength(19);
  });

  it('keeps every input when the merged file cannot be written, and a later run converges', async () => {
    const store = new FaultyMemoryStore();
    for (let batch = 0; batch < 8; batch++) await putBatch(store, `b${batch}`, [row(batch)]);
    store.failPut = (key) => key.includes('/t1-');
    await expect(mergeLocator(store, 'proj-1', { now: T0 })).rejects.toThrow(/simulated put failure/);
    expect(store.keys('locator/')).toHaveLength(8);
    store.failPut = () => false;
    store.failDelete = (key) => key.endsWith('t0-b3.parquet');
    await expect(mergeLocator(store, 'proj-1', { now: T0 + 1 })).rejects.toThrow();
    // The merged file and one undeleted input hold the same row twice: one row to a reader.
    store.failDelete = () => false;
    const rows = await rowsIn(store);
    expect(new Set(rows.map((located) => located.id)).size).toBe(8);
  });
});

describe('rebuildLocator', () => {
  it('locates the events of a store written before the locator, as the writer would have, once', async () => {
    const store = new FaultyMemoryStore();
    await writeRecords(
      [
        {
          messageId: 'm1',
          records: [
            eventRecord({ event_id: 'a', session_id: 's1' }),
            eventRecord({ event_id: 'b', session_id: 's1', start_time: T0 + 3 * DAY }),
            eventRecord({ event_id: 'c', session_id: 's2', project_id: 'proj-2' }),
          ],
        },
      ],
      { store, lookupLatest: async () => new Map(), batchId: 'b1' },
    );
    const byWriter = sortRows(await rowsIn(store));
    for (const key of store.keys('locator/')) await store.delete(key);
    expect(await needsLocatorRebuild(store)).toBe(true);

    const result = await rebuildLocator(store, { now: T0 });
    expect(result).toEqual({ filesRead: 3, rows: 6, projects: 2 });
    expect(await needsLocatorRebuild(store)).toBe(false);
    expect(sortRows(await rowsIn(store))).toEqual(byWriter);
    // Again: the same files, overwritten, not added to.
    const files = store.keys('locator/');
    await rebuildLocator(store, { now: T0 });
    expect(store.keys('locator/')).toEqual(files);
  });

  it('is not needed for an empty store', async () => {
    expect(await needsLocatorRebuild(new FaultyMemoryStore())).toBe(false);
  });
});

function sortRows(rows: LocatorRow[]): string[] {
  return rows.map((located) => JSON.stringify(located)).sort();
}
