/**
 * Puts event records on the events queue within the SQS limits: records are packed into messages
 * of at most `maxMessageBytes`, messages into SendMessageBatch calls of at most 10 entries and
 * 1 MiB. A record that cannot fit in a message is written to the overflow store first and the
 * message carries its key. Resolves only when every record is durably queued.
 */
import { gzipSync } from 'node:zlib';
import type { EventRecord } from '../events/event';
import type { MessageQueue, ObjectStore, QueueMessage } from '../ports';
import { ENVELOPE_OVERHEAD_BYTES, overflowEnvelopeBody, recordsEnvelopeBody } from './queue-envelope';

export const SQS_MAX_BATCH_ENTRIES = 10;
export const SQS_MAX_BATCH_BYTES = 1024 * 1024;

export interface PublishOptions {
  /** Largest message body; at most 1 MiB (the SQS limit). Default 256 KiB. */
  maxMessageBytes?: number;
  /** How many SendMessageBatch calls run at once. */
  concurrency?: number;
  /** Used to name overflow objects and message ids uniquely per request. */
  requestId: string;
}

export interface PublishResult {
  messages: number;
  batches: number;
  overflowed: number;
}

export async function publishRecords(
  records: readonly EventRecord[],
  queue: MessageQueue,
  overflowStore: ObjectStore,
  options: PublishOptions,
): Promise<PublishResult> {
  const maxMessageBytes = Math.min(options.maxMessageBytes ?? 256 * 1024, SQS_MAX_BATCH_BYTES);
  const { bodies, oversized } = packRecords(records, maxMessageBytes);
  // Overflow objects must exist before a message pointing at them can be consumed.
  const overflowKeys = await Promise.all(
    oversized.map(({ record, serialized }, index) =>
      storeOverflow(overflowStore, record, serialized, `${options.requestId}-${index}`),
    ),
  );
  const messages: QueueMessage[] = [...bodies, ...overflowKeys.map(overflowEnvelopeBody)].map(
    (body, index) => ({
      id: `m${index}`,
      body,
    }),
  );
  const batches = groupIntoBatches(messages);
  await runWithConcurrency(batches, options.concurrency ?? 4, (batch) => queue.sendBatch(batch));
  return { messages: messages.length, batches: batches.length, overflowed: oversized.length };
}

/** Greedy packing in arrival order: fills each message up to the byte budget. */
export function packRecords(
  records: readonly EventRecord[],
  maxMessageBytes: number,
): { bodies: string[]; oversized: { record: EventRecord; serialized: string }[] } {
  const bodies: string[] = [];
  const oversized: { record: EventRecord; serialized: string }[] = [];
  let current: string[] = [];
  let currentBytes = ENVELOPE_OVERHEAD_BYTES;
  for (const record of records) {
    const serialized = JSON.stringify(record);
    const bytes = Buffer.byteLength(serialized, 'utf8');
    if (bytes + ENVELOPE_OVERHEAD_BYTES > maxMessageBytes) {
      oversized.push({ record, serialized });
      continue;
    }
    const separator = current.length > 0 ? 1 : 0;
    if (currentBytes + separator + bytes > maxMessageBytes) {
      bodies.push(recordsEnvelopeBody(current));
      current = [];
      currentBytes = ENVELOPE_OVERHEAD_BYTES;
    }
    currentBytes += (current.length > 0 ? 1 : 0) + bytes;
    current.push(serialized);
  }
  if (current.length > 0) bodies.push(recordsEnvelopeBody(current));
  return { bodies, oversized };
}

/** Splits messages into SendMessageBatch calls: at most 10 entries and 1 MiB of bodies per call. */
export function groupIntoBatches(messages: readonly QueueMessage[]): QueueMessage[][] {
  const batches: QueueMessage[][] = [];
  let current: QueueMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = Buffer.byteLength(message.body, 'utf8');
    if (
      current.length === SQS_MAX_BATCH_ENTRIES ||
      (current.length > 0 && currentBytes + bytes > SQS_MAX_BATCH_BYTES)
    ) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function storeOverflow(
  store: ObjectStore,
  record: EventRecord,
  serializedRecord: string,
  name: string,
): Promise<string> {
  const tenant = record.kind === 'event' ? record.event : record.update;
  const key = `overflow/project_id=${encodeURIComponent(tenant.project_id)}/${name}.json.gz`;
  await store.put(key, gzipSync(serializedRecord), {
    contentType: 'application/json',
    contentEncoding: 'gzip',
  });
  return key;
}

async function runWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  });
  await Promise.all(workers);
}
