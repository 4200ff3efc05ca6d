/**
 * Writes one column chunk (the column's rows of one row group) as pages of about `pageBytes`
 * uncompressed, each ZSTD-compressed behind its Thrift header, and returns the chunk's metadata for
 * the footer. A value that does not fit the column's type throws (and the file is not written). Thrift headers come from hyparquet-writer; this module only decides what goes in them.
 */
import { constants as zlibConstants, zstdCompressSync } from 'node:zlib';
import type { ColumnChunk, Encoding, ParquetType, Statistics } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import type { Column, ColumnType } from '../columns';
import { type ChunkBounds, encodePage } from './page-body';
import type { Scratch } from './scratch';

export const PARQUET_TYPES = {
  string: 'BYTE_ARRAY',
  bigint: 'INT64',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
} as const satisfies Record<ColumnType, ParquetType>;

export interface ChunkOptions {
  zstdLevel: number;
  /** Target uncompressed bytes per page (strings are measured in UTF-16 code units). */
  pageBytes: number;
  /** Whether to keep min/max for this column (null counts are always kept). */
  minMax: boolean;
}

/** The file's bytes so far, as a list of parts joined once at the end. */
export class FileParts {
  readonly parts: Uint8Array[] = [];
  offset = 0;

  push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.offset += bytes.byteLength;
  }

  join(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts, this.offset));
  }
}

export interface WrittenChunk {
  chunk: ColumnChunk;
  uncompressedBytes: number;
}

export function writeColumnChunk(
  out: FileParts,
  column: Column,
  values: ArrayLike<unknown>,
  start: number,
  end: number,
  options: ChunkOptions,
  scratch: Scratch,
): WrittenChunk {
  const bounds: ChunkBounds = {
    track: options.minMax,
    usable: options.minMax,
    min: undefined,
    max: undefined,
  };
  const encodings = new Set<Encoding>(['RLE']);
  const level = { params: { [zlibConstants.ZSTD_c_compressionLevel]: options.zstdLevel } };
  const chunkStart = out.offset;
  let uncompressedBytes = 0;
  let nulls = 0;
  let row = start;
  while (row < end) {
    const page = encodePage(column, values, row, end, options, bounds, scratch);
    const compressed = zstdCompressSync(page.bytes, level);
    const header = new ByteWriter(64);
    writePageHeader(header, {
      type: 'DATA_PAGE',
      uncompressed_page_size: page.bytes.byteLength,
      compressed_page_size: compressed.byteLength,
      data_page_header: {
        num_values: page.end - row,
        encoding: page.encoding,
        definition_level_encoding: 'RLE',
        repetition_level_encoding: 'RLE',
      },
    });
    out.push(header.getBytes());
    out.push(compressed);
    encodings.add(page.encoding);
    uncompressedBytes += header.offset + page.bytes.byteLength;
    nulls += page.nulls;
    row = page.end;
  }
  return {
    chunk: {
      file_offset: BigInt(chunkStart),
      meta_data: {
        type: PARQUET_TYPES[column.type],
        encodings: [...encodings],
        path_in_schema: [column.name],
        codec: 'ZSTD',
        num_values: BigInt(end - start),
        total_uncompressed_size: BigInt(uncompressedBytes),
        total_compressed_size: BigInt(out.offset - chunkStart),
        data_page_offset: BigInt(chunkStart),
        statistics: statistics(column.type, bounds, nulls),
      },
    },
    uncompressedBytes,
  };
}

function statistics(type: ColumnType, bounds: ChunkBounds, nulls: number): Statistics {
  const stats: Statistics = { null_count: BigInt(nulls) };
  if (!bounds.usable || bounds.min === undefined || bounds.max === undefined) return stats;
  if (type === 'bigint') {
    stats.min_value = BigInt(bounds.min as number);
    stats.max_value = BigInt(bounds.max as number);
  } else if (type === 'double') {
    // The spec's rule for zeros: a min of zero is written as -0, a max of zero as +0.
    stats.min_value = bounds.min === 0 ? -0 : bounds.min;
    stats.max_value = bounds.max === 0 ? 0 : bounds.max;
  } else {
    stats.min_value = bounds.min;
    stats.max_value = bounds.max;
  }
  return stats;
}
