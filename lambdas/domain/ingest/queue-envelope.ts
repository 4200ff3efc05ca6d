/**
 * The body of one events-queue message. Many records travel in one message, as a zstd-compressed
 * JSON array in base64: SQS bills per 64 KiB chunk, and event JSON shrinks several times under zstd.
 * A record too big for any message is stored as an object and the message carries its key instead.
 * The raw request itself travels beside its records (v 2, with a kind), for the writer to archive:
 *
 *   {"v":1,"zst":"<base64 of zstd of [record, record, ...]>"}
 *   {"v":1,"overflowKey":"overflow/project_id=.../<name>.json.gz"}
 *   {"v":2,"kind":"raw-request","header":{...},"encoding":"gzip"|"zstd","body":"<base64>"}
 *
 * Messages written before zstd (`"gz"`: the same array under gzip) are still read: they may wait in
 * the queue, its dead-letter queue or the dead-letter archive across an upgrade. v 1 bodies have no
 * kind; a reader meeting a version or kind it does not know fails the message (SQS retries it, and
 * the dead-letter archive keeps it if it never succeeds), never drops it.
 */
import { gunzipSync, constants as zlibConstants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import type { EventRecord } from '../events/event';
import {
  type ArchiveHeader,
  checkRawRequestEntry,
  encodeRawRequest,
  type RawRequestEntry,
} from './raw-archive';

export type QueueEnvelope =
  | { v: 1; records: EventRecord[] }
  | { v: 1; overflowKey: string }
  | { v: 2; rawRequest: RawRequestEntry };

const RAW_REQUEST_KIND = 'raw-request';

/**
 * Speed over ratio: this runs on the ingest hot path. On event JSON, zstd level 1 compresses in about
 * 60% of gzip level 1's time to bodies about a quarter smaller, and decompresses faster too.
 */
const ZSTD = { params: { [zlibConstants.ZSTD_c_compressionLevel]: 1 } };

/** Builds a message body from already-serialized records (joined, never re-serialized). */
export function recordsMessageBody(serializedRecords: readonly string[]): string {
  const compressed = zstdCompressSync(`[${serializedRecords.join(',')}]`, ZSTD);
  return `{"v":1,"zst":"${compressed.toString('base64')}"}`;
}

export function overflowMessageBody(overflowKey: string): string {
  return JSON.stringify({ v: 1, overflowKey });
}

/** The raw-request message of one request; a gzip body is carried as it came. */
export function rawRequestMessageBody(header: ArchiveHeader, body: Uint8Array, bodyIsGzip: boolean): string {
  return JSON.stringify({ v: 2, kind: RAW_REQUEST_KIND, ...encodeRawRequest(header, body, bodyIsGzip) });
}

/** Reads a message body back into records, an overflow pointer or a raw request (the writer's side). */
export function parseQueueEnvelope(body: string): QueueEnvelope {
  const parsed = JSON.parse(body) as Partial<{
    v: number;
    kind: unknown;
    zst: unknown;
    gz: unknown;
    overflowKey: unknown;
  }>;
  if (parsed?.v === 2) {
    if (parsed.kind !== RAW_REQUEST_KIND)
      throw new Error(`Unknown queue envelope kind ${String(parsed.kind)}`);
    return { v: 2, rawRequest: checkRawRequestEntry(parsed) };
  }
  if (parsed?.v !== 1) throw new Error('Not a Waggle queue envelope (expected v: 1 or 2)');
  if (typeof parsed.zst === 'string') return recordsOf(zstdDecompressSync(Buffer.from(parsed.zst, 'base64')));
  if (typeof parsed.gz === 'string') return recordsOf(gunzipSync(Buffer.from(parsed.gz, 'base64')));
  if (typeof parsed.overflowKey === 'string') return { v: 1, overflowKey: parsed.overflowKey };
  throw new Error('Queue envelope has neither zst, gz nor overflowKey');
}

function recordsOf(json: Buffer): QueueEnvelope {
  const records = JSON.parse(json.toString('utf8')) as unknown;
  if (!Array.isArray(records)) throw new Error('Queue envelope does not hold an array of records');
  return { v: 1, records: records as EventRecord[] };
}
