import { describe, expect, it } from 'vitest';
import { decodeTraceRequestJson } from '../../../lambdas/domain/otlp/decode-json';
import { emptySpan, OtlpDecodeError } from '../../../lambdas/domain/otlp/model';

const wrap = (span: Record<string, unknown>) =>
  JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
const firstSpan = (json: string) => decodeTraceRequestJson(json).resourceSpans[0]?.scopeSpans[0]?.spans[0];

describe('decodeTraceRequestJson', () => {
  it('fills defaults for missing fields and accepts an empty request', () => {
    expect(decodeTraceRequestJson('{}')).toEqual({ resourceSpans: [] });
    expect(firstSpan(wrap({}))).toEqual(emptySpan());
    // The defaults are protobuf's: empty strings, zeros, empty lists and maps.
    expect(Object.values(emptySpan()).every((value) => !value || Object.keys(value).length === 0)).toBe(true);
  });

  it('accepts proto snake_case names, enum names, null as absent, and uppercase hex ids', () => {
    const span = firstSpan(
      wrap({
        trace_id: '0AF7651916CD43DD8448EB211C80319C',
        span_id: 'B7AD6B7169203331',
        parent_span_id: null,
        kind: 'SPAN_KIND_CLIENT',
        start_time_unix_nano: 1767225600000000000,
        end_time_unix_nano: '1767225601500000000',
        status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
        attributes: [
          { key: 'n', value: { int_value: '-42' } },
          { key: 'b', value: { bool_value: true } },
        ],
      }),
    );
    expect(span).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '',
      kind: 3,
      startTimeUnixMs: 1767225600000,
      endTimeUnixMs: 1767225601500,
      statusCode: 2,
      statusMessage: 'boom',
      attributes: { n: -42, b: true },
    });
  });

  it('decodes every AnyValue form', () => {
    const span = firstSpan(
      wrap({
        attributes: [
          { key: 's', value: { stringValue: 'text' } },
          { key: 'i', value: { intValue: 7 } },
          { key: 'big', value: { intValue: '9223372036854775807' } },
          { key: 'd', value: { doubleValue: 0.5 } },
          { key: 'nan', value: { doubleValue: 'NaN' } },
          { key: 'inf', value: { doubleValue: '-Infinity' } },
          { key: 'bytes', value: { bytesValue: 'AAH_-w' } },
          { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'a' }, {}] } } },
          { key: 'kv', value: { kvlistValue: { values: [{ key: 'x', value: { boolValue: false } }] } } },
          { key: 'empty' },
          { key: '__proto__', value: { stringValue: 'own property' } },
        ],
      }),
    );
    expect(span?.attributes).toEqual({
      s: 'text',
      i: 7,
      big: '9223372036854775807',
      d: 0.5,
      nan: Number.NaN,
      inf: -Infinity,
      bytes: 'AAH/+w==',
      arr: ['a', null],
      kv: { x: false },
      empty: null,
      ['__proto__']: 'own property',
    });
    expect(Object.getPrototypeOf(span?.attributes)).toBe(Object.prototype);
  });

  it.each([
    [wrap({ name: 5 }), '$.resourceSpans[0].scopeSpans[0].spans[0].name: expected a string'],
    [wrap({ traceId: 'AAECAwQFBgcICQoLDA0ODw==' }), 'spans[0].traceId: expected a hex string'],
    [wrap({ kind: 1.5 }), 'spans[0].kind: expected an enum value'],
    [wrap({ startTimeUnixNano: '-1' }), 'spans[0].startTimeUnixNano: expected an unsigned 64-bit integer'],
    [wrap({ startTimeUnixNano: '18446744073709551616' }), 'startTimeUnixNano: expected an unsigned 64-bit'],
    [wrap({ attributes: {} }), 'spans[0].attributes: expected an array'],
    [
      wrap({ attributes: [{ key: 'k', value: { intValue: '1.5' } }] }),
      'attributes[0].value.intValue: expected a 64-bit',
    ],
    [
      wrap({ attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }] }),
      'intValue: expected a 64-bit',
    ],
    [
      wrap({ attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }),
      'value.boolValue: expected true or false',
    ],
    [
      wrap({ attributes: [{ key: 'k', value: { bytesValue: '**' } }] }),
      'value.bytesValue: expected a base64 string',
    ],
    [
      wrap({ attributes: [{ key: 'k', value: { arrayValue: { values: [1] } } }] }),
      'values[0]: expected an object',
    ],
    [wrap({ events: [{ timeUnixNano: true }] }), 'spans[0].events[0].timeUnixNano'],
    [
      JSON.stringify({ resourceSpans: [{ resource: [] }] }),
      '$.resourceSpans[0].resource: expected an object',
    ],
    ['[]', '$: expected an object'],
    ['{"resourceSpans": [', 'Malformed OTLP JSON'],
  ])('rejects %s naming the JSON path', (json, message) => {
    expect(() => decodeTraceRequestJson(json)).toThrow(OtlpDecodeError);
    expect(() => decodeTraceRequestJson(json)).toThrow(message);
  });

  it('accepts a UTF-8 byte order mark and bytes input', () => {
    const json = `\ufeff${wrap({ name: 'où' })}`;
    expect(firstSpan(json)?.name).toBe('où');
    expect(
      decodeTraceRequestJson(new TextEncoder().encode(json)).resourceSpans[0]?.scopeSpans[0]?.spans[0]?.name,
    ).toBe('où');
  });
});
