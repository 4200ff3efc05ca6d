/**
 * Parquet files of the store's tables, following columns.ts exactly: string -> BYTE_ARRAY UTF8,
 * bigint -> INT64, double -> DOUBLE, boolean -> BOOLEAN, every column OPTIONAL, ZSTD pages (Node's
 * built-in zstd; DuckDB and Athena read it, and event JSON shrinks much further than under Snappy).
 * The encoder in ./parquet is purpose-built for these four types (see docs/event-store.md for why);
 * hyparquet reads the files back for compaction.
 */
import { zstdDecompressSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import type { Column } from './columns';
import { encodeParquetFile } from './parquet/write-file';

export interface ParquetWriteTuning {
  /** Rows per row group. Default 100,000: few groups per file, yet bounded memory per group. */
  rowGroupSize?: number;
  /**
   * zstd level (negative levels are zstd's fast modes, up to 22). Default 1: on event rows it is
   * about as small as level 3 per 1 MiB page, at two thirds of the time (docs/BENCHMARKS.md).
   */
  zstdLevel?: number;
  /** Target uncompressed bytes per page. Default 1 MiB, the size readers are tuned for. */
  pageBytes?: number;
}

export interface ParquetWriteOptions extends ParquetWriteTuning {
  /** Key-value metadata stored in the file footer (who wrote it, when). */
  metadata?: Record<string, string>;
}

/**
 * JSON text gains nothing from min/max statistics (no engine prunes on them), so those columns keep
 * only null counts. Ids, times, tokens and the other scalar columns keep min/max for pruning.
 */
const JSON_TEXT_COLUMNS = new Set([
  'children_ids',
  'config',
  'inputs',
  'outputs',
  'metadata',
  'metrics',
  'feedback',
  'user_properties',
]);

const DEFAULT_ROW_GROUP_SIZE = 100_000;
const DEFAULT_ZSTD_LEVEL = 1;
const DEFAULT_PAGE_BYTES = 1 << 20;

/** Rows keyed by column name; integers and doubles as JS numbers, NULL as null. */
export type ParquetRow = Record<string, string | number | boolean | null>;

/** Writes rows keyed by column name; each value must fit its column's type, or the write throws. */
export function writeParquet(
  columns: readonly Column[],
  rows: readonly ParquetRow[],
  options: ParquetWriteOptions = {},
): Uint8Array {
  return writeParquetRowValues(
    columns,
    rows.map((row) => columns.map((column) => row[column.name])),
    options,
  );
}

/**
 * Writes rows given as values in column order (as eventRowValues makes them): transposing those into
 * columns is a plain array walk, where rows keyed by name cost a property lookup per cell.
 */
export function writeParquetRowValues(
  columns: readonly Column[],
  rows: readonly (readonly unknown[])[],
  options: ParquetWriteOptions = {},
): Uint8Array {
  const columnValues = columns.map(() => new Array<unknown>(rows.length));
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index] as readonly unknown[];
    if (row.length !== columns.length) {
      throw new Error(`Row ${index} has ${row.length} values for ${columns.length} columns`);
    }
    for (let column = 0; column < columns.length; column++) {
      (columnValues[column] as unknown[])[index] = row[column];
    }
  }
  return writeParquetColumns(columns, columnValues, rows.length, options);
}

/** Writes column arrays (one per column, in `columns` order, `rowCount` values each). */
export function writeParquetColumns(
  columns: readonly Column[],
  columnValues: readonly ArrayLike<unknown>[],
  rowCount: number,
  options: ParquetWriteOptions = {},
): Uint8Array {
  return encodeParquetFile(columns, columnValues, rowCount, {
    rowGroupSize: options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE,
    zstdLevel: options.zstdLevel ?? DEFAULT_ZSTD_LEVEL,
    pageBytes: options.pageBytes ?? DEFAULT_PAGE_BYTES,
    minMax: (column) => !JSON_TEXT_COLUMNS.has(column.name),
    metadata: options.metadata ?? {},
  });
}

/**
 * Reads every row of a Parquet file written by writeParquet (or any file with these columns).
 * INT64 values come back as numbers: the store's integers (epoch ms, microsecond versions, token
 * counts) are all below 2^53.
 */
export async function readParquet(columns: readonly Column[], bytes: Uint8Array): Promise<ParquetRow[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const objects = await parquetReadObjects({
    file,
    columns: columns.map((column) => column.name),
    compressors: { ZSTD: (input) => new Uint8Array(zstdDecompressSync(input)) },
  });
  return objects.map((object) => {
    const row: ParquetRow = {};
    for (const column of columns) row[column.name] = decodeValue(object[column.name]);
    return row;
  });
}

function decodeValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  return value as string | number | boolean;
}
