/**
 * Compaction's work follows what changed, not history: a project with a short and a long history of
 * compacted hours gets the same new batch (one late event into one old hour) and one deletion, and
 * the compaction run after each is timed and its store operations counted. The rows compare the two
 * histories side by side; the ratio is what matters (1.0x: the history did not add work).
 *
 * Run alone: npm exec -- tsx bench/store/compaction-bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileObjectStore } from '../../lambdas/adapters/local/file-object-store';
import { createCompactionJob } from '../../lambdas/compaction/app';
import type { EventRecord, WaggleEvent } from '../../lambdas/domain/events/event';
import type { DeletableObjectStore } from '../../lambdas/domain/ports';
import { writeRecords } from '../../lambdas/domain/store/write-batch';
import { makeEvent } from '../../test/unit/store/store-fixtures';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 4, 0, 0, 0);
const EVENTS_PER_HOUR = 200;

export interface CompactionBenchRow {
  name: string;
  historyHours: number;
  ms: number;
  operations: number;
}

/** A small tool event of the bench project (the store tests' fixture, with this bench's id and time). */
function event(id: string, startTime: number): WaggleEvent {
  return makeEvent({
    project_id: 'bench',
    event_id: id,
    session_id: `s-${id.slice(0, 6)}`,
    event_type: 'tool',
    start_time: startTime,
    end_time: startTime + 10,
    duration: 10,
    ingested_at: startTime,
  });
}

/** Counts every store call a compaction run makes. */
function counting(store: DeletableObjectStore): { store: DeletableObjectStore; count: () => number } {
  let calls = 0;
  const counted = <T>(result: T): T => {
    calls++;
    return result;
  };
  return {
    store: {
      put: (key, body, options) => counted(store.put(key, body, options)),
      get: (key) => counted(store.get(key)),
      list: (prefix) => counted(store.list(prefix)),
      delete: (key) => counted(store.delete(key)),
    },
    count: () => calls,
  };
}

async function write(store: DeletableObjectStore, batchId: string, records: EventRecord[]): Promise<void> {
  await writeRecords([{ messageId: batchId, records }], {
    store,
    lookupLatest: async () => new Map(),
    batchId,
  });
}

async function measure(historyHours: number): Promise<CompactionBenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'waggle-compaction-bench-'));
  try {
    const store = new FileObjectStore(dir);
    for (let hour = 0; hour < historyHours; hour++) {
      const records = Array.from({ length: EVENTS_PER_HOUR }, (_, index) => ({
        kind: 'event' as const,
        event: event(`h${hour}-e${index}`, T0 + hour * HOUR + index),
      }));
      await write(store, `history-${String(hour).padStart(5, '0')}`, records);
    }
    let now = T0 + (historyHours + 2) * HOUR;
    await createCompactionJob(store, { clock: () => now })();

    const rows: CompactionBenchRow[] = [];
    const run = async (name: string) => {
      now += HOUR;
      const counted = counting(store);
      const started = performance.now();
      await createCompactionJob(counted.store, { clock: () => now })();
      rows.push({ name, historyHours, ms: performance.now() - started, operations: counted.count() });
    };
    await write(store, 'late', [{ kind: 'event', event: event('late', T0 + HOUR + 5) }]);
    await run('one late event into one old hour');
    await write(store, 'deletion', [
      {
        kind: 'tombstone',
        tombstone: {
          org_id: 'org-1',
          workspace_id: 'ws-1',
          project_id: 'bench',
          target: 'event',
          id: 'h1-e7',
          deleted_at: now,
        },
      },
    ]);
    await run('one deletion (event in one old hour)');
    await run('nothing changed');
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same changes over a short and a long history. */
export async function measureCompaction(shortHours = 24, longHours = 240): Promise<CompactionBenchRow[]> {
  return [...(await measure(shortHours)), ...(await measure(longHours))];
}

export function formatCompactionSection(rows: CompactionBenchRow[]): string {
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const names = [...new Set(rows.map((row) => row.name))];
  const lines = names.map((name) => {
    const [short, long] = rows.filter((row) => row.name === name);
    if (short === undefined || long === undefined) throw new Error(`missing compaction rows for ${name}`);
    return `| ${name} | ${fmt(short.ms, 1)} ms, ${short.operations} ops | ${fmt(long.ms, 1)} ms, ${long.operations} ops | ${fmt(long.ms / Math.max(short.ms, 0.001), 2)}x time, ${fmt(long.operations / Math.max(short.operations, 1), 2)}x ops |`;
  });
  const [first] = rows;
  const last = rows.at(-1);
  return [
    '## Compaction: work follows what changed, not history',
    '',
    `One project, ${EVENTS_PER_HOUR} events per hour, every hour compacted; then the same changes over a history of`,
    `${first?.historyHours} and of ${last?.historyHours} hours (local file store; bench/store/compaction-bench.ts). Store operations`,
    'counted per run (list, get, put, delete). A deletion reads the id columns of the compacted hours it reaches and',
    'rewrites only the hour that holds its target; until an id locator exists, those id-column reads still grow with history.',
    '',
    `| change | ${first?.historyHours} hours of history | ${last?.historyHours} hours of history | long vs short |`,
    '|---|---:|---:|---:|',
    ...lines,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatCompactionSection(await measureCompaction()));
}
