/**
 * Third-party instrumentations registered on a WaggleTracer: the OpenInference OpenAI
 * instrumentation around the real openai client (talking to a loopback fake), OpenTelemetry's own
 * InstrumentationBase, isolation between tracers and containment of broken instrumentations.
 */
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { trace } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import {
  InMemorySpanExporter,
  TracerProvider as SdkTracerProvider,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_ANSWER, FAKE_USAGE, type FakeOpenAI, startFakeOpenAI } from '../../examples/fake-openai-server';
import { registerWithProvider, WaggleTracer } from '../../src/index';
import { memoryTracer } from '../core/helpers';

/** OpenTelemetry's own base class, as contrib instrumentations use it; `work` stands for a patched call. */
class ProbeInstrumentation extends InstrumentationBase {
  constructor() {
    super('probe-instrumentation', '1.0.0', {});
  }
  protected override init() {
    return [];
  }
  work(name: string): void {
    this.tracer.startSpan(name).end();
  }
}

let fake: FakeOpenAI;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  // The openai module is patched process-wide: unpatch so the next test starts clean.
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function instrumentOpenAI(): OpenAIInstrumentation {
  const instrumentation = new OpenAIInstrumentation();
  // ESM imports bypass require hooks, so the module is patched by hand.
  instrumentation.manuallyInstrument(OpenAI);
  cleanups.push(() => instrumentation.disable());
  return instrumentation;
}

const client = () => new OpenAI({ apiKey: 'sk-test-not-real', baseURL: fake.baseURL, maxRetries: 0 });

describe('registerInstrumentations', () => {
  it('records an OpenInference LLM span for a real openai call, parented under tracer.trace', async () => {
    const { tracer, spans } = memoryTracer();
    cleanups.push(() => tracer.shutdown(1_000));
    tracer.registerInstrumentations([instrumentOpenAI()]);

    const answer = tracer.trace(async function answerQuestion(question: string) {
      const completion = await client().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: question }],
      });
      return completion.choices[0]?.message.content;
    });
    expect(await answer('How do refunds work?')).toBe(FAKE_ANSWER);
    expect(fake.requests.at(-1)?.model).toBe('gpt-4o-mini');

    const chain = spans().find((s) => s.name === 'answerQuestion');
    const llm = spans().find((s) => s.attributes['openinference.span.kind'] === 'LLM');
    expect(chain).toBeDefined();
    expect(llm).toBeDefined();
    expect(llm?.attributes['llm.model_name']).toBe('gpt-4o-mini');
    expect(llm?.attributes['llm.token_count.prompt']).toBe(FAKE_USAGE.prompt_tokens);
    expect(llm?.attributes['llm.token_count.completion']).toBe(FAKE_USAGE.completion_tokens);
    expect(llm?.attributes['llm.token_count.total']).toBe(FAKE_USAGE.total_tokens);
    expect(llm?.attributes['llm.input_messages.0.message.content']).toBe('How do refunds work?');
    expect(llm?.parentSpanContext?.spanId).toBe(chain?.spanContext().spanId);
    expect(llm?.spanContext().traceId).toBe(chain?.spanContext().traceId);
    // The tracer's session processor stamps instrumentation spans like its own.
    expect(llm?.attributes.honeyhive_project).toBe(chain?.attributes.honeyhive_project);
    expect(llm?.attributes.honeyhive_session_id).toBeTruthy();
    expect(llm?.attributes.honeyhive_session_id).toBe(chain?.attributes.honeyhive_session_id);
  });

  it('sends each instrumentation only to the tracer it was registered with, not the global provider', async () => {
    const a = memoryTracer({ project: 'tenant-a', apiKey: 'key-a' });
    const b = memoryTracer({ project: 'tenant-b', apiKey: 'key-b' });
    cleanups.push(
      () => a.tracer.shutdown(1_000),
      () => b.tracer.shutdown(1_000),
    );
    const probe = new ProbeInstrumentation();
    cleanups.push(() => probe.disable());
    a.tracer.registerInstrumentations([instrumentOpenAI()]);
    b.tracer.registerInstrumentations([probe]);

    await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    probe.work('probe work');

    const aNames = a.spans().map((s) => s.name);
    const bNames = b.spans().map((s) => s.name);
    expect(aNames).toEqual(['OpenAI Chat Completions']);
    expect(bNames).toEqual(['probe work']);
    expect(a.spans()[0]?.attributes.honeyhive_project).toBe('tenant-a');
    expect(b.spans()[0]?.attributes.honeyhive_project).toBe('tenant-b');
    expect(trace.getTracer('global-probe').startSpan('global').isRecording()).toBe(false);
  });

  it('contains broken instrumentations and still registers the working ones', () => {
    const { tracer, spans, warnings } = memoryTracer();
    cleanups.push(() => tracer.shutdown(1_000));
    const probe = new ProbeInstrumentation();
    cleanups.push(() => probe.disable());
    const throwsOnProvider = {
      instrumentationName: 'broken-provider',
      setTracerProvider() {
        throw new Error('cannot take a provider');
      },
    };
    const throwsOnEnable = {
      instrumentationName: 'broken-enable',
      setTracerProvider() {},
      getConfig: () => ({ enabled: false }),
      enable() {
        throw new TypeError('cannot patch');
      },
    };
    const garbage = [null, 42, 'nope'] as unknown as never[];

    expect(() =>
      tracer.registerInstrumentations([throwsOnProvider, throwsOnEnable, ...garbage, probe]),
    ).not.toThrow();
    expect(() => tracer.registerInstrumentations(undefined as never)).not.toThrow();
    probe.work('still works');
    expect(spans().map((s) => s.name)).toEqual(['still works']);
    expect(warnings.join('\n')).toContain('broken-provider');
  });

  it('reports every failure from registerWithProvider without throwing', () => {
    const errors: unknown[] = [];
    const provider = trace.getTracerProvider();
    const ok = { instrumentationName: 'ok', setTracerProvider() {} };
    const bad = {
      instrumentationName: 'bad',
      setTracerProvider() {
        throw new Error('no');
      },
    };
    const result = registerWithProvider(provider, [bad, ok, null as never], (e) => errors.push(e));
    expect(result.registered).toEqual(['ok']);
    expect(result.failed.map((f) => f.name)).toEqual(['bad', 'unnamed instrumentation']);
    expect(errors).toHaveLength(2);
  });

  it("with useExistingProvider, uses the application's provider the tracer attached to", async () => {
    const appExporter = new InMemorySpanExporter();
    const appProvider = new SdkTracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: appExporter })],
    });
    expect(trace.setGlobalTracerProvider(appProvider)).toBe(true);
    cleanups.push(() => trace.disable());
    const { tracer, spans } = memoryTracer({ useExistingProvider: true });
    cleanups.push(() => tracer.shutdown(1_000));
    const probe = new ProbeInstrumentation();
    cleanups.push(() => probe.disable());
    tracer.registerInstrumentations([probe]);

    probe.work('shared provider');
    await appProvider.forceFlush();
    expect(appExporter.getFinishedSpans().map((s) => s.name)).toEqual(['shared provider']);
    expect(spans().map((s) => s.name)).toEqual(['shared provider']);
    expect(spans()[0]?.attributes.honeyhive_project).toBe('test-project');
  });

  it('leaves instrumentations untouched on a disabled tracer', () => {
    const tracer = new WaggleTracer({ disabled: true });
    let touched = false;
    tracer.registerInstrumentations([
      {
        instrumentationName: 'watch',
        setTracerProvider() {
          touched = true;
        },
      },
    ]);
    expect(touched).toBe(false);
  });
});
