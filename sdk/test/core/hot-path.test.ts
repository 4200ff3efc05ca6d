import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { enrichSpan } from '../../src/index';
import { createEncoder, MAX_CACHED_KEYS_PER_SECTION } from '../../src/instrumentation/encoder';
import { createRedactor } from '../../src/utils/redaction';
import { memoryTracer } from './helpers';

describe('traced-call hot path caches', () => {
  it('spans carry the session stamp in the same order on the first and later calls', async () => {
    const { tracer, spans } = memoryTracer({ source: 'src', sessionName: 'sn' });
    const call = tracer.trace(function answer(q: string) {
      enrichSpan({ metadata: { user: 'u1' }, metrics: { score: 1 } });
      return q.length;
    });
    call('a');
    call('b');
    tracer.setSession('explicit-session');
    call('c');
    await tracer.flush();
    const [first, second, third] = spans();
    const keys = Object.keys(first?.attributes ?? {});
    expect(keys.slice(0, 6)).toEqual([
      'honeyhive_event_type',
      'honeyhive_event_name',
      'honeyhive_session_id',
      'honeyhive_project',
      'honeyhive_source',
      'honeyhive_session_name',
    ]);
    expect(Object.keys(second?.attributes ?? {})).toEqual(keys);
    expect(Object.keys(third?.attributes ?? {})).toEqual(keys);
    expect(second?.attributes.honeyhive_session_id).toBe(first?.attributes.honeyhive_session_id);
    expect(third?.attributes.honeyhive_session_id).toBe('explicit-session');
    for (const span of spans()) {
      expect(span.attributes.honeyhive_project).toBe('test-project');
      expect(span.attributes.honeyhive_source).toBe('src');
      expect(span.attributes.honeyhive_session_name).toBe('sn');
      expect(span.attributes['honeyhive_metadata.user']).toBe('u1');
    }
    await tracer.shutdown();
  });

  it('the session of a withSession scope wins, and nested calls see their own span and tracer', async () => {
    const { tracer, spans } = memoryTracer();
    const inner = tracer.trace(function inner() {
      enrichSpan({ metadata: { level: 'inner' } });
      return 1;
    });
    const outer = tracer.trace(function outer() {
      enrichSpan({ metadata: { level: 'outer' } });
      return inner();
    });
    outer();
    tracer.withSession('scoped', () => outer());
    context.with(ROOT_CONTEXT, () => outer());
    await tracer.flush();
    const all = spans();
    expect(all).toHaveLength(6);
    for (const span of all) expect(span.attributes['honeyhive_metadata.level']).toBe(span.name);
    expect(all.slice(2, 4).map((s) => s.attributes.honeyhive_session_id)).toEqual(['scoped', 'scoped']);
    expect(all[0]?.attributes.honeyhive_session_id).toBe(all[4]?.attributes.honeyhive_session_id);
    const byName = (name: string, i: number) => all.filter((s) => s.name === name)[i];
    for (let i = 0; i < 3; i++) {
      expect(byName('inner', i)?.parentSpanContext?.spanId).toBe(byName('outer', i)?.spanContext().spanId);
    }
    await tracer.shutdown();
  });

  it('cached attribute names equal freshly built ones, beyond the cache bound too', () => {
    for (const redact of [undefined, createRedactor()]) {
      const encoder = createEncoder({ redact });
      const value: Record<string, number> = {};
      for (let i = 0; i < 50; i++) value[`k${i}`] = i;
      const expected = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [`honeyhive_metrics.${k}`, v]),
      );
      expect(encoder.section('metrics', value)).toEqual(expected);
      expect(encoder.section('metrics', value)).toEqual(expected);
      expect(encoder.section('metadata', { k1: 'x' })).toEqual({ 'honeyhive_metadata.k1': 'x' });
    }
    const encoder = createEncoder();
    for (let i = 0; i < MAX_CACHED_KEYS_PER_SECTION + 20; i++) {
      expect(encoder.section('feedback', { [`f${i}`]: i })).toEqual({ [`honeyhive_feedback.f${i}`]: i });
    }
  });
});
