import { propagation } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { WaggleTracer } from '../../src/index';
import { memoryTracer, type Receiver, startReceiver } from './helpers';

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const quiet = { debug: () => {}, warn: () => {} };

describe('multi-instance isolation', () => {
  it.each([2, 50])(
    '%i concurrent tracers: every span reaches only its own endpoint with its own key',
    async (n) => {
      const setups = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          const receiver = await startReceiver();
          receivers.push(receiver);
          const tracer = new WaggleTracer({
            apiKey: `key-${i}`,
            project: `project-${i}`,
            serverUrl: receiver.url,
            protocol: 'json',
            compression: 'none',
            scheduledDelayMs: 20,
            logger: quiet,
          });
          return { i, receiver, tracer };
        }),
      );
      await Promise.all(
        setups.map(async ({ i, tracer }) => {
          const step = tracer.trace(async function step(k: number) {
            await new Promise((r) => setTimeout(r, Math.random() * 5));
            return `${i}-${k}`;
          });
          for (let k = 0; k < 3; k++) await step(k);
        }),
      );
      await Promise.all(setups.map(({ tracer }) => tracer.shutdown()));
      for (const { i, receiver } of setups) {
        const exports = receiver.requests.filter((r) => r.url === '/v1/traces');
        expect(exports.length).toBeGreaterThan(0);
        for (const r of receiver.requests) expect(r.authorization).toBe(`Bearer key-${i}`);
        const body = exports.map((r) => r.body.toString('utf8')).join('\n');
        expect(body).toContain(`project-${i}`);
        expect(body.match(/"name":"step"/g)?.length).toBe(3);
        for (let other = 0; other < n; other++) {
          if (other !== i) expect(body).not.toContain(`"project-${other}"`);
        }
        const start = receiver.requests.find((r) => r.url === '/session/start');
        expect(JSON.parse(start?.body.toString('utf8') ?? '{}').session.project).toBe(`project-${i}`);
      }
    },
  );
});

describe('sessions and propagation', () => {
  it('uses an explicit session id without starting a session', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const t = memoryTracer({ serverUrl: receiver.url, sessionId: 'fixed-session' });
    t.tracer.trace(function turn() {
      return 1;
    })();
    expect(t.spans()[0]?.attributes.honeyhive_session_id).toBe('fixed-session');
    await t.tracer.shutdown();
    expect(receiver.requests.filter((r) => r.url === '/session/start')).toHaveLength(0);
  });

  it('keeps tracing with a local session id when the session start fails', async () => {
    const receiver = await startReceiver(500);
    receivers.push(receiver);
    const t = memoryTracer({ serverUrl: receiver.url });
    const id = await t.tracer.startSession({ sessionName: 'chat' });
    t.tracer.trace(function turn() {
      return 1;
    })();
    expect(t.spans()[0]?.attributes.honeyhive_session_id).toBe(id);
    expect(t.warnings.join('\n')).toMatch(/session start failed/);
    await t.tracer.shutdown();
  });

  it('round-trips traceparent and the session through carriers between two tracers', async () => {
    const a = memoryTracer({ sessionId: 'shared-session' });
    const b = memoryTracer();
    const headers: Record<string, string> = {};
    a.tracer.startActiveSpan('client call', (span) => {
      a.tracer.injectContext(headers);
      span.end();
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(headers.baggage).toContain('session_id=shared-session');
    const ctx = b.tracer.extractContext(headers);
    expect(propagation.getBaggage(ctx)?.getEntry('session_id')?.value).toBe('shared-session');
    b.tracer.startSpan('server handler', { parent: ctx }).end();
    const client = a.spans()[0];
    const server = b.spans()[0];
    expect(server?.spanContext().traceId).toBe(client?.spanContext().traceId);
    expect(server?.parentSpanContext?.spanId).toBe(client?.spanContext().spanId);
    expect(server?.attributes.honeyhive_session_id).toBe('shared-session');
    await Promise.all([a.tracer.shutdown(), b.tracer.shutdown()]);
  });

  it('sends enrichSession as a PUT on the session event', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const t = memoryTracer({ serverUrl: receiver.url });
    const id = await t.tracer.startSession();
    t.tracer.enrichSession({ metadata: { plan: 'pro' }, feedback: { rating: 5 } });
    await t.tracer.flush();
    const put = receiver.requests.find((r) => r.method === 'PUT');
    expect(JSON.parse(put?.body.toString('utf8') ?? '{}')).toEqual({
      event_id: id,
      metadata: { plan: 'pro' },
      feedback: { rating: 5 },
    });
    await t.tracer.shutdown();
  });
});
