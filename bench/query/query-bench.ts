/**
 * Query latency over a generated event store: a session lookup (getSession) and a filtered export
 * through createEventQueryService on the DuckDB engine, over events written by the store's own Parquet
 * writer into its Hive layout, one file per hour partition, with the id locator compaction leaves.
 * Run alone: npx tsx bench/query/query-bench.ts [events]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDuckDbQueryEngine } from '../../lambdas/adapters/local/duckdb-query-engine';
import type { Tenant } from '../../lambdas/domain/events/event';
import { createEventQueryService } from '../../lambdas/domain/query/event-query-service';
import { EVENT_COLUMNS, type EventRowValues } from '../../lambdas/domain/store/columns';
import { EVENTS_PREFIX, hourPartitionOf, partitionPrefix } from '../../lambdas/domain/store/layout';
import {
  LOCATOR_COLUMNS,
  type LocatorRow,
  locatorParquetRows,
  locatorPartition,
  locatorRows,
  mergeLocatorRows,
} from '../../lambdas/domain/store/locator';
import {
  DEFAULT_MAX_LOCATOR_ROWS_PER_FILE,
  FINAL_LOCATOR_TIER,
} from '../../lambdas/domain/store/locator-merge';
import { writeParquet, writeParquetRows } from '../../lambdas/domain/store/parquet-files';

interface QueryBenchOptions {
  events: number;
  /** Timed repeats per query (after one warm-up). */
  repeats?: number;
}

interface QueryLatency {
  name: string;
  p50Ms: number;
  p99Ms: number;
}

interface QueryBenchResult {
  events: number;
  files: number;
  generateMs: number;
  latencies: QueryLatency[];
}

const TENANT: Tenant = { org_id: 'bench-org', workspace_id: 'bench-ws', project_id: 'bench-project' };
const EVENTS_PER_SESSION = 10;
const START = Date.UTC(2026, 0, 1);
/** Events spread over a week: 168 hour partitions. */
const SPAN_MS = 7 * 86_400_000;

