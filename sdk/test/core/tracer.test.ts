import { context, propagation } from '@opentelemetry/api';
import { BatchSpanProcessor, InMemorySpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { type MemoryTracer, memoryTracer, type Receiver, startReceiver } from './helpers';

let t: MemoryTracer | undefined;
const receivers: Receiver[] = [];
afterEach(async () => {
  await t?.tracer.shutdown();
  t = undefined;
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('withSession', () => {
  it('scopes a session in context and baggage, across await, and passes results and errors through', async () => {
    t = memoryTracer();
    const tracer = t.tracer;
    const step = tracer.trace(async function step() {
      await new Promise((r) => setTimeout(r, 1));
      return propagation.getBaggage(context.active())?.getEntry('session_id')?.value;
    });
    const own = tracer.getSessionId();
    expect(await tracer.withSession('session-a', () => step())).toBe('session-a');
    await step();
    const [inside, outside] = t.spans();
    expect(inside?.attributes.honeyhive_session_id).toBe('session-a');
    expect(outside?.attributes.honeyhive_session_id).toBe(own);

    const error = new RangeError('inside');
    expect(() =>
      tracer.withSession('session-b', () => {
        throw error;
      }),
    ).toThrow(error);
  });

  it("does not put another tracer's spans in the session", async () => {
    t = memoryTracer();
    const other = memoryTracer({ project: 'other' });
    t.tracer.withSession('mine', () => other.tracer.startSpan('x').end());
    expect(other.spans()[0]?.attributes.honeyhive_session_id).toBe(other.tracer.getSessionId());
    await other.tracer.shutdown();
  });
});

/** Holds spans until flushed, like a real batch exporter in a Lambda sandbox. */
function batched(exporter: SpanExporter) {
  return new BatchSpanProcessor({ exporter, scheduledDelayMillis: 60_000 });
}

describe('wrapLambda', () => {
  it('returns the very result, with the spans exported before the invocation returns', async () => {
    const exporter = new InMemorySpanExporter();
    t = memoryTracer({ spanProcessor: batched(exporter) });
    const result = { statusCode: 200 };
    const handler = t.tracer.wrapLambda(
      t.tracer.trace(async function handle(_event: { id: string }, _context: object) {
        return result;
      }),
    );
    expect(await handler({ id: 'e1' }, {})).toBe(result);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['handle']);
  });

  it('rethrows the very error, after exporting the failed span', async () => {
    const exporter = new InMemorySpanExporter();
    t = memoryTracer({ spanProcessor: batched(exporter) });
    const error = new Error('handler failed');
    const handler = t.tracer.wrapLambda(
      t.tracer.trace(async function handle(_event: object, _context: object) {
        throw error;
      }),
    );
    await expect(handler({}, {})).rejects.toBe(error);
    expect(exporter.getFinishedSpans()[0]?.attributes.honeyhive_error).toBe('handler failed');
  });

  it('spends at most lambdaFlushBudgetMs on an exporter that hangs', async () => {
    const hanging: SpanExporter = { export: () => {}, shutdown: async () => {} };
    t = memoryTracer({ spanProcessor: batched(hanging), lambdaFlushBudgetMs: 100 });
    const handler = t.tracer.wrapLambda(
      t.tracer.trace(async (n: number, _context: object) => n + 1, { name: 'h' }),
    );
    const started = performance.now();
    expect(await handler(1, {})).toBe(2);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(600);
    await t.tracer.shutdown(50);
  });
});

describe('verbose and disabled', () => {
  function capture() {
    const debug: string[] = [];
    const warn: string[] = [];
    return {
      debug,
      warn,
      logger: { debug: (m: string) => debug.push(m), warn: (m: string) => warn.push(m) },
    };
  }

  it('verbose: start-up and SDK error details go to logger.debug, rate limited', () => {
    const log = capture();
    t = memoryTracer({ verbose: true, logger: log.logger });
    expect(log.debug.join('\n')).toMatch(/tracer started: project test-project/);
    const before = log.debug.length;
    for (let i = 0; i < 5; i++) t.tracer.reportError(new Error(`failure ${i}`));
    const details = log.debug.slice(before).filter((m) => m.includes('SDK error detail'));
    expect(details).toHaveLength(1);
    expect(details[0]).toMatch(/failure 0[\s\S]*at /);
    expect(log.warn).toHaveLength(1);
  });

  it('not verbose: no debug output', () => {
    const log = capture();
    t = memoryTracer({ logger: log.logger });
    t.tracer.startSpan('x').end();
    t.tracer.reportError(new Error('quiet'));
    expect(log.debug).toEqual([]);
  });

  it('disabled: no warning, no network, functions run, every method is a no-op', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const log = capture();
    t = memoryTracer({ disabled: true, serverUrl: receiver.url, logger: log.logger });
    expect(t.tracer.enabled).toBe(false);
    expect(t.tracer.trace((a: number) => a * 2)(4)).toBe(8);
    expect(await t.tracer.trace(async () => 'x', { name: 'a' })()).toBe('x');
    t.tracer.startSpan('s').end();
    t.tracer.enrichSession({ metadata: { a: 1 } });
    expect(await t.tracer.startSession()).toBeUndefined();
    expect(t.tracer.getSessionId()).toBeUndefined();
    expect(await t.tracer.flush()).toBe(true);
    expect(t.spans()).toEqual([]);
    expect(receiver.requests).toEqual([]);
    expect(log.warn).toEqual([]);
  });
});
