/**
 * The raw-request archive, so that any accepted request can be replayed through the normalizer later
 * (after a bug fix, or to rebuild the store). A request reaches it in one of two ways:
 *
 * - Most requests travel on the events queue as a raw-request message (encodeRawRequest) and the
 *   writer keeps them in one object per batch (raw-batch-archive.ts). No S3 PUT per request.
 * - A request too big for a queue message is written by ingest itself, before the acknowledgement,
 *   as one object at rawArchiveKey: two concatenated gzip members, a one-line JSON header and the
 *   body (gunzip of the whole object yields `header\nbody`). Archives written before the batch
 *   objects existed have the same form, for every request.
 *
 * rawArchiveKey also names a request wherever it is kept (truncation markers, replay progress).
 */
import {
  gunzipSync,
  gzipSync,
  constants as zlibConstants,
  zstdCompressSync,
  zstdDecompressSync,
} from 'node:zlib';
import type { Tenant } from '../events/event';

export type ArchivedRoute =
  | 'otlp-traces'
  | 'session-start'
  | 'events'
  | 'events-batch'
  | 'events-model'
  | 'events-model-batch'
  | 'events-update';

export interface ArchiveHeader {
  v: 1;
  requestId: string;
  receivedAt: number;
  route: ArchivedRoute;
  contentType: string;
  tenant: Tenant;
  projectName: string;
}

const NEWLINE = 0x0a;

/** Requests written one object each: the big ones now, every one before the batch archive. */
export const RAW_REQUEST_OBJECTS_PREFIX = 'raw/project_id=';

export function rawArchiveKey(header: Pick<ArchiveHeader, 'tenant' | 'receivedAt' | 'requestId'>): string {
  return `${rawArchivePrefix(header.tenant.project_id, header.receivedAt)}${header.receivedAt}-${header.requestId}.gz`;
}

/** The hour folder under which requests received at `epochMs` for a project are archived. */
export function rawArchivePrefix(projectId: string, epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${RAW_REQUEST_OBJECTS_PREFIX}${encodeURIComponent(projectId)}/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
}

/** Extracts the receive time from an archive key (for range filtering without reading objects). */
export function receivedAtOfKey(key: string): number | undefined {
  const file = key.slice(key.lastIndexOf('/') + 1);
  const millis = Number.parseInt(file, 10);
  return Number.isFinite(millis) ? millis : undefined;
}

/**
 * Builds the archive object. `body` is the request body as received; pass `bodyIsGzip` when it is
 * already a gzip stream so it is stored without recompressing.
 */
export function encodeArchiveObject(
  header: ArchiveHeader,
  body: Uint8Array,
  bodyIsGzip: boolean,
): Uint8Array {
  const head = gzipSync(`${JSON.stringify(header)}\n`);
  const tail = bodyIsGzip ? body : gzipSync(body, { level: 1 });
  const object = new Uint8Array(head.length + tail.length);
  object.set(head, 0);
  object.set(tail, head.length);
  return object;
}

export function decodeArchiveObject(object: Uint8Array): { header: ArchiveHeader; body: Uint8Array } {
  const whole = gunzipSync(object);
  const split = whole.indexOf(NEWLINE);
  if (split < 0) throw new Error('Archive object has no header line');
  const header = JSON.parse(whole.subarray(0, split).toString('utf8')) as ArchiveHeader;
  if (header.v !== 1) throw new Error(`Unsupported archive object version ${String(header.v)}`);
  return { header, body: whole.subarray(split + 1) };
}

/**
 * One raw request as it travels on the events queue and sits in a batch archive: the header, and
 * the body as it arrived. A gzip body is kept as sent; any other is compressed with zstd level 1
 * (fast on the hot path; SQS bills per 64 KiB chunk). `body` is base64, so the entry is JSON text.
 */
export interface RawRequestEntry {
  header: ArchiveHeader;
  encoding: 'gzip' | 'zstd';
  body: string;
}

const ZSTD_FAST = { params: { [zlibConstants.ZSTD_c_compressionLevel]: 1 } };

export function encodeRawRequest(
  header: ArchiveHeader,
  body: Uint8Array,
  bodyIsGzip: boolean,
): RawRequestEntry {
  const stored = bodyIsGzip ? body : zstdCompressSync(body, ZSTD_FAST);
  return {
    header,
    encoding: bodyIsGzip ? 'gzip' : 'zstd',
    body: Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('base64'),
  };
}

/** The request body after content decoding, byte for byte what the converter was given. */
export function decodeRawRequestBody(entry: RawRequestEntry): Uint8Array {
  const stored = Buffer.from(entry.body, 'base64');
  return entry.encoding === 'gzip' ? gunzipSync(stored) : zstdDecompressSync(stored);
}

/** Checks an entry read back from a message or an archive line; throws naming what is wrong. */
export function checkRawRequestEntry(value: unknown): RawRequestEntry {
  const entry = value as Partial<RawRequestEntry> | null;
  const header = entry?.header as Partial<ArchiveHeader> | undefined;
  if (
    typeof header !== 'object' ||
    header === null ||
    header.v !== 1 ||
    typeof header.requestId !== 'string' ||
    typeof header.receivedAt !== 'number' ||
    typeof header.route !== 'string' ||
    typeof header.contentType !== 'string' ||
    typeof header.tenant?.project_id !== 'string'
  ) {
    throw new Error('Raw request has no valid header');
  }
  if (entry?.encoding !== 'gzip' && entry?.encoding !== 'zstd')
    throw new Error('Raw request has no known encoding');
  if (typeof entry.body !== 'string') throw new Error('Raw request has no body');
  return { header: header as ArchiveHeader, encoding: entry.encoding, body: entry.body };
}