export async function measureQueries(options: QueryBenchOptions): Promise<QueryBenchResult> {
  const repeats = options.repeats ?? 50;
  const root = await mkdtemp(join(tmpdir(), 'waggle-query-bench-'));
  try {
    const generateStarted = performance.now();
    const files = await generateStore(root, options.events);
    const generateMs = performance.now() - generateStarted;
    const engine = await createDuckDbQueryEngine({ storeRoot: root });
    try {
      // Read as of the day after the week, so the default window (30 days) holds the whole store.
      const service = createEventQueryService(engine, { clock: () => START + SPAN_MS + 86_400_000 });
      const sessions = Math.floor(options.events / EVENTS_PER_SESSION);
      const sessionLookup = await timeRepeats('session lookup (getSession)', repeats, async (i) => {
        const sessionId = `s-${(i * 7919) % sessions}`;
        const result = await service.getSession(TENANT, sessionId);
        if (result?.rollup.num_events !== EVENTS_PER_SESSION - 1) throw new Error(`bad session ${sessionId}`);
      });
      const filteredExport = await timeRepeats(
        'filtered export (model events, metadata.tier, 100 rows)',
        repeats,
        async () => {
          const result = await service.exportEvents(TENANT, {
            filters: [
              { field: 'event_type', operator: 'is', value: 'model' },
              { field: 'metadata.tier', operator: 'is', value: 'gold' },
              { field: 'cost', operator: 'greater than', value: 0.001 },
            ],
            limit: 100,
            page: 1,
          });
          if (result.events.length === 0) throw new Error('export found nothing');
        },
      );
      const dayExport = await timeRepeats('filtered export within one day (dateRange)', repeats, async () => {
        const result = await service.exportEvents(TENANT, {
          filters: [{ field: 'event_type', operator: 'is', value: 'model' }],
          dateRange: { from: START + 86_400_000, to: START + 2 * 86_400_000 },
          limit: 100,
          page: 1,
        });
        if (result.events.length === 0) throw new Error('export found nothing');
      });
      return {
        events: options.events,
        files,
        generateMs,
        latencies: [sessionLookup, filteredExport, dayExport],
      };
    } finally {
      engine.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * Writes `count` events with the store's own Parquet writer, one file per hour partition as the
 * writer lays them out: sessions of 10 (a session event and 9 children), in start_time order.
 */
async function generateStore(root: string, count: number): Promise<number> {
  const step = SPAN_MS / count;
  const startOf = (i: number) => Math.floor(START + i * step);
  let files = 0;
  let first = 0;
  const located: LocatorRow[][] = [];
  while (first < count) {
    const partition = hourPartitionOf(TENANT.project_id, startOf(first));
    let end = first;
    while (end < count && hourPartitionOf(TENANT.project_id, startOf(end)).hour === partition.hour) end++;
    const dir = join(root, partitionPrefix(EVENTS_PREFIX, partition));
    await mkdir(dir, { recursive: true });
    const body = writeParquetRows(EVENT_COLUMNS, end - first, (index) => eventRow(first + index, startOf));
    await writeFile(join(dir, 'bench.parquet'), body);
    files++;
    for (let i = first; i < end; i++) located.push(locatorRowsOf(i, startOf));
    first = end;
  }
  return files + (await writeLocator(root, located));
}

/** The id locator as compaction leaves it: merged files of at most a million rows, sorted by id. */
async function writeLocator(root: string, located: LocatorRow[][]): Promise<number> {
  const rows = mergeLocatorRows(located);
  const dir = join(root, locatorPartition(encodeURIComponent(TENANT.project_id)));
  await mkdir(dir, { recursive: true });
  let files = 0;
  for (let start = 0; start < rows.length; start += DEFAULT_MAX_LOCATOR_ROWS_PER_FILE) {
    const chunk = rows.slice(start, start + DEFAULT_MAX_LOCATOR_ROWS_PER_FILE);
    const body = writeParquet(LOCATOR_COLUMNS, locatorParquetRows(chunk), { rowGroupSize: 20_000 });
    await writeFile(join(dir, `t${FINAL_LOCATOR_TIER}-bench-${files}.parquet`), body);
    files++;
  }
  return files;
}

function locatorRowsOf(i: number, startOf: (i: number) => number): LocatorRow[] {
  const session = `s-${Math.floor(i / EVENTS_PER_SESSION)}`;
  const eventId = i % EVENTS_PER_SESSION === 0 ? session : `e-${i}`;
  return locatorRows([{ event_id: eventId, session_id: session, start_time: startOf(i) }]);
}

/** Event `i` as the writer stores it (values in EVENT_COLUMNS order). */
function eventRow(i: number, startOf: (i: number) => number): EventRowValues {
  const session = `s-${Math.floor(i / EVENTS_PER_SESSION)}`;
  const isSession = i % EVENTS_PER_SESSION === 0;
  const isModel = !isSession && i % 3 === 0;
  const start = startOf(i);
  return [
    isSession ? session : `e-${i}`,
    1,
    TENANT.org_id,
    TENANT.workspace_id,
    session,
    isSession ? null : session,
    '[]',
    null,
    null,
    isSession ? 'session' : isModel ? 'model' : 'tool',
    `step-${i % 17}`,
    'bench',
    start,
    start + 250,
    250,
    i % 3 === 0 ? 'gpt-4o' : null,
    null,
    100,
    20,
    120,
    (i % 100) / 10_000,
    null,
    '{}',
    `{"prompt":"question number ${i} about something reasonably long"}`,
    '{"text":"an answer of a typical length for a generated event"}',
    `{"tier":"${i % 5 === 0 ? 'gold' : 'silver'}"}`,
    '{}',
    '{}',
    `{"user_id":"u-${i % 1000}"}`,
    null,
    null,
    start + 1000,
    false,
  ];
}

async function timeRepeats(
  name: string,
  repeats: number,
  run: (i: number) => Promise<void>,
): Promise<QueryLatency> {
  await run(repeats);
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { name, p50Ms: at(0.5), p99Ms: at(0.99) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const events = Number(process.argv[2] ?? 1_000_000);
  const result = await measureQueries({ events });
  console.log(
    `${result.events} events in ${result.files} files, generated in ${result.generateMs.toFixed(0)} ms`,
  );
  for (const row of result.latencies)
    console.log(`  ${row.name}: p50 ${row.p50Ms.toFixed(1)} ms, p99 ${row.p99Ms.toFixed(1)} ms`);
}
