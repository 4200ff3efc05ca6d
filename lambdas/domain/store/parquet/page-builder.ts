/**
 * Builds the body of one Parquet v1 data page (definition levels, then values) of one column,
 * appended to a few rows at a time, for the store's column types:
 *
 * - strings: DELTA_LENGTH_BYTE_ARRAY. The lengths are delta-packed and the UTF-8 bytes follow back
 *   to back, so each string is written straight into the page buffer with one native call (the
 *   Parquet spec prefers this encoding to PLAIN for byte arrays; DuckDB, Trino/Athena and hyparquet
 *   read it). A page of NULLs only is PLAIN with no values.
 * - bigint (INT64), double and boolean: PLAIN.
 * - every column is OPTIONAL (max definition level 1): levels are one RLE run when the page has no
 *   NULL, else the RLE/bit-packed hybrid.
 *
 * Values are written at an offset that leaves room for the levels and lengths, which `take` then
 * copies in just before them, so the body is contiguous without copying the values. Every value's
 * type is checked as it is appended, and the column chunk's min/max are folded in on the way.
 */
import { ByteWriter } from 'hyparquet-writer';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import type { Column } from '../columns';

/** A stripe of rows, each as its values in column order (columns.ts RowValues). */
export type RowStripe = readonly (readonly unknown[])[];

/** Min/max of a column chunk, folded page by page. `usable` turns false when they cannot be exact. */
export interface ChunkBounds {
  track: boolean;
  usable: boolean;
  min: string | number | boolean | undefined;
  max: string | number | boolean | undefined;
}

export type PageEncoding = 'PLAIN' | 'DELTA_LENGTH_BYTE_ARRAY';

export interface EncodedPage {
  /** Levels and values, uncompressed; a view into the builder's buffer, valid until it is appended to. */
  bytes: Uint8Array;
  encoding: PageEncoding;
  rows: number;
  nulls: number;
}

// Largest levels section for n values: its 4-byte length, plus at most 6 bytes per 8 values
// (an RLE run header and value, or a bit-packed group and its header), plus a final partial group.
const levelsBound = (count: number) => 24 + count;
// Largest DELTA_BINARY_PACKED int32 section: a header, then per block of 128 values a min delta,
// four miniblock widths and up to 32 bits per value.
const lengthsBound = (count: number) => 24 + Math.ceil(count / 128) * (10 + 4 + 128 * 4);

const TWO_POW_32 = 2 ** 32;
const INT64_LIMIT = 2 ** 63;
const INITIAL_STRING_BYTES = 1 << 16;

export class PageBuilder {
  private buffer: Buffer;
  private view: DataView;
  /** Where the values start; the levels and lengths go just before. */
  private readonly reserve: number;
  private readonly maxRows: number;
  private readonly levels: Uint8Array;
  private readonly lengths: Int32Array;
  private offset: number;
  private rows = 0;
  private nulls = 0;
  private present = 0;
  private chars = 0;

  constructor(
    private readonly column: Column,
    maxPageRows: number,
    private readonly pageBytes: number,
    private readonly bounds: ChunkBounds,
  ) {
    const isString = column.type === 'string';
    this.maxRows = isString ? maxPageRows : Math.max(1, Math.min(maxPageRows, Math.floor(pageBytes / 8)));
    this.reserve = levelsBound(this.maxRows) + (isString ? lengthsBound(this.maxRows) : 0);
    this.buffer = Buffer.allocUnsafe(
      this.reserve + (isString ? Math.min(pageBytes, INITIAL_STRING_BYTES) : this.maxRows * 8),
    );
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.levels = new Uint8Array(this.maxRows);
    this.lengths = new Int32Array(isString ? this.maxRows : 0);
    this.offset = this.reserve;
  }

  get isEmpty(): boolean {
    return this.rows === 0;
  }

  get isFull(): boolean {
    return this.rows >= this.maxRows || this.offset - this.reserve >= this.pageBytes;
  }

