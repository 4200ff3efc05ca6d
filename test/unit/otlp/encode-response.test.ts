import { describe, expect, it } from 'vitest';
import { loadOtlpProtoTypes } from '../../../bench/otlp/otlp-proto-schema';
import {
  encodeTraceResponseJson,
  encodeTraceResponseProtobuf,
} from '../../../lambdas/domain/otlp/encode-response';

const responseType = loadOtlpProtoTypes().exportTraceServiceResponse;
const decodeResponse = (bytes: Uint8Array) =>
  responseType.toObject(responseType.decode(bytes), { longs: String });

describe('ExportTraceServiceResponse encoders', () => {
  it('answers a fully accepted request with an empty message', () => {
    expect(encodeTraceResponseProtobuf()).toHaveLength(0);
    expect(encodeTraceResponseProtobuf({ rejectedSpans: 0, errorMessage: '' })).toHaveLength(0);
    expect(encodeTraceResponseJson()).toBe('{}');
    expect(encodeTraceResponseJson({ rejectedSpans: 0, errorMessage: '' })).toBe('{}');
  });

  it('encodes partial success so protobufjs reads it back', () => {
    const partial = { rejectedSpans: 3, errorMessage: 'span 0: trace id must be 16 bytes; é' };
    expect(decodeResponse(encodeTraceResponseProtobuf(partial))).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: partial.errorMessage },
    });
    const large = { rejectedSpans: 2 ** 40 + 1, errorMessage: 'x'.repeat(300) };
    expect(decodeResponse(encodeTraceResponseProtobuf(large))).toEqual({
      partialSuccess: { rejectedSpans: String(2 ** 40 + 1), errorMessage: large.errorMessage },
    });
  });

  it('writes the OTLP JSON form with rejectedSpans as a decimal string', () => {
    expect(encodeTraceResponseJson({ rejectedSpans: 3, errorMessage: 'bad "ids"' })).toBe(
      '{"partialSuccess":{"rejectedSpans":"3","errorMessage":"bad \\"ids\\""}}',
    );
    expect(JSON.parse(encodeTraceResponseJson({ rejectedSpans: 0, errorMessage: 'warning only' }))).toEqual({
      partialSuccess: { errorMessage: 'warning only' },
    });
  });

  it('refuses a negative or fractional count', () => {
    expect(() => encodeTraceResponseProtobuf({ rejectedSpans: -1, errorMessage: '' })).toThrow(RangeError);
    expect(() => encodeTraceResponseJson({ rejectedSpans: 1.5, errorMessage: '' })).toThrow(RangeError);
  });
});
