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
import { DELETION_REACH_MS, tombstoneHides } from './deletion-reach';
import { TOMBSTONES_PREFIX } from './layout';
import { type ParquetWriteTuning, readParquet, writeParquet } from './parquet-files';
import type { TombstoneRow } from './tombstone-row';

export interface CompactOptions {
  now: number;
  /** How long after an hour ends it counts as closed (late events still arriving). */
  closedAfterMs: number;
  parquet?: ParquetWriteTuning;
  /**
   * Most Parquet bytes compacted together (in memory). Default 64 MiB: about 700,000 events, well
   * inside the function's 3 GB. A larger hour is compacted in chunks of at most this many bytes,
   * one file each, so no hour is too large to compact and memory stays bounded.
   */
  maxInputBytes?: number;
}

export const DEFAULT_MAX_COMPACTION_INPUT_BYTES = 64 * 1024 * 1024;

export interface CompactResult {
  partition: string;
  /** Why nothing was done, when nothing was. */
  skipped?: 'open' | 'empty';
  filesRead: number;
  rowsRead: number;
  rowsKept: number;
  /** The compacted files written (none when every row was dropped or nothing needed rewriting). */
  written: string[];
  deleted: string[];
  /** Chunks the hour was compacted in (1 unless it holds more than maxInputBytes). */
  chunks: number;
}

/** Compacted files are named by their write time so a re-run never overwrites what it reads. */
const COMPACTED_PREFIX = 'compacted-';
const EVENT_PARTITION = /^events\/project_id=([^/]+)\/dt=(\d{4})-(\d{2})-(\d{2})\/hour=(\d{2})\/$/;
const HOUR_MS = 3_600_000;

export interface ParsedPartition {
  /** As it appears in keys (URI-encoded). */
  encodedProjectId: string;
  /** Epoch ms at which the hour starts. */
  hourStart: number;
  /** Epoch ms at which the hour ends. */
  hourEnd: number;
}

export function parsePartition(prefix: string): ParsedPartition {
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
  const hourStart = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour));
  return { encodedProjectId: project, hourStart, hourEnd: hourStart + HOUR_MS };
}

/** Whether the hour is closed: ended at least closedAfterMs ago, so no more late events are expected. */
export function isClosed(partition: ParsedPartition, now: number, closedAfterMs: number): boolean {
  return now >= partition.hourEnd + closedAfterMs;
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
    written: [],
    deleted: [],
    chunks: 0,
  };
  if (!isClosed(partition, options.now, options.closedAfterMs)) return { ...result, skipped: 'open' };

  const files = await listParquetFiles(store, partitionPrefix);
  if (files.length === 0) return { ...result, skipped: 'empty' };

  const deletions = await readDeletions(store, partition);
  const maxInputBytes = options.maxInputBytes ?? DEFAULT_MAX_COMPACTION_INPUT_BYTES;
  let chunk: Array<{ key: string; body: Uint8Array }> = [];
  let chunkBytes = 0;
  let wholeHour = true;
  for (const key of files) {
    const body = await mustGet(store, key);
    if (chunk.length > 0 && chunkBytes + body.byteLength > maxInputBytes) {
      wholeHour = false;
      await compactChunk(store, partitionPrefix, chunk, deletions, { ...options, wholeHour }, result);
      chunk = [];
      chunkBytes = 0;
    }
    chunk.push({ key, body });
    chunkBytes += body.byteLength;
  }
  await compactChunk(store, partitionPrefix, chunk, deletions, { ...options, wholeHour }, result);
  return result;
}

/**
 * Rewrites one chunk of an hour's files as one file: the newest version of each event, none of the
 * deleted ones. A chunk of one file that would come out unchanged is left alone (no churn).
 * Payloads no kept row points at are deleted only when the chunk is the whole hour: with several
 * chunks, a version dropped here may still be the one another chunk keeps.
 */
