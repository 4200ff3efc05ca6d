/**
 * Hostile and broken input: whatever the bytes or text, the decoders return a request or throw
 * OtlpDecodeError, never another error, and never hang. Deep nesting is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadOtlpProtoTypes } from '../../../bench/otlp/otlp-proto-schema';
import { MAX_ANY_VALUE_DEPTH } from '../../../lambdas/domain/otlp/attributes';
import { decodeTraceRequestJson, MAX_JSON_NESTING } from '../../../lambdas/domain/otlp/decode-json';
import { decodeTraceRequestProtobuf } from '../../../lambdas/domain/otlp/decode-protobuf';
import { OtlpDecodeError } from '../../../lambdas/domain/otlp/model';
import { arbitraryPlainRequest } from './arbitraries';

const requestType = loadOtlpProtoTypes().exportTraceServiceRequest;

/** Runs a decoder and reports 'ok' or 'rejected'; any other exception fails the test. */
function outcome(decode: () => unknown): 'ok' | 'rejected' {
  try {
    decode();
    return 'ok';
  } catch (error) {
    if (error instanceof OtlpDecodeError) return 'rejected';
    throw error;
  }
}

const validEncoding = arbitraryPlainRequest
  .filter((request) => request.resourceSpans.length > 0)
  .map((request) => requestType.encode(requestType.fromObject(request)).finish());

const singleResourceEncoding = arbitraryPlainRequest
  .filter((request) => request.resourceSpans.length === 1)
  .map((request) => requestType.encode(requestType.fromObject(request)).finish());

type Corruption = { kind: 'flip' | 'truncate' | 'insert' | 'delete'; at: number; byte: number };
const corruption = fc.record({
  kind: fc.constantFrom('flip', 'truncate', 'insert', 'delete'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
}) as fc.Arbitrary<Corruption>;

function corrupt(bytes: Uint8Array, corruptions: Corruption[]): Uint8Array {
  let result = Array.from(bytes);
  for (const { kind, at, byte } of corruptions) {
    const index = result.length === 0 ? 0 : at % result.length;
    if (kind === 'flip') result[index] = (result[index] ?? 0) ^ (byte || 1);
    else if (kind === 'truncate') result = result.slice(0, index);
    else if (kind === 'insert') result.splice(index, 0, byte);
    else result.splice(index, 1);
  }
  return Uint8Array.from(result);
}

// ---- hand-built protobuf ----

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}
const field = (tag: number, payload: number[]) => [...varint(tag), ...varint(payload.length), ...payload];

/** A request whose single resource attribute holds arrays nested `depth` AnyValue levels deep. */
function requestWithNestedArrays(depth: number): Uint8Array {
  let anyValue: number[] = [];
  for (let level = 1; level < depth; level++) anyValue = field((5 << 3) | 2, field((1 << 3) | 2, anyValue));
  const keyValue = [...field((1 << 3) | 2, [0x6b]), ...field((2 << 3) | 2, anyValue)];
  const resource = field((1 << 3) | 2, keyValue);
  return Uint8Array.from(field((1 << 3) | 2, field((1 << 3) | 2, resource)));
}

