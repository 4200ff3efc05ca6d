/**
 * The writer's side of the raw archive: the raw-request messages of one writer batch become one
 * object per receive hour (almost always one per batch), written before those messages are
 * acknowledged. A message whose object cannot be written is reported failed and comes back; it
 * never holds up the records of other messages.
 *
 *   raw/batches/dt=YYYY-MM-DD/hour=HH/<batch id>.jsonl.zst
 *
 * The object is zstd of JSON lines, one raw-request message body per line, exactly as it was queued
 * (the writer copies the text; the request bodies are not decoded or compressed again). The folder
 * is the requests' receive hour, not the writer's, so replay finds a request by when it arrived
 * however late it was written. A redelivered message may be kept twice (in two batch objects);
 * replay reads each request once.
 */
import { constants as zlibConstants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import type { ObjectStore } from '../ports';
import { parseQueueEnvelope } from './queue-envelope';
import type { RawRequestEntry } from './raw-archive';

export const RAW_BATCHES_PREFIX = 'raw/batches/';

/** The hour folder of the batch objects holding requests received at `epochMs`. */
export function rawBatchPrefix(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${RAW_BATCHES_PREFIX}dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

export function rawBatchKey(receivedAt: number, batchId: string): string {
  return `${rawBatchPrefix(receivedAt)}${batchId}.jsonl.zst`;
}

// Level 3 (zstd's default): the object is written once per batch, off the ingest path, and kept for weeks.
const ZSTD = { params: { [zlibConstants.ZSTD_c_compressionLevel]: 3 } };

/** Builds a batch object from raw-request message bodies (each one line of JSON). */
export function encodeRawBatch(messageBodies: readonly string[]): Uint8Array {
  return zstdCompressSync(`${messageBodies.join('\n')}\n`, ZSTD);
}

/** Reads a batch object back; every line must be a raw-request message. */
export function decodeRawBatch(object: Uint8Array): RawRequestEntry[] {
  const text = zstdDecompressSync(object).toString('utf8');
  const entries: RawRequestEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const envelope = parseQueueEnvelope(line);
    if (!('rawRequest' in envelope))
      throw new Error('Raw batch object holds a line that is not a raw request');
    entries.push(envelope.rawRequest);
  }
  return entries;
}

export interface QueuedRawRequest {
  messageId: string;
  /** The message body as received: it becomes the archive line unchanged. */
  body: string;
  receivedAt: number;
}

interface RawBatchResult {
  /** Messages whose object could not be written: to be retried. */
  failedMessageIds: string[];
  objects: number;
  requests: number;
}

const HOUR_MS = 3_600_000;

/** Writes the raw requests of a batch, one object per receive hour; never rejects. */
export async function archiveRawRequests(
  requests: readonly QueuedRawRequest[],
  store: ObjectStore,
  batchId: string,
  onFailure?: (messageIds: readonly string[], error: unknown) => void,
): Promise<RawBatchResult> {
  const byHour = new Map<number, QueuedRawRequest[]>();
  for (const request of requests) {
    const hour = Math.floor(request.receivedAt / HOUR_MS) * HOUR_MS;
    const group = byHour.get(hour) ?? [];
    group.push(request);
    byHour.set(hour, group);
  }
  const result: RawBatchResult = { failedMessageIds: [], objects: 0, requests: 0 };
  await Promise.all(
    [...byHour].map(async ([hour, group]) => {
      const ids = group.map((request) => request.messageId);
      try {
        const object = encodeRawBatch(group.map((request) => request.body));
        await store.put(rawBatchKey(hour, batchId), object, { contentType: 'application/zstd' });
        result.objects++;
        result.requests += group.length;
      } catch (error) {
        result.failedMessageIds.push(...ids);
        onFailure?.(ids, error);
      }
    }),
  );
  return result;
}
