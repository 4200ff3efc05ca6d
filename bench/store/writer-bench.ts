/**
 * Writer benchmark: Waggle's Parquet writer (event -> row -> ZSTD Parquet, one JavaScript thread)
 * beside DuckDB's own `COPY ... TO (FORMAT parquet)` of the very same rows in the same run, DuckDB
 * limited to one thread too. Rows are loaded into DuckDB from NDJSON first; only the COPY is timed.
 * The sides take turns `repeats` times and each side's fastest run counts (the machine may be busy).
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import type { WaggleEvent } from '../../lambdas/domain/events/event';
import { EVENT_COLUMNS, type EventRow } from '../../lambdas/domain/store/columns';
import { eventRowValues, eventToRow } from '../../lambdas/domain/store/event-row';
import {
  type ParquetWriteTuning,
  writeParquetRows,
  writeParquetRowValues,
} from '../../lambdas/domain/store/parquet-files';
import { collectGarbage } from '../harness';
import { seededRandom } from '../seeded-random';

interface WriterMeasurement {
  name: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  fileBytes: number;
  bytesPerEvent: number;
}

interface WriterBenchResult {
  /** The writer's path: events in, Parquet out (JSON sections serialized on the way). */
  waggle: WriterMeasurement;
  /** The encoder alone, from the same rows DuckDB copies (sections already JSON text). */
  encodeOnly: WriterMeasurement;
  duckdb: WriterMeasurement;
  duckdbZstd: WriterMeasurement;
  /** waggle rows/s divided by DuckDB's (default COPY); target >= 0.5. */
  speedRatio: number;
  /** waggle file size divided by DuckDB's (default COPY); target <= 1.5. */
  sizeRatio: number;
}

const DUCKDB_TYPES = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' } as const;
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4', 'llama-3.1-70b'] as const;
const TOOLS = ['search', 'calculator', 'retriever', 'sql'] as const;

