/**
 * The writer function's logic: one SQS batch from the events queue -> Parquet files in the event
 * store, answering with the messages to retry (ReportBatchItemFailures). A message that cannot be
 * read (bad envelope, missing overflow object) is reported failed on its own; it never fails the
 * rest of the batch. No AWS imports: the handler and the local platform wire their own stores.
 */
import { gunzipSync } from 'node:zlib';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { EventRecord } from '../domain/events/event';
import { parseQueueEnvelope } from '../domain/ingest/queue-envelope';
import type { ObjectStore } from '../domain/ports';
import { newBatchId } from '../domain/store/batch-id';
import {
  type LookupLatest,
  type WriteBatchDeps,
  type WriteBatchResult,
  type WriteFailure,
  type WriteItem,
  writeRecords,
} from '../domain/store/write-batch';

export interface WriterDeps {
  /** The event store bucket. */
  store: ObjectStore;
  /** Where ingest put records too big for a message (the raw archive bucket). */
  overflowStore: ObjectStore;
  lookupLatest: LookupLatest;
  clock?: () => number;
  /** Row, Parquet and concurrency settings passed to writeRecords. */
  tuning?: Pick<WriteBatchDeps, 'rowOptions' | 'parquet' | 'concurrency'>;
  /** Called once per batch with what was written, for metrics. */
  onWritten?: (summary: { messages: number; failed: number } & WriteBatchResult['written']) => void;
  /** Called for each message or file that failed, for logging. Never given record contents. */
  onFailure?: (failure: WriteFailure | { stage: 'read'; messageId: string; error: unknown }) => void;
}

export type WriterHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createWriterHandler(deps: WriterDeps): WriterHandler {
  const clock = deps.clock ?? Date.now;
  return async (event) => {
    const unreadable: string[] = [];
    const items: WriteItem[] = [];
    await Promise.all(
      event.Records.map(async (message, index) => {
        try {
          items[index] = { messageId: message.messageId, records: await readRecords(message.body, deps) };
        } catch (error) {
          unreadable.push(message.messageId);
          deps.onFailure?.({ stage: 'read', messageId: message.messageId, error });
        }
      }),
    );
    const readable = items.filter((item): item is WriteItem => item !== undefined);
    const result = await writeRecords(readable, {
      ...deps.tuning,
      store: deps.store,
      lookupLatest: deps.lookupLatest,
      clock,
      batchId: newBatchId(clock()),
      onFailure: deps.onFailure,
    });
    const failed = [...unreadable, ...result.failedMessageIds];
    deps.onWritten?.({ messages: event.Records.length, failed: failed.length, ...result.written });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

async function readRecords(body: string, deps: WriterDeps): Promise<EventRecord[]> {
  const envelope = parseQueueEnvelope(body);
  if ('records' in envelope) return envelope.records;
  const object = await deps.overflowStore.get(envelope.overflowKey);
  // Missing: not visible yet or removed; failing lets SQS retry and, in the end, the archive keep it.
  if (object === undefined) throw new Error(`Overflow object ${envelope.overflowKey} is missing`);
  const parsed = JSON.parse(gunzipSync(object).toString('utf8')) as unknown;
  // Ingest stores one record per overflow object; an array is accepted too.
  return (Array.isArray(parsed) ? parsed : [parsed]) as EventRecord[];
}