  /** Appends rows from `start` until `end` or until the page is full; returns the next row to append. */
  append(rows: RowStripe, columnIndex: number, start: number, end: number): number {
    const last = Math.min(end, start + this.maxRows - this.rows);
    switch (this.column.type) {
      case 'string':
        return this.appendStrings(rows, columnIndex, start, last);
      case 'bigint':
        return this.appendNumbers(rows, columnIndex, start, last, true);
      case 'double':
        return this.appendNumbers(rows, columnIndex, start, last, false);
      case 'boolean':
        return this.appendBoolean(rows, columnIndex, start, last);
    }
  }

  /** The page body so far; the builder starts a new page. */
  take(): EncodedPage {
    const prefix = new ByteWriter(this.reserve);
    writeLevels(prefix, this.levels, this.rows, this.nulls);
    const isStrings = this.column.type === 'string';
    if (isStrings && this.present > 0)
      deltaBinaryPack(prefix, this.lengths.subarray(0, this.present), 'INT32');
    const bytes = prefix.getBytes();
    if (bytes.byteLength > this.reserve) throw new Error('Parquet page prefix exceeds its reserved space');
    const start = this.reserve - bytes.byteLength;
    this.buffer.set(bytes, start);
    const end = this.column.type === 'boolean' ? this.reserve + Math.ceil(this.present / 8) : this.offset;
    const page: EncodedPage = {
      bytes: this.buffer.subarray(start, end),
      encoding: isStrings && this.present > 0 ? 'DELTA_LENGTH_BYTE_ARRAY' : 'PLAIN',
      rows: this.rows,
      nulls: this.nulls,
    };
    this.offset = this.reserve;
    this.rows = 0;
    this.nulls = 0;
    this.present = 0;
    this.chars = 0;
    return page;
  }

  private appendStrings(rows: RowStripe, columnIndex: number, start: number, last: number): number {
    const { levels, lengths, reserve, pageBytes, bounds } = this;
    let buffer = this.buffer;
    let offset = this.offset;
    let count = this.rows;
    let present = this.present;
    let chars = this.chars;
    let min = bounds.min as string | undefined;
    let max = bounds.max as string | undefined;
    let row = start;
    while (row < last) {
      const value = (rows[row++] as readonly unknown[])[columnIndex];
      if (value === null || value === undefined) {
        levels[count++] = 0;
        continue;
      }
      if (typeof value !== 'string') throw invalidValue(this.column, value);
      // UTF-8 takes at most 3 bytes per UTF-16 code unit.
      if (offset + value.length * 3 > buffer.byteLength) {
        this.grow(offset + value.length * 3, offset);
        buffer = this.buffer;
      }
      const written = buffer.write(value, offset);
      offset += written;
      chars += value.length;
      lengths[present++] = written;
      levels[count++] = 1;
      if (bounds.track) {
        if (min === undefined || value < min) min = value;
        if (max === undefined || value > max) max = value;
      }
      if (offset - reserve >= pageBytes) break;
    }
    bounds.min = min;
    bounds.max = max;
    // JavaScript compares UTF-16 code units, Parquet compares UTF-8 bytes: the orders agree for ASCII,
    // so bounds are kept only while everything written was ASCII (one byte per code unit).
    if (offset - reserve !== chars) bounds.usable = false;
    this.offset = offset;
    this.nulls += count - this.rows - (present - this.present);
    this.rows = count;
    this.present = present;
    this.chars = chars;
    return row;
  }

