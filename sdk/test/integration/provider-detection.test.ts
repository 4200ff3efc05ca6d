import { ProxyTracerProvider, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  TracerProvider as SdkTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  attachProcessor,
  detachProcessor,
  findExistingProvider,
  inspectProvider,
  unwrapProvider,
} from '../../src/integration/provider-detection';

afterEach(() => {
  trace.disable();
});

function spanNames(exporter: InMemorySpanExporter): string[] {
  return exporter.getFinishedSpans().map((s) => s.name);
}

describe('findExistingProvider', () => {
  it('nothing registered: noop, no processor can be added', () => {
    const found = findExistingProvider();
    expect(found.kind).toBe('noop');
    expect(found.canAddProcessor).toBe(false);
    expect(
      attachProcessor(found.provider, new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })),
    ).toBe(false);
  });

  it('a registered SDK 3.x provider is found behind the global proxy', () => {
    const appProvider = new SdkTracerProvider();
    expect(trace.setGlobalTracerProvider(appProvider)).toBe(true);
    const found = findExistingProvider();
    expect(found).toEqual({ provider: appProvider, canAddProcessor: true, kind: 'sdk' });
  });

  it('an attached processor sees spans of the app, including tracers created before attaching', async () => {
    const appExporter = new InMemorySpanExporter();
    const appProvider = new SdkTracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: appExporter })],
    });
    trace.setGlobalTracerProvider(appProvider);
    const appTracer = trace.getTracer('app');
    appTracer.startSpan('before-attach').end();

    const ours = new InMemorySpanExporter();
    const processor = new SimpleSpanProcessor({ exporter: ours });
    const { provider } = findExistingProvider();
    expect(attachProcessor(provider, processor)).toBe(true);
    expect(attachProcessor(provider, processor)).toBe(true); // idempotent: not added twice
    appTracer.startSpan('after-attach').end();
    await appProvider.forceFlush();

    expect(spanNames(ours)).toEqual(['after-attach']);
    expect(spanNames(appExporter)).toEqual(['before-attach', 'after-attach']);

    expect(detachProcessor(provider, processor)).toBe(true);
    expect(detachProcessor(provider, processor)).toBe(false);
    appTracer.startSpan('after-detach').end();
    await appProvider.forceFlush();
    await processor.forceFlush();
    expect(spanNames(ours)).toEqual(['after-attach']);
    expect(spanNames(appExporter)).toEqual(['before-attach', 'after-attach', 'after-detach']);
  });

  it('an older SDK provider with addSpanProcessor is used through that method', () => {
    const added: unknown[] = [];
    const legacy = {
      getTracer: () => trace.getTracer('noop'),
      addSpanProcessor: (p: unknown) => added.push(p),
    };
    trace.setGlobalTracerProvider(legacy as TracerProvider);
    const found = findExistingProvider();
    expect(found).toMatchObject({ provider: legacy, canAddProcessor: true, kind: 'sdk' });
    const processor = new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() });
    expect(attachProcessor(found.provider, processor)).toBe(true);
    expect(added).toEqual([processor]);
  });

  it('a provider we do not recognise is unknown and left alone', () => {
    const custom: TracerProvider = { getTracer: (): Tracer => new SdkTracerProvider().getTracer('x') };
    trace.setGlobalTracerProvider(custom);
    expect(findExistingProvider()).toEqual({ provider: custom, canAddProcessor: false, kind: 'unknown' });
    expect(attachProcessor(custom, new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() }))).toBe(
      false,
    );
  });
});

describe('inspectProvider / unwrapProvider', () => {
  it('looks through nested proxies', () => {
    const sdk = new SdkTracerProvider();
    const inner = new ProxyTracerProvider();
    inner.setDelegate(sdk);
    const outer = new ProxyTracerProvider();
    outer.setDelegate(inner);
    expect(unwrapProvider(outer)).toBe(sdk);
    expect(inspectProvider(outer).kind).toBe('sdk');
    expect(inspectProvider(new ProxyTracerProvider()).kind).toBe('noop');
  });

  it('a wrapper chain too deep to see through is reported as proxy', () => {
    const chain = (depth: number): unknown => {
      const next = depth === 0 ? new SdkTracerProvider() : chain(depth - 1);
      return { getTracer: () => undefined, getDelegate: () => next };
    };
    expect(inspectProvider(chain(10))).toMatchObject({ kind: 'proxy', canAddProcessor: false });
  });

  it('hostile inputs never throw', () => {
    const hostile = {
      getDelegate() {
        throw new Error('boom');
      },
    };
    expect(inspectProvider(hostile)).toMatchObject({ kind: 'unknown', canAddProcessor: false });
    expect(inspectProvider(null).kind).toBe('unknown');
    const processor = new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() });
    expect(attachProcessor(hostile, processor)).toBe(false);
    expect(detachProcessor(undefined, processor)).toBe(false);
  });
});
