/**
 * Encodes the body of one Parquet v1 data page (definition levels, then values) for the store's
 * column types, into a Scratch buffer, in one pass over the rows that checks each value's type,
 * writes it, and stops when the page is full:
 *
 * - strings: DELTA_LENGTH_BYTE_ARRAY. The lengths are delta-packed and the UTF-8 bytes follow back
 *   to back, so each string is written straight into the buffer with one native call (the Parquet
 *   spec prefers this encoding to PLAIN for byte arrays; DuckDB, Trino/Athena and hyparquet read it).
 * - bigint (INT64), double and boolean: PLAIN.
 * - every column is OPTIONAL (max definition level 1): levels are one RLE run when the page has no
 *   NULL, else the RLE/bit-packed hybrid.
 *
 * The values are written first, at an offset that leaves room for the levels and lengths, which
 * are then copied in just before them: the page body ends up contiguous without copying the values.
 * Each encoder also folds the page into its column chunk's min/max.
 */
import { ByteWriter } from 'hyparquet-writer';
import { deltaBinaryPack } from 'hyparquet-writer/src/delta.js';
import { writeRleBitPackedHybrid } from 'hyparquet-writer/src/encoding.js';
import type { Column } from '../columns';
import type { Scratch } from './scratch';

/** Min/max of a column chunk, folded page by page. `usable` turns false when they cannot be exact. */
export interface ChunkBounds {
  track: boolean;
  usable: boolean;
  min: string | number | boolean | undefined;
  max: string | number | boolean | undefined;
}

export type PageEncoding = 'PLAIN' | 'DELTA_LENGTH_BYTE_ARRAY';

export interface EncodedPage {
  /** Levels and values, uncompressed; a view into the scratch buffer, valid until its next use. */
  bytes: Uint8Array;
  encoding: PageEncoding;
  /** The row after the page's last. */
  end: number;
  nulls: number;
}

export interface PageLimits {
  /** Target uncompressed bytes of values per page. */
  pageBytes: number;
}

// Largest levels section for n values: its 4-byte length, plus at most 6 bytes per 8 values
// (an RLE run header and value, or a bit-packed group and its header), plus a final partial group.
const levelsBound = (count: number) => 24 + count;
// Largest DELTA_BINARY_PACKED int32 section: a header, then per block of 128 values a min delta,
// four miniblock widths and up to 32 bits per value.
const lengthsBound = (count: number) => 24 + Math.ceil(count / 128) * (10 + 4 + 128 * 4);

const TWO_POW_32 = 2 ** 32;
const INT64_LIMIT = 2 ** 63;

/** Encodes the page that starts at row `start` (and ends at most at `end`). */
export function encodePage(
  column: Column,
  values: ArrayLike<unknown>,
  start: number,
  end: number,
  limits: PageLimits,
  bounds: ChunkBounds,
  scratch: Scratch,
): EncodedPage {
  if (column.type === 'string') return encodeStrings(column, values, start, end, limits, bounds, scratch);
  const rows = Math.min(end - start, scratch.maxPageRows, Math.max(1, Math.floor(limits.pageBytes / 8)));
  const reserve = levelsBound(rows);
  scratch.ensure(reserve + rows * 8);
  const written =
    column.type === 'bigint'
      ? encodeInt64(column, values, start, start + rows, reserve, bounds, scratch)
      : column.type === 'double'
        ? encodeDouble(column, values, start, start + rows, reserve, bounds, scratch)
        : encodeBoolean(column, values, start, start + rows, reserve, bounds, scratch);
  const prefix = new ByteWriter(64);
  writeLevels(prefix, scratch.levels, rows, written.nulls);
  return {
    bytes: placePrefix(scratch, prefix, reserve, written.end),
    encoding: 'PLAIN',
    end: start + rows,
    nulls: written.nulls,
  };
}

function encodeStrings(
  column: Column,
  values: ArrayLike<unknown>,
  start: number,
  end: number,
  limits: PageLimits,
  bounds: ChunkBounds,
  scratch: Scratch,
): EncodedPage {
  const last = Math.min(end, start + scratch.maxPageRows);
  const reserve = levelsBound(last - start) + lengthsBound(last - start);
  scratch.ensure(reserve + limits.pageBytes);
  const { levels, lengths } = scratch;
  let buffer = scratch.buffer;
  let offset = reserve;
  let present = 0;
  let chars = 0;
  let min = bounds.min as string | undefined;
  let max = bounds.max as string | undefined;
  let row = start;
  while (row < last) {
    const value = values[row];
    if (value === null || value === undefined) {
      levels[row++ - start] = 0;
      continue;
    }
    if (typeof value !== 'string') throw invalidValue(column, value);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (offset + value.length * 3 > buffer.byteLength) {
      scratch.ensure(offset + value.length * 3, offset);
      buffer = scratch.buffer;
    }
    const written = buffer.write(value, offset);
    offset += written;
    chars += value.length;
    lengths[present++] = written;
    levels[row++ - start] = 1;
    if (bounds.track) {
      if (min === undefined || value < min) min = value;
      if (max === undefined || value > max) max = value;
    }
    if (offset - reserve >= limits.pageBytes) break;
  }
  bounds.min = min;
  bounds.max = max;
  // JavaScript compares UTF-16 code units, Parquet compares UTF-8 bytes: the orders agree for ASCII,
  // so bounds are kept only while every page was ASCII (one byte per code unit).
  if (offset - reserve !== chars) bounds.usable = false;

  const count = row - start;
  const nulls = count - present;
  const prefix = new ByteWriter(256);
  writeLevels(prefix, levels, count, nulls);
  // A page of NULLs only has no values: PLAIN, with nothing after the levels.
  if (present > 0) deltaBinaryPack(prefix, lengths.subarray(0, present), 'INT32');
  return {
    bytes: placePrefix(scratch, prefix, reserve, offset),
    encoding: present > 0 ? 'DELTA_LENGTH_BYTE_ARRAY' : 'PLAIN',
    end: row,
    nulls,
  };
}