  /** INT64 and DOUBLE: PLAIN, 8 little-endian bytes a value. */
  private appendNumbers(
    rows: RowStripe,
    columnIndex: number,
    start: number,
    last: number,
    integers: boolean,
  ): number {
    const { levels, view, bounds } = this;
    let offset = this.offset;
    let count = this.rows;
    let nulls = this.nulls;
    let min = bounds.min as number | undefined;
    let max = bounds.max as number | undefined;
    for (let row = start; row < last; row++) {
      const value = (rows[row] as readonly unknown[])[columnIndex];
      if (value === null || value === undefined) {
        levels[count++] = 0;
        nulls++;
        continue;
      }
      if (typeof value !== 'number') throw invalidValue(this.column, value);
      let number = value;
      if (integers) {
        // INT64 columns hold epoch milliseconds, versions and token counts: finite numbers only,
        // rounded (times may carry sub-millisecond fractions, which an INT64 column cannot hold).
        number = Math.round(value);
        if (!(number < INT64_LIMIT && number >= -INT64_LIMIT)) throw invalidValue(this.column, value);
        const high = Math.floor(number / TWO_POW_32);
        view.setUint32(offset, number - high * TWO_POW_32, true);
        view.setInt32(offset + 4, high, true);
      } else view.setFloat64(offset, value, true);
      offset += 8;
      levels[count++] = 1;
      // NaN never enters the statistics (it has no place in the order).
      if (Number.isNaN(number)) continue;
      if (min === undefined || number < min) min = number;
      if (max === undefined || number > max) max = number;
    }
    bounds.min = min;
    bounds.max = max;
    this.offset = offset;
    this.rows = count;
    this.nulls = nulls;
    return last;
  }

  private appendBoolean(rows: RowStripe, columnIndex: number, start: number, last: number): number {
    const { levels, buffer, reserve, bounds } = this;
    let count = this.rows;
    let nulls = this.nulls;
    let bit = this.present;
    let sawTrue = bounds.max === true;
    let sawFalse = bounds.min === false;
    for (let row = start; row < last; row++) {
      const value = (rows[row] as readonly unknown[])[columnIndex];
      if (value === null || value === undefined) {
        levels[count++] = 0;
        nulls++;
        continue;
      }
      if (typeof value !== 'boolean') throw invalidValue(this.column, value);
      const at = reserve + (bit >>> 3);
      // Bits fill each byte from the least significant; a new byte starts from zero.
      const byte = (bit & 7) === 0 ? 0 : (buffer[at] as number);
      buffer[at] = value ? byte | (1 << (bit & 7)) : byte;
      if (value) sawTrue = true;
      else sawFalse = true;
      bit++;
      levels[count++] = 1;
    }
    if (sawTrue || sawFalse) {
      bounds.min = !sawFalse;
      bounds.max = sawTrue;
    }
    this.present = bit;
    this.rows = count;
    this.nulls = nulls;
    return last;
  }

  /** Makes room for `bytes` bytes, keeping the first `keep`. */
  private grow(bytes: number, keep: number): void {
    const grown = Buffer.allocUnsafe(Math.max(bytes, this.buffer.byteLength * 2));
    this.buffer.copy(grown, 0, 0, keep);
    this.buffer = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }
}

/** Definition levels as a v1 data page stores them: a 4-byte length, then the hybrid encoding. */
function writeLevels(writer: ByteWriter, levels: Uint8Array, count: number, nulls: number): void {
  const lengthAt = writer.offset;
  writer.appendUint32(0);
  if (nulls === 0) {
    // One RLE run of `count` ones (bit width 1 takes one byte).
    writer.appendVarInt(count * 2);
    writer.appendUint8(1);
  } else writeRleBitPackedHybrid(writer, levels.subarray(0, count), 1);
  writer.view.setUint32(lengthAt, writer.offset - lengthAt - 4, true);
}

function invalidValue(column: Column, value: unknown): Error {
  return new Error(`Column ${column.name} (${column.type}) cannot hold ${describeValue(value)}`);
}

/** The value as the error shows it: JSON where JSON can say it (not NaN, Infinity or a BigInt). */
function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') {
    return `${typeof value === 'bigint' ? 'BigInt ' : ''}${String(value)}`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
