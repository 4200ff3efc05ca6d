/**
 * The raw-request archive: one object per accepted request, so that any request can be replayed
 * through the normalizer later (after a bug fix, or to rebuild the store).
 *
 * Object layout: two concatenated gzip members. The first holds a one-line JSON header, the second
 * the request body. gunzip of the whole object yields `header\nbody`. The two-member form lets a
 * body that arrived gzip-encoded be stored as it came, without a second compression on the hot path.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
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

export function rawArchiveKey(header: Pick<ArchiveHeader, 'tenant' | 'receivedAt' | 'requestId'>): string {
  return `${rawArchivePrefix(header.tenant.project_id, header.receivedAt)}${header.receivedAt}-${header.requestId}.gz`;
}

/** The hour folder under which requests received at `epochMs` for a project are archived. */
export function rawArchivePrefix(projectId: string, epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `raw/project_id=${encodeURIComponent(projectId)}/dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}/`;
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