describe('protobuf decoder on hostile input', () => {
  it('returns or throws OtlpDecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        outcome(() => decodeTraceRequestProtobuf(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('returns or throws OtlpDecodeError on corrupted valid encodings', () => {
    fc.assert(
      fc.property(
        validEncoding,
        fc.array(corruption, { minLength: 1, maxLength: 4 }),
        (bytes, corruptions) => {
          outcome(() => decodeTraceRequestProtobuf(corrupt(bytes, corruptions)));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('rejects every strict truncation of a valid encoding', () => {
    fc.assert(
      fc.property(singleResourceEncoding, fc.nat(), (bytes, at) => {
        // The request is one length-delimited field: any strict prefix cuts it short.
        const cut = 1 + (at % (bytes.length - 1));
        expect(outcome(() => decodeTraceRequestProtobuf(bytes.subarray(0, cut)))).toBe('rejected');
      }),
      { numRuns: 300 },
    );
  });

  it(`accepts AnyValue nesting of ${MAX_ANY_VALUE_DEPTH} levels and rejects deeper`, () => {
    const atLimit = decodeTraceRequestProtobuf(requestWithNestedArrays(MAX_ANY_VALUE_DEPTH));
    let value = atLimit.resourceSpans[0]?.resourceAttributes.k;
    let depth = 1;
    while (Array.isArray(value)) {
      value = value[0];
      depth++;
    }
    expect(depth).toBe(MAX_ANY_VALUE_DEPTH);
    expect(() => decodeTraceRequestProtobuf(requestWithNestedArrays(MAX_ANY_VALUE_DEPTH + 1))).toThrow(
      /nested deeper than 32/,
    );
    expect(() => decodeTraceRequestProtobuf(requestWithNestedArrays(2_000))).toThrow(OtlpDecodeError);
  });

  it('names the problem in its errors', () => {
    expect(() => decodeTraceRequestProtobuf(Uint8Array.of(0x0a, 0x05, 0x01))).toThrow(/runs past the end/);
    expect(() => decodeTraceRequestProtobuf(Uint8Array.of(0x0a, 0xff))).toThrow(/truncated varint/);
    expect(() => decodeTraceRequestProtobuf(Uint8Array.of(0x0b))).toThrow(/unsupported wire type 3/);
    expect(() => decodeTraceRequestProtobuf(Uint8Array.of(0x02, 0x00))).toThrow(/field number 0/);
    const elevenByteVarint = [0x08, ...new Array(10).fill(0xff), 0x01];
    expect(() => decodeTraceRequestProtobuf(Uint8Array.from(elevenByteVarint))).toThrow(
      /longer than 10 bytes/,
    );
    expect(() => decodeTraceRequestProtobuf('not bytes' as unknown as Uint8Array)).toThrow(OtlpDecodeError);
  });

  it('skips unknown fields of every wire type (forward compatibility)', () => {
    const unknownFields = [
      ...[0xf8, 0x01, 0x96, 0x01], // field 31 varint
      ...[0x81, 0x02, 1, 2, 3, 4, 5, 6, 7, 8], // field 32 fixed64
      ...field((33 << 3) | 2, [1, 2, 3]),
      ...[0x8d, 0x02, 1, 2, 3, 4], // field 33 fixed32
    ];
    const span = [...field((5 << 3) | 2, [0x78]), ...unknownFields];
    const request = Uint8Array.from([
      ...unknownFields,
      ...field((1 << 3) | 2, [
        ...unknownFields,
        ...field((2 << 3) | 2, [...field((2 << 3) | 2, span), ...unknownFields]),
      ]),
    ]);
    const decoded = decodeTraceRequestProtobuf(request);
    expect(decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name).toBe('x');
  });

  it('replaces invalid UTF-8 rather than failing the request', () => {
    const span = field((5 << 3) | 2, [0x61, 0xff, 0x62]);
    const request = Uint8Array.from(field((1 << 3) | 2, field((2 << 3) | 2, field((2 << 3) | 2, span))));
    expect(decodeTraceRequestProtobuf(request).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name).toBe(
      'a\ufffdb',
    );
  });
});

describe('JSON decoder on hostile input', () => {
  it('returns or throws OtlpDecodeError on random text and random JSON values', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          outcome(() => decodeTraceRequestJson(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('returns or throws OtlpDecodeError on corrupted OTLP JSON', () => {
    const json = fc.constantFrom(
      '{"resourceSpans":[{"resource":{"attributes":[{"key":"a","value":{"intValue":"12"}}]},"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","name":"n","startTimeUnixNano":"1767225600000000000","attributes":[{"key":"x","value":{"kvlistValue":{"values":[{"key":"y","value":{"arrayValue":{"values":[{"doubleValue":1.5},{"bytesValue":"AAE="}]}}}]}}}]}]}]}]}',
    );
    fc.assert(
      fc.property(json, fc.array(corruption, { minLength: 1, maxLength: 3 }), (text, corruptions) => {
        const bytes = corrupt(new TextEncoder().encode(text), corruptions);
        outcome(() => decodeTraceRequestJson(bytes));
        outcome(() => decodeTraceRequestJson(new TextDecoder().decode(bytes)));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses absurd raw nesting before parsing, in text and in bytes', () => {
    const deep = `${'['.repeat(MAX_JSON_NESTING + 1)}${']'.repeat(MAX_JSON_NESTING + 1)}`;
    expect(() => decodeTraceRequestJson(deep)).toThrow(/nested deeper than/);
    expect(() => decodeTraceRequestJson(new TextEncoder().encode(deep))).toThrow(/nested deeper than/);
    const veryDeep = `{"x":${'{"a":'.repeat(500_000)}1${'}'.repeat(500_000)}}`;
    expect(() => decodeTraceRequestJson(veryDeep)).toThrow(OtlpDecodeError);
  });

  it('rejects AnyValue nested past the limit even within the raw nesting limit', () => {
    let value = '{"stringValue":"leaf"}';
    for (let level = 1; level <= MAX_ANY_VALUE_DEPTH; level++) value = `{"arrayValue":{"values":[${value}]}}`;
    const request = `{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":${value}}]}}]}`;
    expect(() => decodeTraceRequestJson(request)).toThrow(
      /\$\.resourceSpans\[0\]\.resource\.attributes\[0\]\.value.*nested deeper than 32/,
    );
  });
});