async function compactChunk(
  store: DeletableObjectStore,
  partitionPrefix: string,
  chunk: Array<{ key: string; body: Uint8Array }>,
  deletions: Deletions,
  options: CompactOptions & { wholeHour: boolean },
  result: CompactResult,
): Promise<void> {
  const index = result.chunks++;
  const newest = new Map<string, EventRow>();
  const refs = new Set<string>();
  let rowsRead = 0;
  for (const { body } of chunk) {
    const rows = (await readParquet(EVENT_COLUMNS, body)) as EventRow[];
    result.filesRead++;
    rowsRead += rows.length;
    for (const row of rows) {
      collectRefs(row, refs);
      const eventId = row.event_id as string;
      const known = newest.get(eventId);
      if (known === undefined || isNewer(row, known)) newest.set(eventId, row);
    }
  }
  result.rowsRead += rowsRead;
  const kept = [...newest.values()].filter((row) => !deletions.isDeleted(row)).sort(byStorageOrder);
  result.rowsKept += kept.length;
  const [only] = chunk;
  if (chunk.length === 1 && only !== undefined && kept.length === rowsRead && isCompacted(only.key)) return;

  const suffix = index === 0 ? '' : `-${index}`;
  const compactedKey = `${partitionPrefix}${COMPACTED_PREFIX}${String(options.now).padStart(13, '0')}${suffix}.parquet`;
  if (kept.length > 0) {
    const body = writeParquet(EVENT_COLUMNS, kept, {
      ...options.parquet,
      metadata: { 'waggle.compacted_at': new Date(options.now).toISOString() },
    });
    await store.put(compactedKey, body, { contentType: 'application/vnd.apache.parquet' });
    result.written.push(compactedKey);
  }
  // Only now, with every kept row safely in the new file, may the old files go.
  for (const { key } of chunk) {
    if (key === compactedKey) continue;
    await store.delete(key);
    result.deleted.push(key);
  }
  if (!options.wholeHour) return;
  // Payloads no kept row points at (superseded versions, deleted events) are unreachable now.
  for (const row of kept) {
    if (row.inputs_ref !== null) refs.delete(row.inputs_ref);
    if (row.outputs_ref !== null) refs.delete(row.outputs_ref);
  }
  for (const ref of refs) await store.delete(ref);
}

function isCompacted(key: string): boolean {
  return key.slice(key.lastIndexOf('/') + 1).startsWith(COMPACTED_PREFIX);
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
 * The tombstones that can hide events of this hour: deletions written from DELETION_REACH_MS before
 * the hour on (deletion-reach.ts: the same rule as reads, so compaction never drops an event a read
 * shows). Only the latest deletion of each id matters, since it reaches furthest.
 */
async function readDeletions(store: ObjectStore, partition: ParsedPartition): Promise<Deletions> {
  const events = new Map<string, number>();
  const sessions = new Map<string, number>();
  const firstDay = new Date(partition.hourStart - DELETION_REACH_MS).toISOString().slice(0, 10);
  for (const key of await listParquetFiles(
    store,
    `${TOMBSTONES_PREFIX}project_id=${partition.encodedProjectId}/`,
  )) {
    const day = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
    if (day === undefined || day < firstDay) continue;
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

/**
 * Whether the hour holds an event a deletion targets (its event id, or its session id): read from
 * the id columns only, so checking an hour costs a fraction of rewriting it.
 */
export async function partitionHoldsAny(
  store: ObjectStore,
  partitionPrefix: string,
  deletions: ReadonlyArray<{ target: 'event' | 'session'; id: string }>,
): Promise<boolean> {
  const eventIds = new Set(deletions.filter((d) => d.target === 'event').map((d) => d.id));
  const sessionIds = new Set(deletions.filter((d) => d.target === 'session').map((d) => d.id));
  for (const key of await listParquetFiles(store, partitionPrefix)) {
    for (const row of await readParquet(ID_COLUMNS, await mustGet(store, key))) {
      if (eventIds.has(row.event_id as string) || sessionIds.has(row.session_id as string)) return true;
    }
  }
  return false;
}

const ID_COLUMNS = EVENT_COLUMNS.filter(
  (column) => column.name === 'event_id' || column.name === 'session_id',
);

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
