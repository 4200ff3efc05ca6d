/**
 * The body of one events-queue message. Many records travel in one message, as a gzip-compressed
 * JSON array in base64: SQS bills per 64 KiB chunk, and event JSON shrinks several times under gzip.
 * A record too big for any message is stored as an object and the message carries its key instead.
 *
 *   {"v":1,"gz":"<base64 of gzip of [record, record, ...]>"}
 *   {"v":1,"overflowKey":"overflow/project_id=.../<name>.json.gz"}
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EventRecord } from '../events/event';

export type QueueEnvelope = { v: 1; records: EventRecord[] } | { v: 1; overflowKey: string };

/** Speed over ratio: this runs on the ingest hot path, and level 1 already shrinks event JSON about 5x. */
const GZIP_LEVEL = 1;

/** Builds a message body from already-serialized records (joined, never re-serialized). */
export function recordsMessageBody(serializedRecords: readonly string[]): string {
  const compressed = gzipSync(`[${serializedRecords.join(',')}]`, { level: GZIP_LEVEL });
  return `{"v":1,"gz":"${compressed.toString('base64')}"}`;
}

export function overflowMessageBody(overflowKey: string): string {
  return JSON.stringify({ v: 1, overflowKey });
}

/** Reads a message body back into records or an overflow pointer (the writer's side). */
export function parseQueueEnvelope(body: string): QueueEnvelope {
  const parsed = JSON.parse(body) as Partial<{ v: number; gz: unknown; overflowKey: unknown }>;
  if (parsed?.v !== 1) throw new Error('Not a Waggle queue envelope (expected v: 1)');
  if (typeof parsed.gz === 'string') {
    const records = JSON.parse(gunzipSync(Buffer.from(parsed.gz, 'base64')).toString('utf8')) as unknown;
    if (!Array.isArray(records)) throw new Error('Queue envelope does not hold an array of records');
    return { v: 1, records: records as EventRecord[] };
  }
  if (typeof parsed.overflowKey === 'string') return { v: 1, overflowKey: parsed.overflowKey };
  throw new Error('Queue envelope has neither gz nor overflowKey');
}
