/**
 * A cursor over protobuf wire format: just the primitives the OTLP decoder needs, each checking bounds so
 * that truncated or hostile input ends in an OtlpDecodeError rather than a wrong read or a hang.
 */
import type { Buffer } from 'node:buffer';
import { bytesToHex } from './hex';
import { OtlpDecodeError } from './model';
import { asBuffer, decodeUtf8 } from './utf8';

export const WireType = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const TWO_POW_32 = 4294967296;
const MAX_VARINT_BYTES = 10;

export class WireReader {
  pos = 0;
  /** Words of the last varint64() read, as unsigned 32-bit numbers (avoids allocating a pair per read). */
  low = 0;
  high = 0;
  /** The input as a Buffer (a view, not a copy) for native string decoding. */
  readonly bytes: Buffer;
  private readonly view: DataView;

  constructor(input: Uint8Array) {
    this.bytes = asBuffer(input);
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  /** A varint as unsigned 32 bits; longer varints (up to 10 bytes) keep their low 32 bits, as proto's uint32/int32 do. */
  varint32(): number {
    const bytes = this.bytes;
    const length = bytes.length;
    let pos = this.pos;
    if (pos >= length) throw this.error('truncated varint');
    let byte = bytes[pos++] as number;
    if (byte < 0x80) {
      this.pos = pos;
      return byte;
    }
    let value = byte & 0x7f;
    for (let shift = 7; shift < 35; shift += 7) {
      if (pos >= length) throw this.error('truncated varint');
      byte = bytes[pos++] as number;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    // Bytes 6 to 10 only carry bits above 32: skip them, but still bound the varint's length.
    for (let count = 5; count < MAX_VARINT_BYTES; count++) {
      if (pos >= length) throw this.error('truncated varint');
      if ((bytes[pos++] as number) < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw this.error('varint longer than 10 bytes');
  }

  /** A full 64-bit varint into this.low and this.high. */
  varint64(): void {
    const bytes = this.bytes;
    const length = bytes.length;
    let pos = this.pos;
    let low = 0;
    let high = 0;
    for (let index = 0; index < MAX_VARINT_BYTES; index++) {
      if (pos >= length) throw this.error('truncated varint');
      const byte = bytes[pos++] as number;
      const payload = byte & 0x7f;
      if (index < 4) {
        low |= payload << (7 * index);
      } else if (index === 4) {
        low |= payload << 28;
        high = payload >>> 4;
      } else {
        high |= payload << (7 * index - 32);
      }
      if (byte < 0x80) {
        this.pos = pos;
        this.low = low >>> 0;
        this.high = high >>> 0;
        return;
      }
    }
    throw this.error('varint longer than 10 bytes');
  }

  /** A fixed64 count of nanoseconds, converted to (fractional) milliseconds. */
  fixed64NanosAsMs(): number {
    const pos = this.pos;
    if (pos + 8 > this.bytes.length) throw this.error('truncated fixed64');
    this.pos = pos + 8;
    const low = this.view.getUint32(pos, true);
    const high = this.view.getUint32(pos + 4, true);
    return (high * TWO_POW_32 + low) / 1e6;
  }

  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.bytes.length) throw this.error('truncated double');
    this.pos = pos + 8;
    return this.view.getFloat64(pos, true);
  }

  /** Reads a length prefix and returns where the field ends, which must lie within `limit`. */
  lengthDelimitedEnd(limit: number): number {
    const start = this.pos;
    const length = this.varint32();
    const end = this.pos + length;
    if (end > limit || length >= 0x80000000) {
      this.pos = start;
      throw this.error(`length ${length} runs past the end of its message`);
    }
    return end;
  }

  string(limit: number): string {
    const end = this.lengthDelimitedEnd(limit);
    const text = decodeUtf8(this.bytes, this.pos, end);
    this.pos = end;
    return text;
  }

  hex(limit: number): string {
    const end = this.lengthDelimitedEnd(limit);
    const hex = bytesToHex(this.bytes, this.pos, end);
    this.pos = end;
    return hex;
  }

  base64(limit: number): string {
    const end = this.lengthDelimitedEnd(limit);
    const base64 = this.bytes.toString('base64', this.pos, end);
    this.pos = end;
    return base64;
  }

  /** Skips a field this decoder does not use (unknown, deprecated or not in the model): forward compatibility. */
  skip(tag: number, limit: number): void {
    switch (tag & 7) {
      case WireType.VARINT:
        this.varint64();
        return;
      case WireType.I64:
        this.advance(8, limit);
        return;
      case WireType.LEN:
        this.pos = this.lengthDelimitedEnd(limit);
        return;
      case WireType.I32:
        this.advance(4, limit);
        return;
      default:
        // Groups (3, 4) are proto2-only and never appear in OTLP; 6 and 7 do not exist.
        throw this.error(`unsupported wire type ${tag & 7} for field ${tag >>> 3}`);
    }
  }

  /** Reads a field tag, rejecting field number 0, which no valid message contains. */
  tag(): number {
    const tag = this.varint32();
    if (tag >>> 3 === 0) throw this.error('field number 0');
    return tag;
  }

  /** Confirms that a sub-message's fields ended exactly at its declared length. */
  expectEnd(end: number, what: string): void {
    if (this.pos !== end) throw this.error(`${what} overruns its declared length`);
  }

  error(message: string): OtlpDecodeError {
    return new OtlpDecodeError(`Malformed OTLP protobuf at byte ${this.pos}: ${message}`);
  }

  private advance(count: number, limit: number): void {
    if (this.pos + count > limit) throw this.error(`truncated field of ${count} bytes`);
    this.pos += count;
  }
}
