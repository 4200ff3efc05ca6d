/**
 * Oracle: random requests encoded by protobufjs (the OTLP schema built in bench/otlp/otlp-proto-schema.ts,
 * itself checked against OpenTelemetry JS in otlp-proto-schema.test.ts) must decode, with our
 * decoder, to protobufjs's own decode of the same bytes (normalized to the model by independent code).
 * The same requests written as OTLP/JSON must decode to the same model.
 */
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadOtlpProtoTypes } from '../../../bench/otlp/otlp-proto-schema';
import { decodeTraceRequestJson } from '../../../lambdas/domain/otlp/decode-json';
import { decodeTraceRequestProtobuf } from '../../../lambdas/domain/otlp/decode-protobuf';
import type { Attributes, AttributeValue, OtlpTraceRequest } from '../../../lambdas/domain/otlp/model';
import {
  arbitraryPlainRequest,
  type PlainAnyValue,
  type PlainKeyValue,
  type PlainRequest,
} from './arbitraries';

const requestType = loadOtlpProtoTypes().exportTraceServiceRequest;

function encodeWithProtobufjs(request: PlainRequest): Uint8Array {
  return requestType.encode(requestType.fromObject(request)).finish();
}

// ---- protobufjs's decode, normalized to the model without using any of the decoder's helpers ----

type Decoded = Record<string, unknown>;

const hex = (bytes: unknown) => (bytes ? Buffer.from(bytes as Uint8Array).toString('hex') : '');
const ms = (nanos: unknown) => (nanos ? Number(BigInt(nanos as string)) / 1e6 : 0);

function normalizeAnyValue(value: Decoded | undefined): AttributeValue {
  if (!value?.value) return null;
  const member = value.value as string;
  const raw = value[member];
  switch (member) {
    case 'intValue': {
      const big = BigInt(raw as string);
      return Number.isSafeInteger(Number(big)) ? Number(big) : big.toString();
    }
    case 'bytesValue':
      return Buffer.from(raw as Uint8Array).toString('base64');
    case 'arrayValue':
      return (((raw as Decoded).values ?? []) as Decoded[]).map(normalizeAnyValue);
    case 'kvlistValue':
      return normalizeAttributes((raw as Decoded).values as Decoded[]);
    default:
      return raw as AttributeValue;
  }
}

function normalizeAttributes(list: Decoded[] | undefined): Attributes {
  // fromEntries defines own properties (also "__proto__") and keeps the last of repeated keys.
  return Object.fromEntries((list ?? []).map((kv) => [kv.key ?? '', normalizeAnyValue(kv.value as Decoded)]));
}

function decodeWithProtobufjs(bytes: Uint8Array): OtlpTraceRequest {
  const decoded = requestType.toObject(requestType.decode(bytes), { longs: String, oneofs: true }) as Decoded;
  return {
    resourceSpans: ((decoded.resourceSpans ?? []) as Decoded[]).map((rs) => ({
      resourceAttributes: normalizeAttributes((rs.resource as Decoded | undefined)?.attributes as Decoded[]),
      scopeSpans: ((rs.scopeSpans ?? []) as Decoded[]).map((ss) => ({
        scopeName: ((ss.scope as Decoded | undefined)?.name as string) ?? '',
        scopeVersion: ((ss.scope as Decoded | undefined)?.version as string) ?? '',
        spans: ((ss.spans ?? []) as Decoded[]).map((span) => ({
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          traceState: (span.traceState as string) ?? '',
          name: (span.name as string) ?? '',
          kind: (span.kind as number) ?? 0,
          startTimeUnixMs: ms(span.startTimeUnixNano),
          endTimeUnixMs: ms(span.endTimeUnixNano),
          attributes: normalizeAttributes(span.attributes as Decoded[]),
          events: ((span.events ?? []) as Decoded[]).map((event) => ({
            name: (event.name as string) ?? '',
            timeUnixMs: ms(event.timeUnixNano),
            attributes: normalizeAttributes(event.attributes as Decoded[]),
          })),
          links: ((span.links ?? []) as Decoded[]).map((link) => ({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId),
            attributes: normalizeAttributes(link.attributes as Decoded[]),
          })),
          statusCode: ((span.status as Decoded | undefined)?.code as number) ?? 0,
          statusMessage: ((span.status as Decoded | undefined)?.message as string) ?? '',
        })),
      })),
    })),
  };
}

