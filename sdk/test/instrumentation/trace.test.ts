import { SpanStatusCode } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { enrichSpan } from '../../src/index';
import { type MemoryTracer, memoryTracer } from '../core/helpers';

let t: MemoryTracer;
afterEach(async () => {
  await t?.tracer.shutdown();
});

function only(name: string) {
  const found = t.spans().filter((s) => s.name === name);
  expect(found).toHaveLength(1);
  const [span] = found;
  if (span === undefined) throw new Error(`no span ${name}`);
  return span;
}

describe('trace()', () => {
  it('traces a sync function: result unchanged, inputs by parameter name, output, inferred type', () => {
    t = memoryTracer();
    const callLlm = t.tracer.trace(function callLlm(prompt: string, temperature = 0.2) {
      return { text: `echo ${prompt}`, temperature };
    });
    expect(callLlm('hi', 0.5)).toEqual({ text: 'echo hi', temperature: 0.5 });
    const span = only('callLlm');
    expect(span.attributes.honeyhive_event_type).toBe('model');
    expect(span.attributes['honeyhive_inputs.prompt']).toBe('hi');
    expect(span.attributes['honeyhive_inputs.temperature']).toBe(0.5);
    expect(span.attributes['honeyhive_outputs.result.text']).toBe('echo hi');
    expect(span.attributes.honeyhive_project).toBe('test-project');
    expect(typeof span.attributes.honeyhive_session_id).toBe('string');
  });

  it('rethrows the very same error and records it', () => {
    t = memoryTracer();
    const boom = new TypeError('bad input');
    const searchTool = t.tracer.trace(
      (_q: string) => {
        throw boom;
      },
      { name: 'searchTool' },
    );
    expect(() => searchTool('q')).toThrow(boom);
    const span = only('searchTool');
    expect(span.attributes.honeyhive_event_type).toBe('tool');
    expect(span.attributes.honeyhive_error).toBe('bad input');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.map((e) => e.name)).toContain('exception');
  });

  it('returns the same promise for async functions and nests child spans', async () => {
    t = memoryTracer();
    const child = t.tracer.trace(async function step(n: number) {
      await new Promise((r) => setTimeout(r, 5));
      return n * 2;
    });
    const workflow = t.tracer.trace(async function workflow(n: number) {
      return (await child(n)) + (await child(n + 1));
    });
    expect(await workflow(1)).toBe(6);
    const root = only('workflow');
    const steps = t.spans().filter((s) => s.name === 'step');
    expect(steps).toHaveLength(2);
    for (const s of steps) expect(s.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(root.attributes.honeyhive_event_type).toBe('chain');
    expect(root.attributes['honeyhive_outputs.result']).toBe(6);
  });

  it('passes async rejections through unchanged', async () => {
    t = memoryTracer();
    const err = new Error('nope');
    const fail = t.tracer.trace(
      async () => {
        throw err;
      },
      { name: 'fail' },
    );
    await expect(fail()).rejects.toBe(err);
    await new Promise((r) => setImmediate(r));
    expect(only('fail').attributes.honeyhive_error).toBe('nope');
  });

  it('traces generators and async generators, joining streamed text', async () => {
    t = memoryTracer();
    const gen = t.tracer.trace(function* chatStream() {
      yield 'a';
      yield 'b';
    });
    expect([...gen()]).toEqual(['a', 'b']);
    expect(only('chatStream').attributes['honeyhive_outputs.result']).toBe('ab');

    const agen = t.tracer.trace(async function* numbers(n: number) {
      for (let i = 0; i < n; i++) yield i;
    });
    const seen: number[] = [];
    for await (const v of agen(3)) seen.push(v);
    expect(seen).toEqual([0, 1, 2]);
    const span = only('numbers');
    expect(span.attributes['honeyhive_outputs.result.0']).toBe(0);
    expect(span.attributes['honeyhive_outputs.result.2']).toBe(2);
  });

  it('ends a generator span with the error a generator throws', () => {
    t = memoryTracer();
    const err = new Error('gen failed');
    const gen = t.tracer.trace(function* broken() {
      yield 1;
      throw err;
    });
    const it = gen();
    expect(it.next().value).toBe(1);
    expect(() => it.next()).toThrow(err);
    expect(only('broken').attributes.honeyhive_error).toBe('gen failed');
  });

  it('captures cyclic, BigInt, function, Buffer and Error arguments without failing', () => {
    t = memoryTracer();
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const f = t.tracer.trace(function odd(a: unknown, b: bigint, c: () => void, d: Buffer, e: Error) {
      return [a, b, c, d, e].length;
    });
    expect(f(cyclic, 10n, () => {}, Buffer.from('xyz'), new Error('E'))).toBe(5);
    const attrs = only('odd').attributes;
    expect(attrs['honeyhive_inputs.a.self']).toBe('[Circular]');
    expect(attrs['honeyhive_inputs.b']).toBe('10');
    expect(attrs['honeyhive_inputs.c']).toMatch(/^\[Function/);
    expect(attrs['honeyhive_inputs.d']).toBe('[Buffer 3 bytes]');
    expect(attrs['honeyhive_inputs.e.message']).toBe('E');
  });

  it('limits the size of captured values', () => {
    t = memoryTracer();
    const f = t.tracer.trace(function big(_text: string, _list: number[]) {
      return 1;
    });
    f(
      'x'.repeat(100_000),
      Array.from({ length: 5_000 }, (_, i) => i),
    );
    const attrs = only('big').attributes;
    const text = attrs['honeyhive_inputs._text'] as string;
    expect(text.length).toBeLessThan(20_000);
    expect(text).toMatch(/truncated/);
    const listKeys = Object.keys(attrs).filter((k) => k.startsWith('honeyhive_inputs._list.'));
    expect(listKeys.length).toBeLessThanOrEqual(201);
  });

  it('applies the default redaction to captured inputs', () => {
    t = memoryTracer();
    const f = t.tracer.trace(function auth(header: string) {
      return header.length;
    });
    f('Bearer abcdefghijklmnopqrstuvwxyz0123456789');
    expect(String(only('auth').attributes['honeyhive_inputs.header'])).not.toContain('abcdefghijklmnop');
  });

  it('keeps explicit event types and this', () => {
    t = memoryTracer();
    const obj = {
      factor: 3,
      run: t.tracer.trace(
        function (this: { factor: number }, n: number) {
          return this.factor * n;
        },
        { name: 'plain', eventType: 'tool' },
      ),
    };
    expect(obj.run(2)).toBe(6);
    expect(only('plain').attributes.honeyhive_event_type).toBe('tool');
  });
});

describe('decorator', () => {
  // Applied the way TypeScript's standard decorators call it (the test transform lacks decorator syntax).
  it('traces class methods with standard decorators', async () => {
    t = memoryTracer();
    class Agent {
      constructor(private readonly prefix: string) {}
      async answer(question: string): Promise<string> {
        return `${this.prefix}${question}`;
      }
    }
    const decorate = t.tracer.traceMethod({ eventType: 'chain' });
    Agent.prototype.answer = decorate(Agent.prototype.answer, {
      kind: 'method',
      name: 'answer',
    } as ClassMethodDecoratorContext<Agent, Agent['answer']>);
    expect(await new Agent('A: ').answer('why')).toBe('A: why');
    const span = only('answer');
    expect(span.attributes['honeyhive_inputs.question']).toBe('why');
    expect(span.attributes['honeyhive_outputs.result']).toBe('A: why');
  });
});

describe('enrichment and manual spans', () => {
  it('writes enrichSpan sections as honeyhive_* attributes', () => {
    t = memoryTracer();
    const f = t.tracer.trace(function generateAnswer() {
      enrichSpan({
        metadata: { user: 'u1', tags: ['a', 'b'] },
        metrics: { score: 0.9 },
        feedback: { liked: true },
        config: { model: 'gpt-x' },
        userProperties: { plan: 'pro' },
        outputs: { role: 'assistant', content: 'hi' },
        error: new Error('partial'),
      });
      return 'ok';
    });
    f();
    const a = only('generateAnswer').attributes;
    expect(a['honeyhive_metadata.user']).toBe('u1');
    expect(a['honeyhive_metadata.tags.1']).toBe('b');
    expect(a['honeyhive_metrics.score']).toBe(0.9);
    expect(a['honeyhive_feedback.liked']).toBe(true);
    expect(a['honeyhive_config.model']).toBe('gpt-x');
    expect(a['honeyhive_user_properties.plan']).toBe('pro');
    expect(a['honeyhive_outputs.content']).toBe('hi');
    expect(a.honeyhive_error).toBe('partial');
  });

  it('startSpan and startActiveSpan carry the event type and parent', () => {
    t = memoryTracer();
    t.tracer.startActiveSpan('outer', { eventType: 'chain' }, (outer) => {
      const inner = t.tracer.startSpan('llm call');
      inner.end();
      outer.end();
    });
    expect(only('llm call').attributes.honeyhive_event_type).toBe('model');
    expect(only('llm call').parentSpanContext?.spanId).toBe(only('outer').spanContext().spanId);
  });
});