function hex(next: () => number, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(next() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

/** GenAI-shaped events: sessions of ~10 events, chat inputs/outputs of a few hundred bytes. */
export function makeBenchEvents(count: number, seed = 42): WaggleEvent[] {
  const next = seededRandom(seed);
  const base = Date.UTC(2026, 2, 4, 5);
  const events: WaggleEvent[] = [];
  let sessionId = '';
  let traceId = '';
  for (let index = 0; index < count; index++) {
    if (index % 10 === 0) {
      sessionId = `${hex(next, 8)}-${hex(next, 4)}-4${hex(next, 3)}-a${hex(next, 3)}-${hex(next, 12)}`;
      traceId = hex(next, 32);
    }
    const isModel = next() < 0.6;
    const start = base + Math.floor(next() * 3_600_000);
    const duration = Math.floor(next() * 4000);
    const prompt = Math.floor(next() * 2000);
    const completion = Math.floor(next() * 500);
    const model = MODELS[Math.floor(next() * MODELS.length)] as string;
    events.push({
      org_id: 'org-bench',
      workspace_id: 'ws-bench',
      project_id: 'proj-bench',
      event_id: `${hex(next, 8)}-${hex(next, 4)}-4${hex(next, 3)}-b${hex(next, 3)}-${hex(next, 12)}`,
      version: base * 1000 + index,
      session_id: sessionId,
      parent_id: index % 10 === 0 ? null : sessionId,
      children_ids: [],
      trace_id: traceId,
      span_id: hex(next, 16),
      event_type: isModel ? 'model' : 'tool',
      event_name: isModel ? 'chat' : (TOOLS[Math.floor(next() * TOOLS.length)] as string),
      source: 'bench-app',
      start_time: start,
      end_time: start + duration,
      duration,
      model: isModel ? model : null,
      provider: isModel ? 'openai' : null,
      prompt_tokens: isModel ? prompt : null,
      completion_tokens: isModel ? completion : null,
      total_tokens: isModel ? prompt + completion : null,
      cost: isModel ? (prompt * 0.15 + completion * 0.6) / 1e6 : null,
      error: next() < 0.02 ? 'RateLimitError: too many requests' : null,
      config: isModel ? { temperature: 0.7, max_tokens: 1024, model } : {},
      inputs: {
        chat_history: [
          {
            role: 'system',
            content: 'You are a helpful assistant that answers questions about the order system.',
          },
          {
            role: 'user',
            content: `Question ${index}: where is order ${hex(next, 10)} and when will it arrive?`,
          },
        ],
      },
      outputs: {
        role: 'assistant',
        content: `Order ${hex(next, 10)} shipped on day ${Math.floor(next() * 28) + 1} and should arrive within ${Math.floor(next() * 9) + 1} days.`,
      },
      metadata: { 'service.name': 'bench-app', env: 'prod', region: 'us-east-1', request_id: hex(next, 16) },
      metrics: next() < 0.3 ? { relevance: Math.round(next() * 100) / 100 } : {},
      feedback: {},
      user_properties: { user_id: `user-${Math.floor(next() * 500)}`, plan: next() < 0.5 ? 'free' : 'pro' },
      ingested_at: start + duration + 500,
      deleted: false,
    });
  }
  return events;
}

export async function measureWriter(
  rows = 100_000,
  tuning: ParquetWriteTuning = {},
  repeats = 5,
): Promise<WriterBenchResult> {
  const events = makeBenchEvents(rows);
  const dir = await mkdtemp(join(tmpdir(), 'waggle-writer-bench-'));
  const duckdb = await openDuckDbCopy(
    dir,
    events.map((event) => eventToRow(event).row),
  );
  try {
    // Once untimed on each side, so that neither pays first-use costs (JIT, buffers) in the numbers.
    writeEvents(events, tuning);
    await duckdb.copy('warm.parquet', 'FORMAT parquet');

    // The sides take turns, so a slow spell of the machine lands on both rather than on one.
    const best = { waggle: Infinity, encodeOnly: Infinity, plain: Infinity, zstd: Infinity };
    let file: Uint8Array = new Uint8Array();
    for (let run = 0; run < repeats; run++) {
      collectGarbage();
      const started = performance.now();
      file = writeEvents(events, tuning);
      best.waggle = Math.min(best.waggle, (performance.now() - started) / 1000);
      collectGarbage();
      best.plain = Math.min(best.plain, await duckdb.copy('duckdb.parquet', 'FORMAT parquet'));
      collectGarbage();
      best.zstd = Math.min(
        best.zstd,
        await duckdb.copy('duckdb-zstd.parquet', 'FORMAT parquet, COMPRESSION zstd'),
      );
    }
    // The encoder alone, afterwards: the made rows stay alive throughout, which the writer's own
    // path never has (and which would slow its garbage collection in the runs above).
    const rowValues = events.map((event) => eventRowValues(event).values);
    let encodedFile: Uint8Array = new Uint8Array();
    for (let run = 0; run < repeats; run++) {
      collectGarbage();
      const started = performance.now();
      encodedFile = writeParquetRowValues(EVENT_COLUMNS, rowValues, tuning);
      best.encodeOnly = Math.min(best.encodeOnly, (performance.now() - started) / 1000);
    }
    const size = async (name: string) => (await stat(join(dir, name))).size;
    const waggle = measurement('Waggle writer: events to ZSTD Parquet', rows, best.waggle, file.byteLength);
    const encodeOnly = measurement(
      'Waggle encoder alone: rows already made (JSON sections as text) to ZSTD Parquet',
      rows,
      best.encodeOnly,
      encodedFile.byteLength,
    );
    const plain = measurement(
      'DuckDB COPY (FORMAT parquet), 1 thread',
      rows,
      best.plain,
      await size('duckdb.parquet'),
    );
    const zstd = measurement(
      'DuckDB COPY (FORMAT parquet, ZSTD), 1 thread',
      rows,
      best.zstd,
      await size('duckdb-zstd.parquet'),
    );
    return {
      waggle,
      encodeOnly,
      duckdb: plain,
      duckdbZstd: zstd,
      speedRatio: waggle.rowsPerSecond / plain.rowsPerSecond,
      sizeRatio: waggle.fileBytes / plain.fileBytes,
    };
  } finally {
    duckdb.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The writer's own path (write-batch.ts): each event made into a row as the encoder asks for it. */
function writeEvents(events: readonly WaggleEvent[], tuning: ParquetWriteTuning): Uint8Array {
  return writeParquetRows(
    EVENT_COLUMNS,
    events.length,
    (index) => eventRowValues(events[index] as WaggleEvent).values,
    tuning,
  );
}

/**
 * DuckDB with the same rows loaded into a table (from NDJSON, untimed) and one thread, so that
 * `copy` times only its COPY ... TO of them, in seconds.
 */
async function openDuckDbCopy(dir: string, rows: EventRow[]) {
  const ndjson = join(dir, 'rows.ndjson');
  await writeFile(ndjson, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run('SET threads = 1');
  const columns = EVENT_COLUMNS.map((column) => `'${column.name}': '${DUCKDB_TYPES[column.type]}'`).join(
    ', ',
  );
  await connection.run(
    `CREATE TABLE events AS SELECT * FROM read_json('${ndjson}', format = 'newline_delimited', columns = {${columns}})`,
  );
  return {
    async copy(file: string, options: string): Promise<number> {
      const started = performance.now();
      await connection.run(`COPY events TO '${join(dir, file)}' (${options})`);
      return (performance.now() - started) / 1000;
    },
    close: () => connection.closeSync(),
  };
}

function measurement(name: string, rows: number, seconds: number, fileBytes: number): WriterMeasurement {
  return { name, rows, seconds, rowsPerSecond: rows / seconds, fileBytes, bytesPerEvent: fileBytes / rows };
}

/** `npx tsx bench/store/writer-bench.ts [rows]` prints one measurement. */
if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureWriter(Number(process.argv[2] ?? 100_000));
  for (const row of [result.waggle, result.encodeOnly, result.duckdb, result.duckdbZstd]) {
    console.log(
      `${row.name}: ${Math.round(row.rowsPerSecond).toLocaleString('en-US')} rows/s, ${row.bytesPerEvent.toFixed(1)} bytes/event`,
    );
  }
  console.log(
    `speed ratio ${result.speedRatio.toFixed(2)} (target >= 0.5), size ratio ${result.sizeRatio.toFixed(2)} (target <= 1.5)`,
  );
}