// ---- the same request as OTLP/JSON ----

function jsonAnyValue(value: PlainAnyValue, useStrings: boolean): unknown {
  if ('intValue' in value) return { intValue: useStrings ? value.intValue : jsonInt(value.intValue) };
  if ('doubleValue' in value) {
    const double = value.doubleValue;
    const special =
      Number.isFinite(double) && !Object.is(double, -0)
        ? double
        : String(Object.is(double, -0) ? '-0' : double);
    return { doubleValue: special };
  }
  if ('bytesValue' in value) return { bytesValue: Buffer.from(value.bytesValue).toString('base64') };
  if ('arrayValue' in value)
    return { arrayValue: { values: value.arrayValue.values.map((v) => jsonAnyValue(v, useStrings)) } };
  if ('kvlistValue' in value)
    return { kvlistValue: { values: jsonAttributes(value.kvlistValue.values, useStrings) } };
  return value;
}

/** A decimal int64 as a JSON number when that is exact, as OTLP/JSON writers may do. */
const jsonInt = (decimal: string | number) =>
  Number.isSafeInteger(Number(decimal)) ? Number(decimal) : String(decimal);

function jsonAttributes(list: PlainKeyValue[], useStrings: boolean): unknown[] {
  return list.map((kv) =>
    kv.value === undefined ? { key: kv.key } : { key: kv.key, value: jsonAnyValue(kv.value, useStrings) },
  );
}

function toOtlpJson(request: PlainRequest, useStrings: boolean): string {
  return JSON.stringify({
    resourceSpans: request.resourceSpans.map((rs) => ({
      resource: { attributes: jsonAttributes(rs.resource.attributes, useStrings) },
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: ss.scope,
        spans: ss.spans.map((span) => ({
          ...span,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          startTimeUnixNano: useStrings ? span.startTimeUnixNano : jsonInt(span.startTimeUnixNano),
          attributes: jsonAttributes(span.attributes, useStrings),
          events: span.events.map((event) => ({
            ...event,
            attributes: jsonAttributes(event.attributes, useStrings),
          })),
          links: span.links.map((link) => ({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId),
            attributes: jsonAttributes(link.attributes, useStrings),
          })),
        })),
      })),
    })),
  });
}

describe('protobuf decoder against protobufjs as an oracle', () => {
  it('decodes random requests exactly as protobufjs does', () => {
    fc.assert(
      fc.property(arbitraryPlainRequest, (request) => {
        const bytes = encodeWithProtobufjs(request);
        expect(decodeTraceRequestProtobuf(bytes)).toEqual(decodeWithProtobufjs(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the OTLP/JSON form of the same requests to the same model', () => {
    fc.assert(
      fc.property(arbitraryPlainRequest, fc.boolean(), (request, useStrings) => {
        const fromProtobuf = decodeTraceRequestProtobuf(encodeWithProtobufjs(request));
        expect(decodeTraceRequestJson(toOtlpJson(request, useStrings))).toEqual(fromProtobuf);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes 64-bit integers at the edges of the safe range and of int64', () => {
    const values = [
      '0',
      '-1',
      '9007199254740991',
      '9007199254740992',
      '-9007199254740991',
      '-9007199254740992',
    ];
    values.push('9223372036854775807', '-9223372036854775808', '4294967296', '-4294967296', '-4294967297');
    const request: PlainRequest = {
      resourceSpans: [
        {
          resource: { attributes: values.map((intValue) => ({ key: intValue, value: { intValue } })) },
          scopeSpans: [],
        },
      ],
    };
    const attributes = decodeTraceRequestProtobuf(encodeWithProtobufjs(request)).resourceSpans[0]
      ?.resourceAttributes;
    expect(attributes).toEqual({
      '0': 0,
      '-1': -1,
      '9007199254740991': 9007199254740991,
      '9007199254740992': '9007199254740992',
      '-9007199254740991': -9007199254740991,
      '-9007199254740992': '-9007199254740992',
      '9223372036854775807': '9223372036854775807',
      '-9223372036854775808': '-9223372036854775808',
      '4294967296': 4294967296,
      '-4294967296': -4294967296,
      '-4294967297': -4294967297,
    });
  });
});