interface WrittenValues {
  /** Offset after the last value. */
  end: number;
  nulls: number;
}

function encodeInt64(
  column: Column,
  values: ArrayLike<unknown>,
  start: number,
  end: number,
  at: number,
  bounds: ChunkBounds,
  scratch: Scratch,
): WrittenValues {
  const { view, levels } = scratch;
  let offset = at;
  let nulls = 0;
  let min = bounds.min as number | undefined;
  let max = bounds.max as number | undefined;
  for (let row = start; row < end; row++) {
    const value = values[row];
    if (value === null || value === undefined) {
      levels[row - start] = 0;
      nulls++;
      continue;
    }
    // INT64 columns hold epoch milliseconds, versions and token counts: finite numbers only, rounded
    // (times may carry sub-millisecond fractions, which an INT64 column cannot hold).
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidValue(column, value);
    const integer = Math.round(value);
    if (integer >= INT64_LIMIT || integer < -INT64_LIMIT) throw invalidValue(column, value);
    const high = Math.floor(integer / TWO_POW_32);
    view.setUint32(offset, integer - high * TWO_POW_32, true);
    view.setInt32(offset + 4, high, true);
    offset += 8;
    levels[row - start] = 1;
    if (min === undefined || integer < min) min = integer;
    if (max === undefined || integer > max) max = integer;
  }
  bounds.min = min;
  bounds.max = max;
  return { end: offset, nulls };
}

function encodeDouble(
  column: Column,
  values: ArrayLike<unknown>,
  start: number,
  end: number,
  at: number,
  bounds: ChunkBounds,
  scratch: Scratch,
): WrittenValues {
  const { view, levels } = scratch;
  let offset = at;
  let nulls = 0;
  let min = bounds.min as number | undefined;
  let max = bounds.max as number | undefined;
  for (let row = start; row < end; row++) {
    const value = values[row];
    if (value === null || value === undefined) {
      levels[row - start] = 0;
      nulls++;
      continue;
    }
    if (typeof value !== 'number') throw invalidValue(column, value);
    view.setFloat64(offset, value, true);
    offset += 8;
    levels[row - start] = 1;
    // NaN never enters the statistics (it has no place in the order).
    if (Number.isNaN(value)) continue;
    if (min === undefined || value < min) min = value;
    if (max === undefined || value > max) max = value;
  }
  bounds.min = min;
  bounds.max = max;
  return { end: offset, nulls };
}

function encodeBoolean(
  column: Column,
  values: ArrayLike<unknown>,
  start: number,
  end: number,
  at: number,
  bounds: ChunkBounds,
  scratch: Scratch,
): WrittenValues {
  const { buffer, levels } = scratch;
  buffer.fill(0, at, at + Math.ceil((end - start) / 8));
  let bit = 0;
  let nulls = 0;
  let sawTrue = bounds.max === true;
  let sawFalse = bounds.min === false;
  for (let row = start; row < end; row++) {
    const value = values[row];
    if (value === null || value === undefined) {
      levels[row - start] = 0;
      nulls++;
      continue;
    }
    if (typeof value !== 'boolean') throw invalidValue(column, value);
    if (value) {
      buffer[at + (bit >>> 3)] = (buffer[at + (bit >>> 3)] as number) | (1 << (bit & 7));
      sawTrue = true;
    } else sawFalse = true;
    bit++;
    levels[row - start] = 1;
  }
  if (sawTrue || sawFalse) {
    bounds.min = !sawFalse;
    bounds.max = sawTrue;
  }
  return { end: at + Math.ceil(bit / 8), nulls };
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

function placePrefix(scratch: Scratch, prefix: ByteWriter, reserve: number, end: number): Uint8Array {
  const bytes = prefix.getBytes();
  if (bytes.byteLength > reserve) throw new Error('Parquet page prefix exceeds its reserved space');
  const start = reserve - bytes.byteLength;
  scratch.buffer.set(bytes, start);
  return scratch.buffer.subarray(start, end);
}

function invalidValue(column: Column, value: unknown): Error {
  return new Error(`Column ${column.name} (${column.type}) cannot hold ${JSON.stringify(value)}`);
}
