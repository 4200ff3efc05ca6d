/**
 * Parquet encoding of the store's tables, following columns.ts exactly: string -> BYTE_ARRAY UTF8,
 * bigint -> INT64, double -> DOUBLE, boolean -> BOOLEAN, every column OPTIONAL. ZSTD compression
 * (Node's built-in zstd): both DuckDB and Athena read it, and event JSON shrinks much further than
 * under Snappy. hyparquet reads the files back for compaction.
 */
import { constants as zlibConstants, zstdCompressSync, zstdDecompressSync } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Column, ColumnType } from './columns';

export interface ParquetWriteTuning {
  /** Rows per row group. Default 100,000: few groups per file, yet bounded memory per group. */
  rowGroupSize?: number;
  /** zstd level (1-22). Default 3, zstd's own default: most of the ratio at a fraction of the time. */
  zstdLevel?: number;
}

export interface ParquetWriteOptions extends ParquetWriteTuning {
  /** Key-value metadata stored in the file footer (who wrote it, when). */
  metadata?: Record<string, string>;
}

const PARQUET_TYPES = {
  string: 'STRING',
  bigint: 'INT64',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
} as const satisfies Record<ColumnType, string>;

/**
 * JSON text gains nothing from min/max statistics (no engine prunes on them), and unique ids gain
 * nothing from dictionaries: skipping those saves write time. Everything else keeps statistics
 * (pruning on times and ids) and lets the writer choose a dictionary where it halves the size
 * (model, event_type, and JSON sections that are mostly "{}" such as feedback and metrics).
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
const UNIQUE_COLUMNS = new Set(['event_id', 'span_id']);

function columnHints(name: string): { statistics?: boolean; encoding?: 'PLAIN' } {
  if (JSON_TEXT_COLUMNS.has(name)) return { statistics: false };
  if (UNIQUE_COLUMNS.has(name)) return { encoding: 'PLAIN' };
  return {};
}

const DEFAULT_ROW_GROUP_SIZE = 100_000;
const DEFAULT_ZSTD_LEVEL = 3;

/** Rows keyed by column name; integers and doubles as JS numbers, NULL as null. */
export type ParquetRow = Record<string, string | number | boolean | null>;

export function writeParquet(
  columns: readonly Column[],
  rows: readonly ParquetRow[],
  tuning: ParquetWriteOptions = {},
): Uint8Array {
  const level = tuning.zstdLevel ?? DEFAULT_ZSTD_LEVEL;
  const buffer = parquetWriteBuffer({
    columnData: columns.map((column) => ({
      name: column.name,
      type: PARQUET_TYPES[column.type],
      nullable: true,
      data: columnValues(column, rows),
      ...columnHints(column.name),
    })),
    codec: 'ZSTD',
    compressors: {
      ZSTD: (input) =>
        zstdCompressSync(input, { params: { [zlibConstants.ZSTD_c_compressionLevel]: level } }),
    },
    rowGroupSize: tuning.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE,
    createdBy: 'waggle',
    kvMetadata: Object.entries(tuning.metadata ?? {}).map(([key, value]) => ({ key, value })),
  });
  return new Uint8Array(buffer);
}

function columnValues(column: Column, rows: readonly ParquetRow[]): unknown[] {
  const values = new Array<unknown>(rows.length);
  const { name } = column;
  // One loop per type (not a switch per value): this runs for every cell of every file.
  if (column.type === 'bigint') {
    for (let index = 0; index < rows.length; index++) {
      const value = (rows[index] as ParquetRow)[name];
      if (value === null || value === undefined) values[index] = null;
      // INT64 needs a bigint; times may carry sub-millisecond fractions, which the column cannot hold.
      else if (typeof value === 'number' && Number.isFinite(value)) values[index] = BigInt(Math.round(value));
      else throw invalidValue(column, value);
    }
    return values;
  }
  const expected = column.type === 'string' ? 'string' : column.type === 'double' ? 'number' : 'boolean';
  for (let index = 0; index < rows.length; index++) {
    const value = (rows[index] as ParquetRow)[name];
    if (value === null || value === undefined) values[index] = null;
    else if (typeof value === expected) values[index] = value;
    else throw invalidValue(column, value);
  }
  return values;
}

function invalidValue(column: Column, value: unknown): Error {
  return new Error(`Column ${column.name} (${column.type}) cannot hold ${JSON.stringify(value)}`);
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
