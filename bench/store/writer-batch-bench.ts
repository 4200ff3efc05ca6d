/**
 * The writer function's whole path on one SQS batch, as the Lambda runs it: queue messages as ingest
 * packs them (gzip-packed records, 500 a message) -> read and check every record -> group by
 * partition -> Parquet -> the object store (in memory here, so S3 time is left out). Beside it, in
 * the same run, the encoder alone on the same events: the difference is what reading the messages
 * and resolving the batch cost. Run alone: npx tsx bench/store/writer-batch-bench.ts [events]
 */
import { performance } from 'node:perf_hooks';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventRecord, WaggleEvent } from '../../lambdas/domain/events/event';
import { recordsMessageBody } from '../../lambdas/domain/ingest/queue-envelope';
import { EVENT_COLUMNS } from '../../lambdas/domain/store/columns';
import { eventRowValues } from '../../lambdas/domain/store/event-row';
import { writeParquetRows } from '../../lambdas/domain/store/parquet-files';
import { createWriterHandler } from '../../lambdas/writer/app';
import { MemoryObjectStore } from '../../test/support/memory-ports';
import { collectGarbage } from '../harness';
import { makeBenchEvents } from './writer-bench';

interface WriterBatchBenchResult {
  events: number;
  messages: number;
  files: number;
  /** Events per second through the handler (best run). */
  handlerEventsPerSecond: number;
  /** Events per second through the encoder alone (best run). */
  encoderEventsPerSecond: number;
}

const RECORDS_PER_MESSAGE = 500;

function sqsBatch(events: readonly WaggleEvent[]): SQSEvent {
  const records: SQSRecord[] = [];
  for (let start = 0; start < events.length; start += RECORDS_PER_MESSAGE) {
    const serialized = events
      .slice(start, start + RECORDS_PER_MESSAGE)
      .map((event) => JSON.stringify({ kind: 'event', event } satisfies EventRecord));
    records.push({ messageId: `m-${start}`, body: recordsMessageBody(serialized) } as SQSRecord);
  }
  return { Records: records };
}

export async function measureWriterBatch(count = 50_000, repeats = 5): Promise<WriterBatchBenchResult> {
  const events = makeBenchEvents(count);
  const batch = sqsBatch(events);
  let files = 0;
  const runHandler = async () => {
    const store = new MemoryObjectStore();
    const handler = createWriterHandler({
      store,
      overflowStore: store,
      lookupLatest: async () => new Map(),
    });
    const response = await handler(batch);
    if (response.batchItemFailures.length > 0) throw new Error('the bench batch failed');
    files = store.objects.size;
  };
  const runEncoder = () =>
    writeParquetRows(
      EVENT_COLUMNS,
      events.length,
      (index) => eventRowValues(events[index] as WaggleEvent).values,
    );

  await runHandler();
  runEncoder();
  let handlerSeconds = Number.POSITIVE_INFINITY;
  let encoderSeconds = Number.POSITIVE_INFINITY;
  for (let run = 0; run < repeats; run++) {
    collectGarbage();
    let started = performance.now();
    await runHandler();
    handlerSeconds = Math.min(handlerSeconds, (performance.now() - started) / 1000);
    collectGarbage();
    started = performance.now();
    runEncoder();
    encoderSeconds = Math.min(encoderSeconds, (performance.now() - started) / 1000);
  }
  return {
    events: count,
    messages: batch.Records.length,
    files,
    handlerEventsPerSecond: count / handlerSeconds,
    encoderEventsPerSecond: count / encoderSeconds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureWriterBatch(Number(process.argv[2] ?? 50_000));
  console.log(
    `${result.events} events in ${result.messages} messages -> ${result.files} file(s): handler ${Math.round(result.handlerEventsPerSecond)} events/s, encoder alone ${Math.round(result.encoderEventsPerSecond)} events/s (${(result.handlerEventsPerSecond / result.encoderEventsPerSecond).toFixed(2)}x)`,
  );
}
