/**
 * Compaction of closed hour partitions: every file of an `events/` hour is rewritten into one file
 * that holds only the newest version of each event and none of the deleted ones.
 *
 * Crash safety: the new file is written before any old file is deleted, so a reader always sees
 * every event (at worst twice, which its dedup view collapses). A run that dies between the write
 * and the deletes leaves old files beside the compacted one; the next run reads them all, produces
 * the same rows again and deletes everything else, so re-running converges.
 */
import type { DeletableObjectStore, ObjectStore } from '../ports';
import { EVENT_COLUMNS, type EventRow, TOMBSTONE_COLUMNS } from './columns';
import { tombstoneHides } from './deletion-reach';
import { EVENTS_PREFIX, TOMBSTONES_PREFIX } from './layout';
import { type ParquetWriteTuning, readParquet, writeParquet } from './parquet-files';
import type { TombstoneRow } from './tombstone-row';

export interface CompactOptions {
  now: number;
  /** How long after an hour ends it counts as closed (late events still arriving). */
  closedAfterMs: number;
  parquet?: ParquetWriteTuning;
  /**
   * Largest total of Parquet bytes one partition may have to be compacted (it is compacted in
   * memory). Default 64 MiB: about 700,000 events, well inside the function's 3 GB. A larger
   * partition is skipped as 'too-large' before anything is parsed, written or deleted, so it can
   * never take down the run (and every partition after it) by running out of memory.
   */
  maxInputBytes?: number;
}

export const DEFAULT_MAX_COMPACTION_INPUT_BYTES = 64 * 1024 * 1024;

export interface CompactResult {
  partition: string;
  /** Why nothing was done, when nothing was. */
  skipped?: 'open' | 'empty' | 'too-large';
  filesRead: number;
  rowsRead: number;
  rowsKept: number;
  /** The compacted file, unless every row was dropped. */
  written?: string;
  deleted: string[];
}

/** Compacted files are named by their write time so a re-run never overwrites what it reads. */
const COMPACTED_PREFIX = 'compacted-';
const EVENT_PARTITION = /^events\/project_id=([^/]+)\/dt=(\d{4})-(\d{2})-(\d{2})\/hour=(\d{2})\/$/;
const TOMBSTONE_PARTITION = /^tombstones\/project_id=[^/]+\/dt=(\d{4})-(\d{2})-(\d{2})\/hour=(\d{2})\//;
const HOUR_MS = 3_600_000;

interface ParsedPartition {
  /** As it appears in keys (URI-encoded). */
  encodedProjectId: string;
  /** Epoch ms at which the hour ends. */
  hourEnd: number;
}

function parsePartition(prefix: string): ParsedPartition {
  const match = EVENT_PARTITION.exec(prefix);
  if (!match) throw new Error(`Not an events hour partition: ${prefix}`);
  const [, project, year, month, day, hour] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    encodedProjectId: project,
    hourEnd: Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour)) + HOUR_MS,
  };
}

export async function compactPartition(
  store: DeletableObjectStore,
  partitionPrefix: string,
  options: CompactOptions,
): Promise<CompactResult> {
  const partition = parsePartition(partitionPrefix);
  const result: CompactResult = {
    partition: partitionPrefix,
    filesRead: 0,
    rowsRead: 0,
    rowsKept: 0,
    deleted: [],
  };
  if (options.now < partition.hourEnd + options.closedAfterMs) return { ...result, skipped: 'open' };

  const files = await listParquetFiles(store, partitionPrefix);
  if (files.length === 0) return { ...result, skipped: 'empty' };

  const maxInputBytes = options.maxInputBytes ?? DEFAULT_MAX_COMPACTION_INPUT_BYTES;
  const bodies: Uint8Array[] = [];
  let inputBytes = 0;
  for (const key of files) {
    const body = await mustGet(store, key);
    inputBytes += body.byteLength;
    if (inputBytes > maxInputBytes) return { ...result, skipped: 'too-large' };
    bodies.push(body);
  }

  const deletions = await readDeletions(store, partition.encodedProjectId);
  const newest = new Map<string, EventRow>();
  const refs = new Set<string>();
  for (const body of bodies) {
    const rows = (await readParquet(EVENT_COLUMNS, body)) as EventRow[];
    result.filesRead++;
    result.rowsRead += rows.length;
    for (const row of rows) {
      collectRefs(row, refs);
      const eventId = row.event_id as string;
      const known = newest.get(eventId);
      if (known === undefined || isNewer(row, known)) newest.set(eventId, row);
    }
  }
  const kept = [...newest.values()].filter((row) => !deletions.isDeleted(row)).sort(byStorageOrder);
  result.rowsKept = kept.length;

  const compactedKey = `${partitionPrefix}${COMPACTED_PREFIX}${String(options.now).padStart(13, '0')}.parquet`;
  if (kept.length > 0) {
    const body = writeParquet(EVENT_COLUMNS, kept, {
      ...options.parquet,
      metadata: { 'waggle.compacted_at': new Date(options.now).toISOString() },
    });
    await store.put(compactedKey, body, { contentType: 'application/vnd.apache.parquet' });
    result.written = compactedKey;
  }
  // Only now, with every kept row safely in the new file, may the old files go.
  for (const key of files) {
    if (key === compactedKey) continue;
    await store.delete(key);
    result.deleted.push(key);
  }
  // Payloads no kept row points at (superseded versions, deleted events) are unreachable now.
  for (const row of kept) {
    if (row.inputs_ref !== null) refs.delete(row.inputs_ref);
    if (row.outputs_ref !== null) refs.delete(row.outputs_ref);
  }
  for (const ref of refs) await store.delete(ref);
  return result;
}

