import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequestProtobuf } from '../../../lambdas/domain/otlp/decode-protobuf';
import { encodeProtobufInSlices } from '../../src/processing/chunked-encoding';

async function makeSpans(count: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('slices');
  for (let i = 0; i < count; i++) tracer.startSpan(`span-${i}`, { attributes: { i } }).end();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

function spanNames(bytes: Uint8Array): string[] {
  return decodeTraceRequestProtobuf(bytes).resourceSpans.flatMap((r) =>
    r.scopeSpans.flatMap((s) => s.spans.map((span) => span.name)),
  );
}

describe('encodeProtobufInSlices', () => {
  it('encodes a small batch exactly as the serializer does', async () => {
    const spans = await makeSpans(10);
    expect(
      Buffer.from(await encodeProtobufInSlices(spans)).equals(
        Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array),
      ),
    ).toBe(true);
  });

  it('reassembles a large batch into one request holding every span, in order', async () => {
    const spans = await makeSpans(300);
    const bytes = await encodeProtobufInSlices(spans, 64);
    expect(spanNames(bytes)).toEqual(spans.map((span) => span.name));
    expect(decodeTraceRequestProtobuf(bytes).resourceSpans.length).toBe(5);
  });

  it('lets other tasks run before a large batch is finished', async () => {
    const spans = await makeSpans(256);
    const order: string[] = [];
    const encoding = encodeProtobufInSlices(spans, 16).then((bytes) => {
      order.push('encoded');
      return bytes;
    });
    setImmediate(() => order.push('other task'));
    expect(spanNames(await encoding)).toHaveLength(256);
    // A synchronous encode would finish (on microtasks) before any macrotask could run.
    expect(order).toEqual(['other task', 'encoded']);
  });
});
