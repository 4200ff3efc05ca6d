/**
 * Puts event records on the events queue within the SQS limits: records are grouped in arrival
 * order up to `maxRecordBytes` of JSON per message and compressed; a message that still comes out
 * over `maxMessageBytes` is split in two. Messages go out in SendMessageBatch calls of at most 10
 * entries and 1 MiB. A record too big for a message is written to the overflow store first and the
 * message carries its key. `leadingBodies` (ingest's raw-request message) go first, in the same
 * SendMessageBatch as the first records. Resolves only when every message is durably queued.
 *
 * Each group is serialized and compressed before the next is serialized, so the JSON of only one
 * group is held at a time, and with `slices` the event loop runs between groups.
 */
import { gzipSync } from 'node:zlib';
import type { EventRecord } from '../events/event';
import { recordTenant } from '../events/record-tenant';
import type { MessageQueue, ObjectStore, QueueMessage } from '../ports';
import { SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES } from '../queue-limits';
import { runWithConcurrency } from '../run-with-concurrency';
import type { TimeSlices } from '../time-slices';
import { overflowMessageBody, recordsMessageBody } from './queue-envelope';

export { SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES };

interface PublishOptions {
  /** Largest message body, compressed; at most (and by default) 1 MiB, the SQS limit. */
  maxMessageBytes?: number;
  /** Most uncompressed record JSON per message; a single larger record overflows. Default 1 MiB. */
  maxRecordBytes?: number;
  /** How many SendMessageBatch calls run at once. */
  concurrency?: number;
  /** Used to name overflow objects uniquely per request. */
  requestId: string;
  /** When given, the event loop runs between groups once a slice is spent. */
  slices?: TimeSlices;
  /** Message bodies sent ahead of the records, each within maxMessageBytes (the caller checks). */
  leadingBodies?: readonly string[];
}

interface PublishResult {
  messages: number;
  batches: number;
  overflowed: number;
}

interface SerializedRecord {
  record: EventRecord;
  json: string;
  bytes: number;
}

export async function publishRecords(
  records: readonly EventRecord[],
  queue: MessageQueue,
  overflowStore: ObjectStore,
  options: PublishOptions,
): Promise<PublishResult> {
  const maxMessageBytes = Math.min(options.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES, SQS_MAX_MESSAGE_BYTES);
  const oversized: SerializedRecord[] = [];
  const packed: string[] = [];
  for (const group of serializedGroups(records, options.maxRecordBytes ?? 1024 * 1024, oversized)) {
    compressWithin(group, maxMessageBytes, packed, oversized);
    await options.slices?.pauseIfDue();
  }
  // Overflow objects must exist before a message pointing at them can be consumed.
  const overflowKeys = await Promise.all(
    oversized.map((item, index) => storeOverflow(overflowStore, item, `${options.requestId}-${index}`)),
  );
  const bodies = [...(options.leadingBodies ?? []), ...packed, ...overflowKeys.map(overflowMessageBody)];
  const messages = bodies.map((body, index) => ({ id: `m${index}`, body }));
  const batches = groupIntoBatches(messages);
  await runWithConcurrency(batches, options.concurrency ?? 4, (batch) => queue.sendBatch(batch));
  return { messages: messages.length, batches: batches.length, overflowed: oversized.length };
}

/** Groups serialized records in arrival order, each group holding at most maxRecordBytes of JSON. */
export function groupRecords(
  records: readonly EventRecord[],
  maxRecordBytes: number,
): { groups: SerializedRecord[][]; oversized: SerializedRecord[] } {
  const oversized: SerializedRecord[] = [];
  const groups = [...serializedGroups(records, maxRecordBytes, oversized)];
  return { groups, oversized };
}

/** groupRecords one group at a time, serializing a group's records only when it is asked for. */
function* serializedGroups(
  records: readonly EventRecord[],
  maxRecordBytes: number,
  oversized: SerializedRecord[],
): Generator<SerializedRecord[], void, void> {
  let current: SerializedRecord[] = [];
  let currentBytes = 0;
  for (const record of records) {
    const json = JSON.stringify(record);
    const item = { record, json, bytes: Buffer.byteLength(json, 'utf8') };
    if (item.bytes > maxRecordBytes) {
      oversized.push(item);
      continue;
    }
    if (currentBytes + item.bytes > maxRecordBytes) {
      yield current;
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += item.bytes;
  }
  if (current.length > 0) yield current;
}

/**
 * Compresses a group into message bodies, halving the group until each body fits; a lone record
 * that still does not fit (incompressible data) goes to the overflow list instead.
 */
function compressWithin(
  group: readonly SerializedRecord[],
  maxMessageBytes: number,
  bodies: string[],
  overflow: SerializedRecord[],
): void {
  const body = recordsMessageBody(group.map((item) => item.json));
  if (body.length <= maxMessageBytes) {
    bodies.push(body);
  } else if (group.length === 1) {
    overflow.push(group[0] as SerializedRecord);
  } else {
    const half = Math.ceil(group.length / 2);
    compressWithin(group.slice(0, half), maxMessageBytes, bodies, overflow);
    compressWithin(group.slice(half), maxMessageBytes, bodies, overflow);
  }
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

async function storeOverflow(store: ObjectStore, item: SerializedRecord, name: string): Promise<string> {
  const tenant = recordTenant(item.record);
  const key = `overflow/project_id=${encodeURIComponent(tenant.project_id)}/${name}.json.gz`;
  await store.put(key, gzipSync(item.json), { contentType: 'application/json', contentEncoding: 'gzip' });
  return key;
}
