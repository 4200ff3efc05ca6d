/**
 * The writer function's logic: one SQS batch from the events queue -> Parquet files in the event
 * store, answering with the messages to retry (ReportBatchItemFailures). A message that cannot be
 * read (bad envelope, missing overflow object) is reported failed on its own; it never fails the
 * rest of the batch. Raw-request messages are archived, one object per batch (raw-batch-archive.ts),
 * before they are acknowledged; if that write fails only they are retried. A poison message (one that can never be written: a malformed record, a value
 * the store cannot hold) is kept in the dead-letter archive at once, with its reason, and not
 * retried; only if that archive write fails is it reported failed, to come back later. An update
 * whose event is not stored yet waits in the pending-update store (no retry, no dead letter) and is
 * folded into its event when that is written. No AWS imports: the handler and the local platform
 * wire their own stores.
 */
import { gunzipSync } from 'node:zlib';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EventRecord, WaggleEvent } from '../domain/events/event';
import { parseQueueEnvelope, type QueueEnvelope } from '../domain/ingest/queue-envelope';
import { archiveRawRequests, type QueuedRawRequest } from '../domain/ingest/raw-batch-archive';
import type { ObjectStore } from '../domain/ports';
import { newBatchId } from '../domain/store/batch-id';
import { deadLetterBody, deadLetterKey } from '../domain/store/dead-letter';
import type { PendingUpdateStore } from '../domain/store/pending-updates';
import {
  type LookupLatest,
  type PoisonMessage,
  type WriteBatchDeps,
  type WriteBatchResult,
  type WriteFailure,
  type WriteItem,
  writeRecords,
} from '../domain/store/write-batch';
import { TimeSlices } from '../domain/time-slices';

export interface WriterDeps {
  /** The event store bucket. */
  store: ObjectStore;
  /** Where ingest put records too big for a message (the raw archive bucket). */
  overflowStore: ObjectStore;
  /** Where raw requests are archived (raw/batches/); the raw archive bucket, so overflowStore by default. */
  rawArchive?: ObjectStore;
  lookupLatest: LookupLatest;
  /** Where updates wait for their event (the same store the read path merges from). */
  pendingUpdates?: PendingUpdateStore;
  /**
   * The new events of the batch once stored (online evaluation queues its tasks here). Must not
   * reject: its failures are its own to report, and never fail a message whose events are stored.
   */
  onEventsStored?: (events: WaggleEvent[]) => Promise<void>;
  clock?: () => number;
  /** Row, Parquet and concurrency settings passed to writeRecords. */
  tuning?: Pick<WriteBatchDeps, 'rowOptions' | 'parquet' | 'concurrency'>;
  /** Called once per batch with what was written, for metrics. */
  onWritten?: (summary: WriterSummary) => void;
  /** Called for each message or file that failed, for logging. Never given record contents. */
  onFailure?: (failure: WriterFailure) => void;
}

/** What one batch wrote. */
export type WriterSummary = {
  messages: number;
  failed: number;
  deadLettered: number;
} & WriteBatchResult['written'] & {
    pendingKept: number;
    pendingApplied: number;
    schemaFiles: number;
    schemaFilesFailed: number;
  };

/** One message or file the writer could not handle. */
export type WriterFailure =
  | WriteFailure
  | { stage: 'read'; messageId: string; error: unknown }
  | { stage: 'raw-archive'; messageId: string; error: unknown }
  | { stage: 'dead-letter'; messageId: string; error: unknown };

