/**
 * Which days hold rows of some event ids and session ids, read from a project's id locator
 * (locator.ts) in the object store: how compaction finds the hours a deletion can touch without
 * reading the project's history. It opens every locator file of the project (the few files of the
 * open tiers, and one final file per million rows) and decodes from each only the row groups whose
 * id range (min/max) can hold a sought id, as the query engines do: their id column (20,000 rows at
 * most in a merged file), and the kind and day only around an id found. No AWS imports.
 *
 * The locator may name a day that no longer holds the id (rows only grow); it never misses a day
 * that does, since the writer stores a batch's locator file before its events files.
 */
import { zstdDecompressSync } from 'node:zlib';
import { type FileMetaData, parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { ObjectStore } from '../ports';
import { type LocatorKind, locatorPartition, locatorTier, toLocatorRows } from './locator';
import type { ParquetRow } from './parquet-files';

export interface LocatorQuery {
  eventIds: Iterable<string>;
  sessionIds: Iterable<string>;
}

/** Per kind, id -> the days (YYYY-MM-DD) the locator names for it; an id it does not know is absent. */
export type LocatedDays = Record<LocatorKind, Map<string, Set<string>>>;

/** What a lookup read: locator files opened, and row groups decoded out of those in them. */
export interface LocatorLookupStats {
  files: number;
  rowGroups: number;
  rowGroupsRead: number;
}

/**
 * The days the project's locator names for the ids, or undefined when the project has no locator
 * file at all (a store written before the locator): then nothing can be concluded from it.
 */
export async function locatedDays(
  store: ObjectStore,
  encodedProjectId: string,
  query: LocatorQuery,
  stats?: LocatorLookupStats,
): Promise<LocatedDays | undefined> {
  const sought: Record<LocatorKind, Set<string>> = {
    event: new Set(query.eventIds),
    session: new Set(query.sessionIds),
  };
  const keys: string[] = [];
  for await (const key of store.list(locatorPartition(encodedProjectId)))
    if (locatorTier(key) !== undefined) keys.push(key);
  if (keys.length === 0) return undefined;

  const located: LocatedDays = { event: new Map(), session: new Map() };
  const wanted = new Set([...sought.event, ...sought.session]);
  if (wanted.size === 0) return located;
  const ids = [...wanted].map((id) => Buffer.from(id, 'utf8')).sort(Buffer.compare);
  for (const key of keys) {
    const body = await store.get(key);
    // Listed a moment ago; only a locator merge deletes files, and it runs in this job, never beside it.
    if (body === undefined) throw new Error(`Locator file ${key} disappeared while reading it`);
    for (const row of await rowsHolding(body, wanted, ids, stats)) {
      if (!sought[row.kind].has(row.id)) continue;
      const days = located[row.kind].get(row.id);
      if (days === undefined) located[row.kind].set(row.id, new Set([row.dt]));
      else days.add(row.dt);
    }
  }
  return located;
}

/**
 * The rows holding a wanted id (`ids`: the same, as UTF-8 bytes in order). Of the row groups whose
 * id range (min/max) can hold one, only the id column is decoded, and the other columns only where
 * one is found.
 */
async function rowsHolding(
  body: Uint8Array,
  wanted: ReadonlySet<string>,
  ids: readonly Buffer[],
  stats?: LocatorLookupStats,
) {
  const file = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(file);
  const ranges = groupRanges(metadata, ids);
  if (stats) {
    stats.files++;
    stats.rowGroups += metadata.row_groups.length;
    stats.rowGroupsRead += ranges.reduce((sum, range) => sum + range.groups, 0);
  }
  const read = (columns: string[], rowStart: number, rowEnd: number) =>
    parquetReadObjects({
      file,
      metadata,
      columns,
      rowStart,
      rowEnd,
      compressors: { ZSTD: (input) => new Uint8Array(zstdDecompressSync(input)) },
    });
  const rows: ParquetRow[] = [];
  for (const { rowStart, rowEnd } of ranges) {
    const idsRead = (await read(['id'], rowStart, rowEnd)).map((row) => row.id as unknown);
    const first = idsRead.findIndex((id) => typeof id === 'string' && wanted.has(id));
    if (first === -1) continue;
    let last = idsRead.length - 1;
    while (!wanted.has(idsRead[last] as string)) last--;
    // The rows between the first and the last found (close together: rows are sorted by id).
    const rest = await read(['kind', 'dt'], rowStart + first, rowStart + last + 1);
    for (const [index, row] of rest.entries()) {
      const id = idsRead[first + index];
      if (typeof id === 'string' && wanted.has(id)) rows.push({ kind: row.kind, id, dt: row.dt });
    }
  }
  return toLocatorRows(rows);
}

/** Consecutive row groups that may hold a sought id, as row ranges. */
function groupRanges(metadata: FileMetaData, ids: readonly Buffer[]) {
  const ranges: Array<{ rowStart: number; rowEnd: number; groups: number }> = [];
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    const idChunk = group.columns.find((chunk) => chunk.meta_data?.path_in_schema[0] === 'id');
    const { min_value: min, max_value: max } = idChunk?.meta_data?.statistics ?? {};
    if (typeof min !== 'string' || typeof max !== 'string' || holdsAny(min, max, ids)) {
      const last = ranges.at(-1);
      if (last !== undefined && last.rowEnd === groupStart) {
        last.rowEnd = groupEnd;
        last.groups++;
      } else ranges.push({ rowStart: groupStart, rowEnd: groupEnd, groups: 1 });
    }
    groupStart = groupEnd;
  }
  return ranges;
}

/** Whether some id lies in [min, max], compared as Parquet orders strings (unsigned UTF-8 bytes). */
function holdsAny(min: string, max: string, ids: readonly Buffer[]): boolean {
  const low = Buffer.from(min, 'utf8');
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Buffer.compare(ids[mid] as Buffer, low) < 0) lo = mid + 1;
    else hi = mid;
  }
  const first = ids[lo];
  return first !== undefined && Buffer.compare(first, Buffer.from(max, 'utf8')) <= 0;
}
