/**
 * Writes one column's chunk of each row group: rows are appended a stripe at a time, full pages are
 * ZSTD-compressed behind their Thrift header (from hyparquet-writer) and held until the row group
 * ends, when the chunk is written out whole and its metadata returned for the footer. A value that
 * does not fit the column's type throws, and the file is not written.
 */
import { constants as zlibConstants, zstdCompressSync } from 'node:zlib';
import type { ColumnChunk, Encoding, ParquetType, Statistics } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import type { Column, ColumnType } from '../columns';
import { type ChunkBounds, PageBuilder, type RowStripe } from './page-builder';

export const PARQUET_TYPES = {
  string: 'BYTE_ARRAY',
  bigint: 'INT64',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
} as const satisfies Record<ColumnType, ParquetType>;

export interface ChunkOptions {
  zstdLevel: number;
  /** Target uncompressed bytes of values per page (strings counted in UTF-8 bytes). */
  pageBytes: number;
  maxPageRows: number;
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

export class ColumnChunkWriter {
  private readonly builder: PageBuilder;
  private readonly bounds: ChunkBounds;
  private readonly zstd: ReturnType<typeof zstdOptions>;
  /** Page headers and compressed bodies of the current row group, in order. */
  private parts: Uint8Array[] = [];
  private encodings = new Set<Encoding>(['RLE']);
  private rows = 0;
  private nulls = 0;
  private uncompressedBytes = 0;

  constructor(
    private readonly column: Column,
    private readonly columnIndex: number,
    private readonly options: ChunkOptions,
  ) {
    this.bounds = { track: options.minMax, usable: options.minMax, min: undefined, max: undefined };
    this.builder = new PageBuilder(column, options.maxPageRows, options.pageBytes, this.bounds);
    this.zstd = zstdOptions(options.zstdLevel);
  }

  append(rows: RowStripe, start: number, end: number): void {
    let row = start;
    while (row < end) {
      row = this.builder.append(rows, this.columnIndex, row, end);
      if (this.builder.isFull) this.flushPage();
    }
  }

  /** Writes the row group's chunk to `out` and starts the next row group's. */
  finish(out: FileParts): WrittenChunk {
    if (!this.builder.isEmpty) this.flushPage();
    const chunkStart = out.offset;
    for (const part of this.parts) out.push(part);
    const written: WrittenChunk = {
      chunk: {
        file_offset: BigInt(chunkStart),
        meta_data: {
          type: PARQUET_TYPES[this.column.type],
          encodings: [...this.encodings],
          path_in_schema: [this.column.name],
          codec: 'ZSTD',
          num_values: BigInt(this.rows),
          total_uncompressed_size: BigInt(this.uncompressedBytes),
          total_compressed_size: BigInt(out.offset - chunkStart),
          data_page_offset: BigInt(chunkStart),
          statistics: statistics(this.column.type, this.bounds, this.nulls),
        },
      },
      uncompressedBytes: this.uncompressedBytes,
    };
    this.parts = [];
    this.encodings = new Set(['RLE']);
    this.rows = 0;
    this.nulls = 0;
    this.uncompressedBytes = 0;
    Object.assign(this.bounds, { usable: this.options.minMax, min: undefined, max: undefined });
    return written;
  }

  private flushPage(): void {
    const page = this.builder.take();
    const compressed = zstdCompressSync(page.bytes, this.zstd);
    const header = new ByteWriter(64);
    writePageHeader(header, {
      type: 'DATA_PAGE',
      uncompressed_page_size: page.bytes.byteLength,
      compressed_page_size: compressed.byteLength,
      data_page_header: {
        num_values: page.rows,
        encoding: page.encoding,
        definition_level_encoding: 'RLE',
        repetition_level_encoding: 'RLE',
      },
    });
    this.parts.push(header.getBytes(), compressed);
    this.encodings.add(page.encoding);
    this.rows += page.rows;
    this.nulls += page.nulls;
    this.uncompressedBytes += header.offset + page.bytes.byteLength;
  }
}

/**
 * Pages are at most about 1 MiB, so a 128 KiB window and a 4096-entry hash table lose nothing in
 * ratio (files come out slightly smaller) while each call sets up far less memory than the level's
 * defaults, which are sized for large inputs: about a fifth less compression time per file.
 */
function zstdOptions(level: number) {
  return {
    params: {
      [zlibConstants.ZSTD_c_compressionLevel]: level,
      [zlibConstants.ZSTD_c_windowLog]: 17,
      [zlibConstants.ZSTD_c_hashLog]: 12,
    },
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