function isNewer(row: EventRow, than: EventRow): boolean {
  const version = row.version ?? 0;
  const other = than.version ?? 0;
  if (version !== other) return version > other;
  return (row.ingested_at ?? 0) > (than.ingested_at ?? 0);
}

/** Rows of a session together, in time order: session lookups read fewer pages, JSON compresses better. */
function byStorageOrder(a: EventRow, b: EventRow): number {
  return (
    compareText(a.session_id, b.session_id) ||
    (a.start_time ?? 0) - (b.start_time ?? 0) ||
    compareText(a.event_id, b.event_id)
  );
}

function compareText(a: string | null, b: string | null): number {
  const left = a ?? '';
  const right = b ?? '';
  return left < right ? -1 : left > right ? 1 : 0;
}

function collectRefs(row: EventRow, refs: Set<string>): void {
  if (row.inputs_ref !== null) refs.add(row.inputs_ref);
  if (row.outputs_ref !== null) refs.add(row.outputs_ref);
}

interface Deletions {
  isDeleted(row: EventRow): boolean;
}

/**
 * Every tombstone of the project (all hours): a deletion may target an event of any hour. Only the
 * latest deletion of each id matters, since it reaches furthest (deletion-reach.ts: the same rule
 * as reads, so compaction never drops an event a read shows).
 */
async function readDeletions(store: ObjectStore, encodedProjectId: string): Promise<Deletions> {
  const events = new Map<string, number>();
  const sessions = new Map<string, number>();
  for (const key of await listParquetFiles(store, `${TOMBSTONES_PREFIX}project_id=${encodedProjectId}/`)) {
    const rows = (await readParquet(TOMBSTONE_COLUMNS, await mustGet(store, key))) as TombstoneRow[];
    for (const row of rows) {
      const latest = row.target === 'session' ? sessions : events;
      latest.set(row.id, Math.max(latest.get(row.id) ?? Number.NEGATIVE_INFINITY, Number(row.deleted_at)));
    }
  }
  const hides = (deletedAt: number | undefined, row: EventRow) =>
    deletedAt !== undefined && tombstoneHides(Number(row.start_time), deletedAt);
  return {
    isDeleted: (row) =>
      hides(events.get(row.event_id as string), row) || hides(sessions.get(row.session_id as string), row),
  };
}

async function listParquetFiles(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.list(prefix)) if (key.endsWith('.parquet')) keys.push(key);
  return keys;
}

async function mustGet(store: ObjectStore, key: string): Promise<Uint8Array> {
  const body = await store.get(key);
  // Listed a moment ago: missing now means another compaction run is at work on this partition.
  if (body === undefined) throw new Error(`Object ${key} disappeared while compacting`);
  return body;
}

/**
 * Closed hour partitions worth compacting: more than one file, a file not yet compacted, or a
 * compacted file that deletions written since may apply to.
 */
export async function listPartitionsToCompact(
  store: ObjectStore,
  now: number,
  options: { closedAfterMs: number },
): Promise<string[]> {
  const partitions = new Map<string, string[]>();
  for await (const key of store.list(EVENTS_PREFIX)) {
    if (!key.endsWith('.parquet')) continue;
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    if (!EVENT_PARTITION.test(prefix)) continue;
    const files = partitions.get(prefix) ?? [];
    files.push(key.slice(prefix.length));
    partitions.set(prefix, files);
  }
  const latestDeletion = await latestDeletionHourEnds(store);
  const due: string[] = [];
  for (const [prefix, files] of partitions) {
    const partition = parsePartition(prefix);
    if (now < partition.hourEnd + options.closedAfterMs) continue;
    const compactedAt = files.length === 1 ? compactedTime(files[0] as string) : undefined;
    if (compactedAt === undefined) {
      due.push(prefix);
      continue;
    }
    // A deletion written up to closedAfterMs after its hour ended may postdate the compaction.
    const deletionsUntil = latestDeletion.get(partition.encodedProjectId);
    if (deletionsUntil !== undefined && deletionsUntil + options.closedAfterMs >= compactedAt)
      due.push(prefix);
  }
  return due;
}

function compactedTime(fileName: string): number | undefined {
  const match = /^compacted-(\d+)\.parquet$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/** Per project (as encoded in keys): the end of the newest hour that holds tombstones. */
async function latestDeletionHourEnds(store: ObjectStore): Promise<Map<string, number>> {
  const latest = new Map<string, number>();
  for await (const key of store.list(TOMBSTONES_PREFIX)) {
    const match = TOMBSTONE_PARTITION.exec(key);
    if (!match) continue;
    const project = key.slice(
      `${TOMBSTONES_PREFIX}project_id=`.length,
      key.indexOf('/', TOMBSTONES_PREFIX.length),
    );
    const [, year, month, day, hour] = match as unknown as [string, string, string, string, string];
    const hourEnd = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour)) + HOUR_MS;
    latest.set(project, Math.max(latest.get(project) ?? 0, hourEnd));
  }
  return latest;
}