export type WriterHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export function createWriterHandler(deps: WriterDeps): WriterHandler {
  const clock = deps.clock ?? Date.now;
  return async (event) => {
    const unreadable: string[] = [];
    const items: WriteItem[] = [];
    const rawRequests: QueuedRawRequest[] = [];
    // Decompressing and parsing a full batch takes tens of milliseconds: in slices, so that the local
    // platform's other requests (the same thread) are not held up behind it (time-slices.ts).
    const slices = new TimeSlices();
    const reading: Promise<void>[] = [];
    for (const [index, message] of event.Records.entries()) {
      await slices.pauseIfDue();
      reading.push(
        (async () => {
          try {
            const envelope = parseQueueEnvelope(message.body);
            if ('rawRequest' in envelope) {
              const { receivedAt } = envelope.rawRequest.header;
              rawRequests.push({ messageId: message.messageId, body: message.body, receivedAt });
              return;
            }
            items[index] = { messageId: message.messageId, records: await readRecords(envelope, deps) };
          } catch (error) {
            unreadable.push(message.messageId);
            deps.onFailure?.({ stage: 'read', messageId: message.messageId, error });
          }
        })(),
      );
    }
    await Promise.all(reading);
    const readable = items.filter((item): item is WriteItem => item !== undefined);
    const batchId = newBatchId(clock());
    // The raw archive is written beside the event files; either's failures retry only their messages.
    const archivingRaw = archiveRawRequests(
      rawRequests,
      deps.rawArchive ?? deps.overflowStore,
      batchId,
      (messageIds, error) => {
        for (const messageId of messageIds) deps.onFailure?.({ stage: 'raw-archive', messageId, error });
      },
    );
    const result = await writeRecords(readable, {
      ...deps.tuning,
      store: deps.store,
      lookupLatest: deps.lookupLatest,
      pendingUpdates: deps.pendingUpdates,
      clock,
      batchId,
      onFailure: deps.onFailure,
    });
    const notArchived = await archivePoison(event.Records, result.poisonMessages, deps, clock);
    const raw = await archivingRaw;
    const failed = [...unreadable, ...result.failedMessageIds, ...notArchived, ...raw.failedMessageIds];
    if (deps.onEventsStored) {
      const notStored = new Set([...failed, ...result.poisonMessages.map(({ messageId }) => messageId)]);
      const stored = readable
        .filter(({ messageId }) => !notStored.has(messageId))
        .flatMap(({ records }) =>
          records.flatMap((record) => (record.kind === 'event' ? [record.event] : [])),
        );
      if (stored.length > 0) await deps.onEventsStored(stored).catch(() => undefined);
    }
    deps.onWritten?.({
      messages: event.Records.length,
      failed: failed.length,
      deadLettered: result.poisonMessages.length - notArchived.length,
      ...result.written,
      pendingKept: result.pending?.kept ?? 0,
      pendingApplied: result.pending?.applied ?? 0,
      schemaFiles: result.schemas.files,
      schemaFilesFailed: result.schemas.failed,
    });
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/**
 * Keeps each poison message in the dead-letter archive (the same key the DLQ archiver would use,
 * so a message never lands there twice) with why it failed. Returns the ids whose archive write
 * failed: those are retried like any failed message.
 */
async function archivePoison(
  records: SQSRecord[],
  poison: PoisonMessage[],
  deps: WriterDeps,
  clock: () => number,
): Promise<string[]> {
  if (poison.length === 0) return [];
  const byId = new Map(records.map((record) => [record.messageId, record]));
  const notArchived: string[] = [];
  await Promise.all(
    poison.map(async ({ messageId, stage, reason }) => {
      const record = byId.get(messageId) as SQSRecord;
      const message = {
        messageId,
        body: record.body,
        attributes: { ...record.attributes },
        messageAttributes: { ...record.messageAttributes },
        eventSourceARN: record.eventSourceARN,
      };
      const now = clock();
      try {
        await deps.store.put(
          deadLetterKey(message, now),
          deadLetterBody(message, now, { code: stage, message: reason }),
          { contentType: 'application/json' },
        );
      } catch (error) {
        notArchived.push(messageId);
        deps.onFailure?.({ stage: 'dead-letter', messageId, error });
      }
    }),
  );
  return notArchived;
}

async function readRecords(envelope: QueueEnvelope, deps: WriterDeps): Promise<EventRecord[]> {
  if ('records' in envelope) return envelope.records;
  if (!('overflowKey' in envelope)) throw new Error('Not a records message');
  const object = await deps.overflowStore.get(envelope.overflowKey);
  // Missing: not visible yet or removed; failing lets SQS retry and, in the end, the archive keep it.
  if (object === undefined) throw new Error(`Overflow object ${envelope.overflowKey} is missing`);
  const parsed = JSON.parse(gunzipSync(object).toString('utf8')) as unknown;
  // Ingest stores one record per overflow object; an array is accepted too.
  return (Array.isArray(parsed) ? parsed : [parsed]) as EventRecord[];
}
