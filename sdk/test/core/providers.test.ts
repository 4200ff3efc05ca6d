import { type Span as ApiSpan, trace } from '@opentelemetry/api';
import {
  type ReadableSpan,
  TracerProvider as SdkTracerProvider,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { findExistingProvider } from '../../src/integration/provider-detection';
import { memoryTracer } from './helpers';

/** An exporter that keeps what it got even after shutdown (InMemorySpanExporter clears itself). */
function recordingExporter(): SpanExporter & { spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  return {
    spans,
    export: (batch, done) => {
      spans.push(...batch);
      done({ code: 0 });
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
}

const names = (spans: ReadableSpan[]) => spans.map((s) => s.name);
const byName = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name);

afterEach(() => {
  trace.disable();
});

describe('useExistingProvider', () => {
  it('adds the processor to the app provider, then detaches it on shutdown', async () => {
    const app = recordingExporter();
    const appProvider = new SdkTracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: app })],
    });
    trace.setGlobalTracerProvider(appProvider);
    const ours = recordingExporter();
    const t = memoryTracer({
      useExistingProvider: true,
      spanProcessor: new SimpleSpanProcessor({ exporter: ours }),
    });
    expect(t.tracer.enabled).toBe(true);

    t.tracer.trace(function traced() {
      return 1;
    })();
    trace.getTracer('app').startSpan('app-span').end();
    expect(names(ours.spans)).toEqual(['traced', 'app-span']);
    // The app keeps its own exporter and sees the tracer's spans as well.
    expect(names(app.spans)).toEqual(['traced', 'app-span']);
    expect(byName(ours.spans, 'app-span')?.attributes.honeyhive_project).toBe('test-project');

    await t.tracer.shutdown();
    trace.getTracer('app').startSpan('after-shutdown').end();
    expect(names(ours.spans)).toEqual(['traced', 'app-span']);
    const after = byName(app.spans, 'after-shutdown');
    expect(after).toBeDefined();
    // Detached: the app's spans are no longer stamped with the shut-down tracer's session.
    expect(after?.attributes.honeyhive_session_id).toBeUndefined();
    expect(after?.attributes.honeyhive_project).toBeUndefined();
  });

  it('falls back to an own provider when none is registered, leaving the global alone', async () => {
    const t = memoryTracer({ useExistingProvider: true });
    t.tracer.startSpan('own').end();
    expect(names(t.spans())).toEqual(['own']);
    expect(findExistingProvider().kind).toBe('noop');
    await t.tracer.shutdown();
  });
});

describe('registerGlobal', () => {
  const globalSpan = (): ApiSpan => trace.getTracer('third-party').startSpan('global-span');

  it('off by default: the global provider stays the no-op one', async () => {
    const t = memoryTracer();
    t.tracer.startSpan('x').end();
    expect(findExistingProvider().kind).toBe('noop');
    const span = globalSpan();
    expect(span.isRecording()).toBe(false);
    span.end();
    expect(names(t.spans())).toEqual(['x']);
    await t.tracer.shutdown();
  });

  it('on: spans of the global API reach this tracer, stamped with its session', async () => {
    const t = memoryTracer({ registerGlobal: true });
    expect(findExistingProvider().kind).toBe('sdk');
    globalSpan().end();
    const span = byName(t.spans(), 'global-span');
    expect(span?.attributes.honeyhive_session_id).toBe(t.tracer.getSessionId());
    expect(t.warnings).toEqual([]);
    await t.tracer.shutdown();
  });

  it('does not replace a provider the app registered, and says so once', async () => {
    const appProvider = new SdkTracerProvider();
    trace.setGlobalTracerProvider(appProvider);
    const t = memoryTracer({ registerGlobal: true });
    expect(findExistingProvider().provider).toBe(appProvider);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatch(/registerGlobal ignored/);
    await t.tracer.shutdown();
  });
});
