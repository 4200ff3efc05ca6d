/**
 * Keeps a project's locator (locator.ts) to a bounded number of files, as a log-structured merge:
 * once a tier holds `filesPerMerge` files, they are merged into one file of the next tier. Every row
 * is rewritten about log_filesPerMerge(rows / rows per batch) times over its life, so a run's work
 * follows what was written since the last run, not the project's history. Files that reach
 * `maxRowsPerFile` go to the final tier and are never rewritten again: memory stays bounded, and a
 * lookup opens the few files of the open tiers plus one final file per `maxRowsPerFile` rows, of
 * which it reads only the row group whose id range holds the id.
 *
 * Crash safety as in compaction: the merged file is written before its inputs are deleted, and a
 * row found twice is one row to every reader.
 */
import type { DeletableObjectStore } from '../ports';
import {
  LOCATOR_COLUMNS,
  type LocatorRow,
  locatorFileKey,
  locatorParquetRows,
  locatorPartition,
  locatorTier,
  mergeLocatorRows,
  toLocatorRows,
} from './locator';
import { type ParquetWriteTuning, readParquet, writeParquet } from './parquet-files';

/** Files of the final tier are never merged again. */
export const FINAL_LOCATOR_TIER = 99;
export const DEFAULT_FILES_PER_MERGE = 8;
/** About 100 MB of rows in memory while merging; a file of this many rows is some 10-20 MB of Parquet. */
export const DEFAULT_MAX_LOCATOR_ROWS_PER_FILE = 1_000_000;
/** Small row groups: a lookup reads one group per file, so a group is what a lookup pays for. */
const LOCATOR_ROW_GROUP_SIZE = 20_000;

export interface LocatorMergeOptions {
  now: number;
  filesPerMerge?: number;
  maxRowsPerFile?: number;
  parquet?: ParquetWriteTuning;
}

export interface LocatorMergeResult {
  partition: string;
  filesRead: number;
  rowsWritten: number;
  written: string[];
  deleted: string[];
  /** Files in the partition after the merge. */
  files: number;
}

export async function mergeLocator(
  store: DeletableObjectStore,
  encodedProjectId: string,
  options: LocatorMergeOptions,
): Promise<LocatorMergeResult> {
  const filesPerMerge = options.filesPerMerge ?? DEFAULT_FILES_PER_MERGE;
  const maxRows = options.maxRowsPerFile ?? DEFAULT_MAX_LOCATOR_ROWS_PER_FILE;
  if (!Number.isInteger(filesPerMerge) || filesPerMerge < 2)
    throw new Error('filesPerMerge must be an integer >= 2');
  const partition = locatorPartition(encodedProjectId);
  const result: LocatorMergeResult = {
    partition,
    filesRead: 0,
    rowsWritten: 0,
    written: [],
    deleted: [],
    files: 0,
  };
  const tiers = new Map<number, string[]>();
  for await (const key of store.list(partition)) {
    const tier = locatorTier(key);
    if (tier === undefined) continue;
    tiers.set(tier, [...(tiers.get(tier) ?? []), key]);
  }
  let sequence = 0;
  for (let tier = 0; tier < FINAL_LOCATOR_TIER; tier++) {
    const keys = (tiers.get(tier) ?? []).sort();
    while (keys.length >= filesPerMerge) {
      // One merge: filesPerMerge files of the tier (of tier 0, all of them: a busy hour leaves many
      // batch files), stopping early once the rows reach the bound.
      const inputs: string[] = [];
      const groups: LocatorRow[][] = [];
      let rows = 0;
      while (keys.length > 0 && (inputs.length < filesPerMerge || tier === 0) && rows < maxRows) {
        const key = keys.shift() as string;
        const body = await store.get(key);
        inputs.push(key);
        if (body === undefined) continue;
        const fileRows = toLocatorRows(await readParquet(LOCATOR_COLUMNS, body));
        result.filesRead++;
        rows += fileRows.length;
        groups.push(fileRows);
      }
      const merged = mergeLocatorRows(groups);
      const nextTier = merged.length >= maxRows ? FINAL_LOCATOR_TIER : tier + 1;
      const key = locatorFileKey(
        encodedProjectId,
        nextTier,
        `${String(options.now).padStart(13, '0')}-${sequence++}`,
      );
      if (merged.length > 0) {
        const body = writeParquet(LOCATOR_COLUMNS, locatorParquetRows(merged), {
          ...options.parquet,
          rowGroupSize: LOCATOR_ROW_GROUP_SIZE,
          metadata: { 'waggle.merged_at': new Date(options.now).toISOString() },
        });
        await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
        result.written.push(key);
        result.rowsWritten += merged.length;
        tiers.set(nextTier, [...(tiers.get(nextTier) ?? []), key]);
      }
      // Only now, with every row in the merged file, may its inputs go.
      for (const input of inputs) {
        await store.delete(input);
        result.deleted.push(input);
      }
    }
    tiers.set(tier, keys);
  }
  result.files = [...tiers.values()].reduce((sum, keys) => sum + keys.length, 0);
  return result;
}
