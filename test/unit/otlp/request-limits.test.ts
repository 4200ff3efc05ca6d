import { describe, expect, it } from 'vitest';
import { decodeTraceRequestJson } from '../../../lambdas/domain/otlp/decode-json';
import { decodeTraceRequestProtobuf } from '../../../lambdas/domain/otlp/decode-protobuf';
import { DEFAULT_OTLP_LIMITS, OtlpLimitError } from '../../../lambdas/domain/otlp/limits';
import { OtlpDecodeError } from '../../../lambdas/domain/otlp/model';
import { OTLP_LIMIT_CASES, OTLP_LIMIT_FORMATS } from '../../support/otlp-limit-cases';
import { otlpProtobufRequest } from '../../support/otlp-request-shapes';

function refusal(decode: () => unknown): OtlpLimitError {
  try {
    decode();
  } catch (error) {
    if (error instanceof OtlpLimitError) return error;
    throw error;
  }
  throw new Error('expected an OtlpLimitError');
}

function spanCount(request: ReturnType<typeof decodeTraceRequestProtobuf>): number {
  return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length;
}

const limits = DEFAULT_OTLP_LIMITS;

const DECODERS = {
  protobuf: (body: Uint8Array | string) => decodeTraceRequestProtobuf(body as Uint8Array),
  json: (body: Uint8Array | string) => decodeTraceRequestJson(body),
};

describe.each(['protobuf', 'json'] as const)('OTLP %s decoder limits', (name) => {
  const decode = DECODERS[name];
  const format = OTLP_LIMIT_FORMATS[name];
  it.each(OTLP_LIMIT_CASES.map((c) => [c.limit, c] as const))(
    '%s: decodes a request at it and refuses one over',
    (limit, c) => {
      const atLimit = decode(format.at(c));
      expect(spanCount(atLimit)).toBe(c.atLimit.spans);

      const error = refusal(() => decode(format.over(c)));
      expect(error.limit).toBe(limit);
      expect(error.message).toContain(limit);
      expect(error.message).toContain(limits[limit].toLocaleString('en-US'));
    },
  );
});

describe('early refusal', () => {
  const overSpans = Buffer.concat([
    otlpProtobufRequest({ spans: limits.maxSpansPerRequest, attributesPerSpan: 0 }),
    otlpProtobufRequest({ spans: 1, attributesPerSpan: 0 }),
  ]);
  // A field header promising more bytes than follow: malformed wherever the decoder meets it.
  const malformedTail = Uint8Array.of(0x0a, 0xff, 0xff, 0x03);

  it('the protobuf decoder stops at the first span over the limit, before reading the rest', () => {
    const error = refusal(() => decodeTraceRequestProtobuf(Buffer.concat([overSpans, malformedTail])));
    expect(error.limit).toBe('maxSpansPerRequest');
  });

  it('(the same tail after a request within the limits is read, and refused as malformed)', () => {
    const within = otlpProtobufRequest({ spans: 10, attributesPerSpan: 0 });
    expect(() => decodeTraceRequestProtobuf(Buffer.concat([within, malformedTail]))).toThrow(OtlpDecodeError);
  });

  it('OTLP/JSON values are counted before parsing: one past maxJsonValues is refused, at it is decoded', () => {
    // `{"resourceSpans":[],"x":[0,...]}` counts 4 (two objects/arrays, one comma, the array) plus n-1 commas.
    const body = (zeros: number) => `{"resourceSpans":[],"x":[${Array(zeros).fill('0').join(',')}]}`;
    const atLimit = body(limits.maxJsonValues - 3);
    expect(countedJsonValues(atLimit)).toBe(limits.maxJsonValues);
    expect(decodeTraceRequestJson(atLimit)).toEqual({ resourceSpans: [] });
    expect(refusal(() => decodeTraceRequestJson(body(limits.maxJsonValues - 2))).limit).toBe('maxJsonValues');
    // Unparseable text past the limit is still refused by the count, proving JSON.parse never ran.
    const unparseable = `${body(limits.maxJsonValues - 2)} trailing garbage`;
    expect(refusal(() => decodeTraceRequestJson(new TextEncoder().encode(unparseable))).limit).toBe(
      'maxJsonValues',
    );
  });

  it('applies limits given to it instead of the defaults', () => {
    const small = { ...limits, maxSpansPerRequest: 3 };
    const request = otlpProtobufRequest({ spans: 4, attributesPerSpan: 0 });
    expect(refusal(() => decodeTraceRequestProtobuf(request, small)).message).toMatch(
      /maxSpansPerRequest \(3\): more than 3 spans in one request/,
    );
    expect(spanCount(decodeTraceRequestProtobuf(request))).toBe(4);
  });
});

/** Independent count of the characters the JSON scan counts (the test bodies have no strings holding them). */
function countedJsonValues(text: string): number {
  let count = 0;
  for (const char of text) if (char === '{' || char === '[' || char === ',') count++;
  return count;
}
