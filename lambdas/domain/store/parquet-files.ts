/**
 * Parquet files of the store's tables, following columns.ts exactly: string -> BYTE_ARRAY UTF8,
 * bigint -> INT64, double -> DOUBLE, boolean -> BOOLEAN, every column OPTIONAL, ZSTD pages (Node's
 * built-in zstd; DuckDB and Athena read it, and event JSON shrinks much further than under Snappy).
 * The encoder in ./parquet is purpose-built for these four types (see docs/event-store.md for why);
 * hyparquet reads the files back for compaction.
 */
import { zstdDecompressSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { type Column, JSON_TEXT_COLUMNS } from './columns';
import { encodeParquetFile, type RowSource } from './parquet/write-file';

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
  return writeParquetRows(
    columns,
    rows.length,
    (index) => columns.map((column) => (rows[index] as ParquetRow)[column.name]),
    options,
  );
}

/** Writes rows given as values in column order (as eventRowValues makes them). */
export function writeParquetRowValues(
  columns: readonly Column[],
  rows: readonly (readonly unknown[])[],
  options: ParquetWriteOptions = {},
): Uint8Array {
  return writeParquetRows(columns, rows.length, (index) => rows[index] as readonly unknown[], options);
}

/**
 * Writes `rowCount` rows, asking `rowAt(index)` for each row's values in column order, in index
 * order and only once each, a few thousand at a time. Making the rows as they are written (rather
 * than all of them first) keeps them short-lived, which is most of the writer's speed.
 */
export function writeParquetRows(
  columns: readonly Column[],
  rowCount: number,
  rowAt: RowSource,
  options: ParquetWriteOptions = {},
): Uint8Array {
  return encodeParquetFile(columns, rowCount, rowAt, {
    rowGroupSize: options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE,
    zstdLevel: options.zstdLevel ?? DEFAULT_ZSTD_LEVEL,
    pageBytes: options.pageBytes ?? DEFAULT_PAGE_BYTES,
    // JSON text gains nothing from min/max (no engine prunes on it): those keep null counts only.
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
