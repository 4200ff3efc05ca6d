/**
 * The code-built OTLP schema (bench/otlp/otlp-proto-schema.ts) is the oracle of the protobuf decoder
 * tests, so it is itself checked against OpenTelemetry JS: what ProtobufTraceSerializer writes must
 * decode to what JsonTraceSerializer says about the same spans, re-encode to the same bytes, and a
 * response it encodes must read back through OpenTelemetry JS's own response parser.
 */
import { Buffer } from 'node:buffer';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { loadOtlpProtoTypes } from '../../../bench/otlp/otlp-proto-schema';
import { recordSpansNow } from '../../support/otel-spans';

const { exportTraceServiceRequest: requestType, exportTraceServiceResponse: responseType } =
  loadOtlpProtoTypes();

/** Spans that set every trace field the SDK can: kinds, status, events, links, flags, dropped counts. */
function recordSpans(): ReadableSpan[] {
  return recordSpansNow(produceSpans, {
    resource: { 'service.name': 'schema-check', 'process.pid': 7 },
    tracer: ['@waggle/schema-check', '2.0.0'],
    spanLimits: { attributeCountLimit: 6, eventCountLimit: 2, linkCountLimit: 1 },
  });
}

function produceSpans(tracer: Tracer): void {
  const root = tracer.startSpan('root', {
    kind: SpanKind.SERVER,
    startTime: [1767225600, 123456789],
    attributes: { s: 'é☕', i: 2 ** 40, neg: -3, d: 0.25, b: false, list: ['a', 'b'], over: 'dropped' },
  });
  for (const index of [0, 1, 2]) root.addEvent(`event ${index}`, { index }, [1767225600, 500 + index]);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  const links = ['b7ad6b7169203331', 'b7ad6b7169203332'].map((spanId) => ({
    context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId, traceFlags: 1 },
    attributes: { 'link.reason': 'retry' },
  }));
  const child = tracer.startSpan(
    'child',
    { kind: SpanKind.CONSUMER, startTime: [1767225601, 0], links },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end([1767225601, 999999999]);
  root.end([1767225602, 1]);
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/**
 * One comparable form: ids as hex (protobuf bytes arrive as base64 here), 64-bit integers as text,
 * and no empty lists (the JSON serializer writes some that the protobuf encoding leaves out).
 */
function comparable(message: unknown, idsAreBase64: boolean): unknown {
  return JSON.parse(JSON.stringify(message), (key, value) => {
    if (ID_KEYS.has(key) && typeof value === 'string' && idsAreBase64)
      return Buffer.from(value, 'base64').toString('hex');
    if (key === 'intValue') return String(value);
    if (Array.isArray(value) && value.length === 0) return undefined;
    return value;
  });
}

describe('the code-built OTLP schema against OpenTelemetry JS', () => {
  const spans = recordSpans();
  const bytes = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
  const json = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)));

  it('compares a message with dropped attributes, events and links (non-default counts)', () => {
    const sent = json.resourceSpans[0].scopeSpans[0].spans as Array<Record<string, unknown>>;
    const byName = new Map(sent.map((span) => [span.name, span]));
    expect([...byName.keys()].sort()).toEqual(['child', 'root']);
    expect(byName.get('root')).toMatchObject({ droppedAttributesCount: 1, droppedEventsCount: 1 });
    expect(byName.get('child')).toMatchObject({ droppedLinksCount: 1 });
  });

  it('decodes ProtobufTraceSerializer bytes to what JsonTraceSerializer writes, field for field', () => {
    const decoded = requestType.toObject(requestType.decode(bytes), {
      longs: String,
      bytes: String,
      enums: Number,
    });
    expect(comparable(decoded, true)).toEqual(comparable(json, false));
  });

  it('re-encodes the decoded message to the same bytes (field numbers and wire types agree)', () => {
    const decoded = requestType.decode(bytes);
    expect(Buffer.from(requestType.encode(decoded).finish()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('encodes a partial-success response that OpenTelemetry JS reads back', () => {
    const encoded = responseType
      .encode(responseType.fromObject({ partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' } }))
      .finish();
    expect(ProtobufTraceSerializer.deserializeResponse(encoded)).toEqual({
      partialSuccess: { rejectedSpans: 3, errorMessage: 'bad ids' },
    });
  });
});
