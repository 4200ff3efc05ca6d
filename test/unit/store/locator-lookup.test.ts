/** Reading the id locator for the days of some ids (what compaction's deletion checks use). */
import { describe, expect, it } from 'vitest';
import {
  LOCATOR_COLUMNS,
  type LocatorRow,
  locatorFileKey,
  locatorParquetRows,
} from '../../../lambdas/domain/store/locator';
import { type LocatorLookupStats, locatedDays } from '../../../lambdas/domain/store/locator-lookup';
import { mergeLocator } from '../../../lambdas/domain/store/locator-merge';
import { writeParquet } from '../../../lambdas/domain/store/parquet-files';
import { writeRecords } from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, T0 } from './store-fixtures';

const DAY = 86_400_000;

const eventRow = (id: string, dt: string, session = 's'): LocatorRow => ({
  kind: 'event',
  id,
  session_id: session,
  dt,
});

async function putFile(store: FaultyMemoryStore, name: string, rows: LocatorRow[], rowGroupSize?: number) {
  await store.put(
    locatorFileKey('proj-1', 0, name),
    writeParquet(LOCATOR_COLUMNS, locatorParquetRows(rows), { rowGroupSize }),
  );
}

const stats = (): LocatorLookupStats => ({ files: 0, rowGroups: 0, rowGroupsRead: 0 });

describe('locatedDays', () => {
  it('knows nothing of a project without locator files, even when another project has some', async () => {
    const store = new FaultyMemoryStore();
    await store.put(
      locatorFileKey('other', 0, 'b1'),
      writeParquet(LOCATOR_COLUMNS, locatorParquetRows([eventRow('a', '2026-03-04')])),
    );
    await store.put('locator/project_id=proj-1/notes.txt', new Uint8Array([1]));
    expect(await locatedDays(store, 'proj-1', { eventIds: ['a'], sessionIds: [] })).toBeUndefined();
  });

  it('gives the days of event ids and session ids as the writer located them, across batch and merged files', async () => {
    const store = new FaultyMemoryStore();
    const write = async (batchId: string, records: ReturnType<typeof eventRecord>[]) =>
      writeRecords([{ messageId: batchId, records }], {
        store,
        lookupLatest: async () => new Map(),
        batchId,
      });
    for (let batch = 0; batch < 8; batch++) {
      await write(`b${batch}`, [
        eventRecord({ event_id: `e${batch}`, session_id: 'long', start_time: T0 + batch * DAY }),
      ]);
    }
    await mergeLocator(store, 'proj-1', { now: T0 + 9 * DAY });
    await write('late', [
      eventRecord({ event_id: 'e0', session_id: 'long', start_time: T0 + 20 * DAY }),
      eventRecord({ event_id: 'same', session_id: 'e3', start_time: T0 + 30 * DAY }),
    ]);
    expect(store.keys('locator/')).toHaveLength(2);

    const located = await locatedDays(store, 'proj-1', {
      eventIds: ['e0', 'e3', 'unknown'],
      sessionIds: ['long', 'e3', 'gone'],
    });
    expect(located?.event).toEqual(
      new Map([
        ['e0', new Set(['2026-03-04', '2026-03-24'])],
        ['e3', new Set(['2026-03-07'])],
      ]),
    );
    // Kinds stay apart: 'e3' as a session is the session of event 'same', not event e3.
    expect(located?.session).toEqual(
      new Map([
        [
          'long',
          new Set([4, 5, 6, 7, 8, 9, 10, 11, 24].map((day) => `2026-03-${String(day).padStart(2, '0')}`)),
        ],
        ['e3', new Set(['2026-04-03'])],
      ]),
    );
    expect(await locatedDays(store, 'proj-1', { eventIds: [], sessionIds: [] })).toEqual({
      event: new Map(),
      session: new Map(),
    });
  });

  it('decodes only the row groups whose id range can hold a sought id, and misses none', async () => {
    const store = new FaultyMemoryStore();
    const rows = Array.from({ length: 1000 }, (_, index) =>
      eventRow(
        `evt-${String(index).padStart(4, '0')}`,
        `2026-03-${String(1 + (index % 28)).padStart(2, '0')}`,
      ),
    );
    await putFile(store, 'big', rows, 10);
    const sought = [0, 9, 10, 505, 999].map((index) => rows[index] as LocatorRow);
    const read = stats();
    const located = await locatedDays(
      store,
      'proj-1',
      { eventIds: [...sought.map((row) => row.id), 'evt-0500x', 'zzz'], sessionIds: [] },
      read,
    );
    expect(located?.event).toEqual(new Map(sought.map((row) => [row.id, new Set([row.dt])])));
    // Groups of 10 rows: [0-9], [10-19], [500-509] (also for 'evt-0500x'), [990-999]; 'zzz' is past them all.
    expect(read).toEqual({ files: 1, rowGroups: 100, rowGroupsRead: 4 });
  });

  it('reads every row group of a file without id bounds (non-ASCII ids), and still finds each id', async () => {
    const store = new FaultyMemoryStore();
    const ids = ['évt-1', 'evt-2', '事件-3', 'evt-😀', 'evt-～'];
    await putFile(
      store,
      'unicode',
      ids.map((id, index) => eventRow(id, `2026-03-0${index + 1}`)),
      2,
    );
    const read = stats();
    const located = await locatedDays(
      store,
      'proj-1',
      { eventIds: ['evt-～', '事件-3'], sessionIds: [] },
      read,
    );
    expect(located?.event).toEqual(
      new Map([
        ['事件-3', new Set(['2026-03-03'])],
        ['evt-～', new Set(['2026-03-05'])],
      ]),
    );
    expect(read.rowGroupsRead).toBe(read.rowGroups);
  });

  it('fails rather than answer without a file it listed', async () => {
    const store = new FaultyMemoryStore();
    await putFile(store, 'b1', [eventRow('a', '2026-03-04')]);
    const vanishing = {
      put: store.put.bind(store),
      delete: store.delete.bind(store),
      list: store.list.bind(store),
      get: async () => undefined,
    };
    await expect(locatedDays(vanishing, 'proj-1', { eventIds: ['a'], sessionIds: [] })).rejects.toThrow(
      /disappeared/,
    );
  });
});
