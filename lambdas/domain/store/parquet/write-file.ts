/**
 * Assembles a Parquet file from column arrays: the magic, one row group per `rowGroupSize` rows
 * (each a column chunk per column), and the Thrift footer written by hyparquet-writer. Every
 * column is OPTIONAL; strings carry the STRING logical type.
 */
import type { RowGroup, SchemaElement } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import type { Column } from '../columns';
import { FileParts, PARQUET_TYPES, writeColumnChunk } from './column-chunk';
import { Scratch } from './scratch';

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
// Session and event ids are 36 characters: keep them whole in the statistics so a lookup by id
// can skip row groups on exact bounds.
const STATISTICS_TRUNCATE_BYTES = 64;

export function encodeParquetFile(
  columns: readonly Column[],
  columnValues: readonly ArrayLike<unknown>[],
  rowCount: number,
  options: ParquetFileOptions,
): Uint8Array {
  if (columnValues.length !== columns.length) {
    throw new Error(`Expected ${columns.length} value arrays, got ${columnValues.length}`);
  }
  columns.forEach((column, index) => {
    const length = (columnValues[index] as ArrayLike<unknown>).length;
    if (length !== rowCount) throw new Error(`Column ${column.name} has ${length} values, not ${rowCount}`);
  });
  if (!(options.rowGroupSize >= 1)) throw new Error('rowGroupSize must be at least 1');

  const out = new FileParts();
  out.push(MAGIC);
  const scratch = new Scratch(MAX_PAGE_ROWS);
  const rowGroups: RowGroup[] = [];
  for (let start = 0; start < rowCount; start += options.rowGroupSize) {
    const end = Math.min(rowCount, start + options.rowGroupSize);
    const groupStart = out.offset;
    let uncompressed = 0;
    const chunks = columns.map((column, index) => {
      const written = writeColumnChunk(
        out,
        column,
        columnValues[index] as ArrayLike<unknown>,
        start,
        end,
        { zstdLevel: options.zstdLevel, pageBytes: options.pageBytes, minMax: options.minMax(column) },
        scratch,
      );
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
