/**
 * Compaction's work follows what changed, not history: a project with a short and a long history of
 * compacted hours (written by the real writer, so with its id locator, merged by the first run) gets
 * the same new batch (one late event into one old hour) and one deletion, and the compaction run
 * after each is timed and its store operations counted. The rows compare the two histories side by
 * side; the ratio is what matters (1.0x: the history did not add work). Last, the locator files are
 * removed and the deletion measured again: a store from before the locator, whose deletions check
 * every compacted hour they reach (what every deletion cost before the locator).
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
/** Each change is made this many times (other hours, other ids); the rows give the median run. */
const REPEATS = 9;

const LATE = 'one late event into one old hour';
const DELETION = 'one deletion (event in one old hour)';
const DELETION_WITHOUT_LOCATOR = 'one deletion, store from before the id locator';
const NOTHING = 'nothing changed';
const ROW_ORDER = [LATE, DELETION, DELETION_WITHOUT_LOCATOR, NOTHING];

interface CompactionBenchRow {
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

    const runs = new Map<string, Array<{ ms: number; operations: number }>>();
    const run = async (name: string) => {
      now += HOUR;
      const counted = counting(store);
      const started = performance.now();
      await createCompactionJob(counted.store, { clock: () => now })();
      const list = runs.get(name) ?? [];
      list.push({ ms: performance.now() - started, operations: counted.count() });
      runs.set(name, list);
    };
    const deleteEvent = async (id: string) => {
      await write(store, `deletion-${id}`, [
        {
          kind: 'tombstone',
          tombstone: {
            org_id: 'org-1',
            workspace_id: 'ws-1',
            project_id: 'bench',
            target: 'event',
            id,
            deleted_at: now,
          },
        },
      ]);
    };
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      await write(store, `late-${repeat}`, [
        { kind: 'event', event: event(`late-${repeat}`, T0 + (1 + repeat) * HOUR + 5) },
      ]);
      await run(LATE);
    }
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      await deleteEvent(`h${1 + repeat}-e7`);
      await run(DELETION);
    }
    for (let repeat = 0; repeat < REPEATS; repeat++) await run(NOTHING);
    const locatorFiles: string[] = [];
    for await (const key of store.list('locator/')) locatorFiles.push(key);
    for (const key of locatorFiles) await store.delete(key);
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      await deleteEvent(`h${10 + repeat}-e7`);
      await run(DELETION_WITHOUT_LOCATOR);
    }
    const rows = ROW_ORDER.map((name): CompactionBenchRow => {
      const measured = runs.get(name) ?? [];
      return {
        name,
        historyHours,
        ms: median(measured.map((one) => one.ms)),
        operations: median(measured.map((one) => one.operations)),
      };
    });
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The same changes over a short and a long history. */
export async function measureCompaction(shortHours = 24, longHours = 240): Promise<CompactionBenchRow[]> {
  // A first, discarded pass: the short history would otherwise pay for the code's first runs.
  await measure(4);
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
    `One project, ${EVENTS_PER_HOUR} events per hour stored by the writer (with its id locator), every hour compacted; then the same`,
    `changes over a history of ${first?.historyHours} and of ${last?.historyHours} hours (local file store; bench/store/compaction-bench.ts), each made`,
    `${REPEATS} times (other hours, other ids; the median run shown). Store operations counted per run (list, get, put, delete).`,
    "A deletion asks the project's id locator which days hold its target, reads the id columns of the compacted hours",
    'of those days only and rewrites the hour that holds the target. The locator has few files (compaction merges them),',
    'and of each only the row group whose id range holds the target is decoded: at most 20,000 rows, so once its merged',
    "file is past one group (the long history's is, the short one's is not) a lookup costs the same whatever the history,",
    'and grows only by one final file per million locator rows. The third row is the same deletion with the locator files',
    'removed, as in a store from before the locator: every compacted hour it reaches is checked, as all deletions were before.',
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
