/**
 * Round trip against the official OpenTelemetry JS encoders: spans recorded with the SDK, serialized by
 * @opentelemetry/otlp-transformer as protobuf and as JSON, must decode to exactly what the SDK recorded.
 */
import {
  type HrTime,
  type Link,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequestJson } from '../../../lambdas/domain/otlp/decode-json';
import { decodeTraceRequestProtobuf } from '../../../lambdas/domain/otlp/decode-protobuf';
import type { Attributes, OtlpSpan, OtlpTraceRequest } from '../../../lambdas/domain/otlp/model';
import { recordSpansNow } from '../../support/otel-spans';

const RESOURCE = { 'service.name': 'round-trip', 'service.version': '1.2.3', 'process.pid': 4242 };

function recordSpans(): ReadableSpan[] {
  return recordSpansNow(produceSpans, { resource: RESOURCE, tracer: ['@waggle/round-trip', '0.9.1'] });
}

function produceSpans(tracer: Tracer): void {
  const root = tracer.startSpan('agent run', {
    kind: SpanKind.SERVER,
    startTime: [1767225600, 123456789],
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.request.temperature': 0.25,
      'gen_ai.request.stream': false,
      'big.int': 2 ** 40,
      'negative.int': -17,
      'tags.strings': ['a', 'b', 'ünïcødé ☕'],
      'tags.numbers': [1, 2.5, -3],
      'tags.booleans': [true, false],
      'text.unicode': 'où est la gare ? 你好 🐝',
    },
  });
  root.addEvent('gen_ai.choice', { index: 0, finish_reason: 'stop', score: 0.5 }, [1767225600, 500000001]);
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'RateLimitError: slow down' });
  const link: Link = {
    context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
    attributes: { 'link.reason': 'retry', 'link.attempt': 2 },
  };
  const child = tracer.startSpan(
    'chat gpt-4o-mini',
    { kind: SpanKind.CLIENT, startTime: [1767225600, 200000000], links: [link] },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.setStatus({ code: SpanStatusCode.OK });
  child.end([1767225601, 999999999]);
  root.end([1767225602, 1]);
}

const nanos = ([seconds, fraction]: HrTime) => BigInt(seconds) * 1_000_000_000n + BigInt(fraction);
const toMs = (time: HrTime) => Number(nanos(time)) / 1e6;

function expectedSpan(span: ReadableSpan): OtlpSpan {
  return {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    traceState: '',
    name: span.name,
    kind: span.kind + 1, // the API's enum starts at INTERNAL = 0, OTLP's at UNSPECIFIED = 0
    startTimeUnixMs: toMs(span.startTime),
    endTimeUnixMs: toMs(span.endTime),
    attributes: span.attributes as Attributes,
    events: span.events.map((event) => ({
      name: event.name,
      timeUnixMs: toMs(event.time),
      attributes: (event.attributes ?? {}) as Attributes,
    })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: (link.attributes ?? {}) as Attributes,
    })),
    statusCode: span.status.code,
    statusMessage: span.status.message ?? '',
  };
}

function expectMatchesSdk(decoded: OtlpTraceRequest, spans: ReadableSpan[]): void {
  expect(decoded.resourceSpans).toHaveLength(1);
  const [resourceSpans] = decoded.resourceSpans;
  expect(resourceSpans?.resourceAttributes).toEqual(RESOURCE);
  expect(resourceSpans?.scopeSpans).toHaveLength(1);
  const [scopeSpans] = resourceSpans?.scopeSpans ?? [];
  expect(scopeSpans?.scopeName).toBe('@waggle/round-trip');
  expect(scopeSpans?.scopeVersion).toBe('0.9.1');
  expect(scopeSpans?.spans).toEqual(spans.map(expectedSpan));
}

describe('OTLP decoders against the OpenTelemetry JS encoders', () => {
  const spans = recordSpans();

  it('records the spans the comparison relies on', () => {
    expect(spans.map((span) => span.name).sort()).toEqual(['agent run', 'chat gpt-4o-mini']);
    const child = spans.find((span) => span.name === 'chat gpt-4o-mini');
    expect(child?.parentSpanContext?.spanId).toBe(
      spans.find((span) => span.name === 'agent run')?.spanContext().spanId,
    );
    expect(child?.links).toHaveLength(1);
  });

  it('decodes ProtobufTraceSerializer output field for field', () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    if (!bytes) throw new Error('serializer produced no bytes');
    expectMatchesSdk(decodeTraceRequestProtobuf(bytes), spans);
  });

  it('decodes JsonTraceSerializer output field for field', () => {
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    if (!bytes) throw new Error('serializer produced no bytes');
    expectMatchesSdk(decodeTraceRequestJson(bytes), spans);
    expectMatchesSdk(decodeTraceRequestJson(new TextDecoder().decode(bytes)), spans);
  });

  it('keeps sub-millisecond precision of nanosecond timestamps', () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
    const root = decodeTraceRequestProtobuf(bytes).resourceSpans[0]?.scopeSpans[0]?.spans.find(
      (span) => span.name === 'agent run',
    );
    expect(root?.startTimeUnixMs).toBeCloseTo(1767225600123.4568, 3);
    expect((root?.endTimeUnixMs ?? 0) - (root?.startTimeUnixMs ?? 0)).toBeCloseTo(1876.543212, 3);
  });
});
