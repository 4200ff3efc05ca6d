/**
 * Assembles a Parquet file from rows given as values in column order: the magic, one row group per
 * `rowGroupSize` rows (each a column chunk per column), and the Thrift footer written by hyparquet-writer. Every
 * column is OPTIONAL; strings carry the STRING logical type.
 */
import type { RowGroup, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import type { Column } from '../columns';
import { ColumnChunkWriter, FileParts, PARQUET_TYPES } from './column-chunk';
import type { RowStripe } from './page-builder';

export interface ParquetFileOptions {
  rowGroupSize: number;
  zstdLevel: number;
  pageBytes: number;
  /** Columns that keep min/max statistics. */
  minMax: (column: Column) => boolean;
  metadata: Record<string, string>;
}

const MAGIC = Buffer.from('PAR1', 'latin1');
// Rows per page at most, whatever their size (as other writers cap it): bounds the per-page arrays.
const MAX_PAGE_ROWS = 20_000;
const STRIPE_ROWS = 256;
// Session and event ids are 36 characters: keep them whole in the statistics so a lookup by id
// can skip row groups on exact bounds.
const STATISTICS_TRUNCATE_BYTES = 64;

/** Row `index` as values in column order. */
export type RowSource = (index: number) => readonly unknown[];

export function encodeParquetFile(
  columns: readonly Column[],
  rowCount: number,
  rowAt: RowSource,
  options: ParquetFileOptions,
): Uint8Array {
  if (!Number.isInteger(options.rowGroupSize) || options.rowGroupSize < 1) {
    throw new Error(`rowGroupSize must be a whole number of rows, at least 1 (got ${options.rowGroupSize})`);
  }

  const out = new FileParts();
  out.push(MAGIC);
  const writers = columns.map(
    (column, index) =>
      new ColumnChunkWriter(column, index, {
        zstdLevel: options.zstdLevel,
        pageBytes: options.pageBytes,
        // A small file's pages are small: its builders' buffers are sized to it, not to the cap.
        maxPageRows: Math.max(1, Math.min(MAX_PAGE_ROWS, options.rowGroupSize, rowCount)),
        minMax: options.minMax(column),
      }),
  );
  const rowGroups: RowGroup[] = [];
  for (let start = 0; start < rowCount; start += options.rowGroupSize) {
    const end = Math.min(rowCount, start + options.rowGroupSize);
    // A stripe of rows at a time, made and then written through every column: its rows and strings
    // stay in the CPU cache across the columns (one column at a time over all rows misses the cache
    // on every row), and die young, never reaching the old generation the garbage collector scans.
    for (let stripeStart = start; stripeStart < end; stripeStart += STRIPE_ROWS) {
      const stripe = rowsOf(columns, rowAt, stripeStart, Math.min(end, stripeStart + STRIPE_ROWS));
      for (const writer of writers) writer.append(stripe, 0, stripe.length);
    }
    const groupStart = out.offset;
    let uncompressed = 0;
    const chunks = writers.map((writer) => {
      const written = writer.finish(out);
      uncompressed += written.uncompressedBytes;
      return written.chunk;
    });
    rowGroups.push({
      columns: chunks,
      num_rows: BigInt(end - start),
      total_byte_size: BigInt(uncompressed),
      file_offset: BigInt(groupStart),
      total_compressed_size: BigInt(out.offset - groupStart),
    });
  }

  const footer = new ByteWriter(4096);
  writeMetadata(
    footer,
    {
      version: 1,
      schema: schemaElements(columns),
      num_rows: BigInt(rowCount),
      row_groups: rowGroups,
      key_value_metadata: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
      created_by: 'waggle',
      metadata_length: 0,
    },
    STATISTICS_TRUNCATE_BYTES,
  );
  out.push(footer.getBytes());
  out.push(MAGIC);
  return out.join();
}

function rowsOf(columns: readonly Column[], rowAt: RowSource, start: number, end: number): RowStripe {
  const rows = new Array<readonly unknown[]>(end - start);
  for (let index = start; index < end; index++) {
    const row = rowAt(index);
    if (row.length !== columns.length) {
      throw new Error(`Row ${index} has ${row.length} values for ${columns.length} columns`);
    }
    rows[index - start] = row;
  }
  return rows;
}

function schemaElements(columns: readonly Column[]): SchemaElement[] {
  return [
    { name: 'schema', num_children: columns.length },
    ...columns.map(
      (column): SchemaElement => ({
        name: column.name,
        type: PARQUET_TYPES[column.type],
        repetition_type: 'OPTIONAL',
        ...(column.type === 'string'
          ? { converted_type: 'UTF8' as const, logical_type: { type: 'STRING' as const } }
          : {}),
      }),
    ),
  ];
}
