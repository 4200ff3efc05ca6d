/**
 * Keeps a project's event-schema files (event-schema.ts) few: once a project has `minFiles` files
 * (the writer leaves one per batch), compaction reads them all and writes one merged file
 * (occurrences added, first and last seen widened), then deletes its inputs. A merged file is an
 * input of the next merge like any other, so a project has at most about `minFiles` files between
 * runs, plus what was written since the last one, and a read of its schema opens that many.
 *
 * Bounded: at most `maxFilesPerMerge` files are read in one run (the rest wait for the next), and a
 * merged file keeps at most `maxRows` rows, the most recently seen ones: a project whose events
 * keep inventing new names or fields cannot grow its schema without limit; a field dropped that way
 * is listed again once it is seen again.
 *
 * Crash safety as in compaction: the merged file is written before its inputs are deleted; a run
 * that stops in between leaves rows counted twice in `occurrences` (a hint, never an event count
 * anyone bills by) until they age out, and no row is lost.
 */
import type { DeletableObjectStore } from '../ports';
import {
  EVENT_SCHEMA_COLUMNS,
  eventSchemaPartition,
  mergeSchemaRows,
  type SchemaRow,
  schemaParquetRows,
  toSchemaRows,
} from './event-schema';
import { type ParquetWriteTuning, readParquet, writeParquet } from './parquet-files';

export const DEFAULT_SCHEMA_FILES_PER_MERGE = 8;
export const DEFAULT_MAX_SCHEMA_FILES_READ = 2_000;
/** About 20 MB of rows in memory; far more fields than a console lists. */
export const DEFAULT_MAX_SCHEMA_ROWS = 100_000;

export interface EventSchemaMergeOptions {
  now: number;
  minFiles?: number;
  maxFilesPerMerge?: number;
  maxRows?: number;
  parquet?: ParquetWriteTuning;
}

export interface EventSchemaMergeResult {
  partition: string;
  filesRead: number;
  rowsWritten: number;
  written: string[];
  deleted: string[];
}

export async function mergeEventSchemas(
  store: DeletableObjectStore,
  encodedProjectId: string,
  options: EventSchemaMergeOptions,
): Promise<EventSchemaMergeResult> {
  const minFiles = options.minFiles ?? DEFAULT_SCHEMA_FILES_PER_MERGE;
  const maxFiles = options.maxFilesPerMerge ?? DEFAULT_MAX_SCHEMA_FILES_READ;
  const maxRows = options.maxRows ?? DEFAULT_MAX_SCHEMA_ROWS;
  if (!Number.isInteger(minFiles) || minFiles < 2) throw new Error('minFiles must be an integer >= 2');
  const partition = eventSchemaPartition(encodedProjectId);
  const result: EventSchemaMergeResult = {
    partition,
    filesRead: 0,
    rowsWritten: 0,
    written: [],
    deleted: [],
  };
  const keys: string[] = [];
  for await (const key of store.list(partition)) {
    if (!key.endsWith('.parquet')) continue;
    keys.push(key);
    if (keys.length >= maxFiles) break;
  }
  if (keys.length < minFiles) return result;
  const groups: SchemaRow[][] = [];
  for (const key of keys) {
    const body = await store.get(key);
    if (body === undefined) continue;
    groups.push(toSchemaRows(await readParquet(EVENT_SCHEMA_COLUMNS, body)));
    result.filesRead++;
  }
  let merged = mergeSchemaRows(groups);
  if (merged.length > maxRows) {
    const kept = new Set(
      [...merged]
        .sort((a, b) => b.last_seen - a.last_seen || b.occurrences - a.occurrences)
        .slice(0, maxRows),
    );
    merged = merged.filter((row) => kept.has(row));
  }
  if (merged.length > 0) {
    const key = `${partition}m-${String(options.now).padStart(13, '0')}.parquet`;
    const body = writeParquet(EVENT_SCHEMA_COLUMNS, schemaParquetRows(merged), {
      ...options.parquet,
      metadata: { 'waggle.merged_at': new Date(options.now).toISOString() },
    });
    await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
    result.written.push(key);
    result.rowsWritten = merged.length;
  }
  // Only now, with every row in the merged file, may its inputs go (never the file just written).
  for (const key of keys) {
    if (result.written.includes(key)) continue;
    await store.delete(key);
    result.deleted.push(key);
  }
  return result;
}
