import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../../lambdas/domain/events/event';
import { eventIdForSpan, sessionIdForTrace } from '../../../lambdas/domain/events/ids';
import { normalizeSpan } from '../../../lambdas/domain/events/normalize-span';
import type { AttributeValue } from '../../../lambdas/domain/otlp/model';
import { makeContext, makeSpan, PARENT_SPAN_ID, SPAN_ID, TRACE_ID } from './span-fixtures';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('precedence: HoneyHive, then GenAI, then OpenInference, then Traceloop', () => {
  const all = {
    honeyhive_session_id: 'hh-session',
    'gen_ai.conversation.id': 'genai-session',
    'session.id': 'oi-session',
    'traceloop.association.properties.session_id': 'tl-session',
  };

  it('resolves the session id in the documented order', () => {
    const order: Array<keyof typeof all> = [
      'honeyhive_session_id',
      'gen_ai.conversation.id',
      'session.id',
      'traceloop.association.properties.session_id',
    ];
    for (let i = 0; i < order.length; i++) {
      const attributes: Record<string, string> = {};
      for (const key of order.slice(i)) attributes[key] = all[key];
      const expected = all[order[i] as keyof typeof all];
      expect(normalizeSpan(makeSpan(attributes), makeContext()).session_id).toBe(expected);
    }
  });

  it('lets GenAI model and tokens beat OpenInference ones', () => {
    const e = normalizeSpan(
      makeSpan({
        'llm.model_name': 'claude-3-haiku',
        'llm.token_count.prompt': 1,
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 100,
      }),
      makeContext(),
    );
    expect(e.model).toBe('gpt-4o');
    expect(e.prompt_tokens).toBe(100);
  });

  it('lets the HoneyHive event name and type beat Traceloop and OpenInference', () => {
    const e = normalizeSpan(
      makeSpan({
        'traceloop.entity.name': 'tl-name',
        'traceloop.span.kind': 'tool',
        'openinference.span.kind': 'LLM',
        honeyhive_event_name: 'hh-name',
        honeyhive_event_type: 'chain',
      }),
      makeContext(),
    );
    expect(e.event_name).toBe('hh-name');
    expect(e.event_type).toBe('chain');
  });

  it('infers from OpenInference before Traceloop, and GenAI before both', () => {
    expect(
      normalizeSpan(
        makeSpan({ 'openinference.span.kind': 'TOOL', 'traceloop.span.kind': 'workflow' }),
        makeContext(),
      ).event_type,
    ).toBe('tool');
    expect(
      normalizeSpan(
        makeSpan({ 'gen_ai.operation.name': 'chat', 'openinference.span.kind': 'CHAIN' }),
        makeContext(),
      ).event_type,
    ).toBe('model');
  });

  it('merges sections key by key, the higher convention winning a shared key', () => {
    const e = normalizeSpan(
      makeSpan({
        'honeyhive_inputs.chat_history.0.role': 'user',
        'honeyhive_inputs.chat_history.0.content': 'from honeyhive',
        'gen_ai.prompt.0.role': 'user',
        'gen_ai.prompt.0.content': 'from gen_ai',
        'input.value': 'from openinference',
        'honeyhive_config.temperature': 1,
        'gen_ai.request.temperature': 0,
        'gen_ai.request.top_p': 0.5,
      }),
      makeContext(),
    );
    expect(e.inputs).toEqual({
      chat_history: [{ role: 'user', content: 'from honeyhive' }],
      value: 'from openinference',
    });
    expect(e.config).toEqual({ temperature: 1, top_p: 0.5 });
  });

  it('prefers the honeyhive source, then resource service.name, then otel', () => {
    expect(normalizeSpan(makeSpan({ 'honeyhive.source': 'prod' }), makeContext()).source).toBe('prod');
    expect(normalizeSpan(makeSpan({}), makeContext()).source).toBe('support-bot');
    expect(normalizeSpan(makeSpan({}), makeContext({ resourceAttributes: {} })).source).toBe('otel');
  });
});

describe('event type inference', () => {
  it('defaults to chain', () => {
    expect(normalizeSpan(makeSpan({ foo: 'bar' }), makeContext()).event_type).toBe('chain');
  });

  it('falls back to inference for an invalid explicit type and notes it', () => {
    const e = normalizeSpan(
      makeSpan({ honeyhive_event_type: 'llm', 'gen_ai.operation.name': 'chat' }),
      makeContext(),
    );
    expect(e.event_type).toBe('model');
    expect(e.metadata.invalid_event_type).toBe('llm');
    expect(e.metadata.normalization_notes).toEqual([expect.stringContaining('"llm"')]);
  });

  it('accepts explicit types case-insensitively', () => {
    expect(normalizeSpan(makeSpan({ honeyhive_event_type: 'Tool' }), makeContext()).event_type).toBe('tool');
  });
});

describe('ids', () => {
  it('derives a stable UUID event id from trace and span id', () => {
    const a = normalizeSpan(makeSpan({}), makeContext());
    const b = normalizeSpan(makeSpan({ other: 1 }), makeContext({ ingestedAt: 1, version: 2 }));
    expect(a.event_id).toMatch(UUID);
    expect(a.event_id).toBe(b.event_id);
    expect(a.event_id).toBe(eventIdForSpan(TRACE_ID, SPAN_ID));
    expect(a.trace_id).toBe(TRACE_ID);
    expect(a.span_id).toBe(SPAN_ID);
    expect(a.children_ids).toEqual([]);
  });

  it('gives different spans different ids', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(eventIdForSpan(TRACE_ID, i.toString(16).padStart(16, '0')));
    for (let i = 0; i < 5000; i++) ids.add(eventIdForSpan(i.toString(16).padStart(32, '0'), SPAN_ID));
    expect(ids.size).toBe(10_000);
  });

  it('derives parent_id the same way, and null for a root', () => {
    const child = normalizeSpan(makeSpan({}), makeContext());
    const parent = normalizeSpan(makeSpan({}, { spanId: PARENT_SPAN_ID, parentSpanId: '' }), makeContext());
    expect(child.parent_id).toBe(parent.event_id);
    expect(parent.parent_id).toBeNull();
  });

  it('derives the session from the trace when no convention names one', () => {
    const e = normalizeSpan(makeSpan({}), makeContext());
    expect(e.session_id).toBe(sessionIdForTrace(TRACE_ID));
    expect(e.session_id).toMatch(UUID);
    expect(e.session_id).not.toBe(e.event_id);
  });
});

describe('metadata', () => {
  it('keeps unmapped attributes, resource and scope', () => {
    const e = normalizeSpan(
      makeSpan({ 'http.method': 'POST', 'gen_ai.unknown.thing': 3, custom: [1, 2] }),
      makeContext(),
    );
    expect(e.metadata.attributes).toEqual({
      'http.method': 'POST',
      'gen_ai.unknown.thing': 3,
      custom: [1, 2],
    });
    expect(e.metadata.resource).toEqual({
      'service.name': 'support-bot',
      'telemetry.sdk.language': 'python',
    });
    expect(e.metadata.scope).toEqual({ name: 'test-scope', version: '1.2.3' });
  });

  it('keeps a token count it cannot read as a number under metadata.attributes', () => {
    const e = normalizeSpan(makeSpan({ 'gen_ai.usage.input_tokens': 'lots' }), makeContext());
    expect(e.prompt_tokens).toBeNull();
    expect(e.metadata.attributes).toEqual({ 'gen_ai.usage.input_tokens': 'lots' });
  });

  it('keeps a path that conflicts with an earlier one instead of dropping it', () => {
    const e = normalizeSpan(
      makeSpan({ 'honeyhive_inputs.query': 'a', 'honeyhive_inputs.query.text': 'b' }),
      makeContext(),
    );
    expect(e.inputs).toEqual({ query: 'a' });
    expect(e.metadata.attributes).toEqual({ 'honeyhive_inputs.query.text': 'b' });
  });

  it('does not let attribute keys reach object prototypes', () => {
    const e = normalizeSpan(
      makeSpan({
        'honeyhive_inputs.__proto__.polluted': 'yes',
        __proto__: 'x',
        'honeyhive_metadata.constructor': 'c',
      }),
      makeContext(),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(e.inputs)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(e.inputs))).toEqual(JSON.parse('{"__proto__":{"polluted":"yes"}}'));
  });

  it('does not allocate huge arrays for huge indexes', () => {
    const e = normalizeSpan(makeSpan({ 'honeyhive_inputs.items.99999999.x': 1 }), makeContext());
    expect(JSON.stringify(e.inputs).length).toBeLessThan(100);
  });

  it('keeps span events and links', () => {
    const e = normalizeSpan(
      makeSpan(
        {},
        {
          events: [{ name: 'retry', timeUnixMs: 5, attributes: { attempt: 2 } }],
          links: [{ traceId: 'aa', spanId: 'bb', attributes: {} }],
        },
      ),
      makeContext(),
    );
    expect(e.metadata.span_events).toEqual([{ name: 'retry', time: 5, attributes: { attempt: 2 } }]);
    expect(e.metadata.links).toEqual([{ traceId: 'aa', spanId: 'bb', attributes: {} }]);
  });
});

describe('errors and timing', () => {
  it('uses the status message of an ERROR span', () => {
    const e = normalizeSpan(makeSpan({}, { statusCode: 2, statusMessage: 'upstream 500' }), makeContext());
    expect(e.error).toBe('upstream 500');
  });

  it('uses the exception event message otherwise', () => {
    const e = normalizeSpan(
      makeSpan(
        {},
        {
          statusCode: 2,
          events: [
            {
              name: 'exception',
              timeUnixMs: 1,
              attributes: { 'exception.type': 'ValueError', 'exception.message': 'bad input' },
            },
          ],
        },
      ),
      makeContext(),
    );
    expect(e.error).toBe('bad input');
  });

  it('has no error for an OK span', () => {
    expect(normalizeSpan(makeSpan({}, { statusCode: 1 }), makeContext()).error).toBeNull();
  });

  it('computes duration in ms and notes impossible timings', () => {
    expect(normalizeSpan(makeSpan({}), makeContext()).duration).toBe(1250.5);
    const missing = normalizeSpan(makeSpan({}, { endTimeUnixMs: 0 }), makeContext());
    expect(missing.duration).toBe(0);
    expect(missing.end_time).toBe(missing.start_time);
    expect(missing.metadata.normalization_notes).toEqual([expect.stringContaining('missing end time')]);
    const negative = normalizeSpan(makeSpan({}, { endTimeUnixMs: 1 }), makeContext());
    expect(negative.duration).toBe(0);
    expect(negative.metadata.normalization_notes).toEqual([expect.stringContaining('before start')]);
  });
});

describe('usage and cost', () => {
  it('keeps tokens and leaves cost null for an unknown model', () => {
    const e = normalizeSpan(
      makeSpan({
        'gen_ai.request.model': 'acme-llm-9',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 5,
      }),
      makeContext(),
    );
    expect(e.prompt_tokens).toBe(10);
    expect(e.completion_tokens).toBe(5);
    expect(e.total_tokens).toBe(15);
    expect(e.cost).toBeNull();
    expect(e.metadata.pricing).toBeUndefined();
  });

  it('keeps a cost the instrumentation reported', () => {
    const e = normalizeSpan(
      makeSpan({
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 10,
        'honeyhive_metadata.cost': 0.5,
      }),
      makeContext(),
    );
    expect(e.cost).toBe(0.5);
  });

  it('records which price table entry priced the event', () => {
    const e = normalizeSpan(
      makeSpan({ 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 }),
      makeContext(),
    );
    expect(e.metadata.pricing).toEqual({ table_version: '2026-11-01', model_id: 'gpt-4o' });
  });
});

describe('truncation', () => {
  it('truncates long values with a marker and lists them', () => {
    const long = 'é'.repeat(100); // 200 UTF-8 bytes
    const e = normalizeSpan(
      makeSpan({ 'input.value': long, 'http.body': 'x'.repeat(300), short: 'ok' }),
      makeContext({ maxAttributeValueBytes: 51 }),
    );
    // 51 bytes fit 25 two-byte characters: never split a character.
    expect(e.inputs.value).toBe(
      `${'é'.repeat(25)}…[truncated: 200 bytes total; full value in raw archive raw/proj-1/2025/11/13/req-1.pb.gz]`,
    );
    expect((e.metadata.attributes as Record<string, string>)['http.body']).toMatch(
      /^x{51}…\[truncated: 300 bytes total/,
    );
    expect(e.metadata.truncated).toEqual(['input.value', 'http.body']);
    expect((e.metadata.attributes as Record<string, string>).short).toBe('ok');
  });

  it('uses 64 KiB by default', () => {
    const fits = normalizeSpan(makeSpan({ 'input.value': 'a'.repeat(65_536) }), makeContext());
    expect(fits.metadata.truncated).toBeUndefined();
    const cut = normalizeSpan(makeSpan({ 'input.value': 'a'.repeat(65_537) }), makeContext());
    expect(cut.metadata.truncated).toEqual(['input.value']);
  });

  it('truncates strings inside array values and span event attributes', () => {
    const e = normalizeSpan(
      makeSpan(
        { 'tag.tags': ['short', 'y'.repeat(100)] },
        { events: [{ name: 'log', timeUnixMs: 1, attributes: { body: 'z'.repeat(100) } }] },
      ),
      makeContext({
        maxAttributeValueBytes: 10,
        resourceAttributes: { 'service.description': 'r'.repeat(20) },
      }),
    );
    expect(e.metadata.truncated).toEqual(['tag.tags', 'span_events.0.body', 'resource.service.description']);
    expect((e.metadata.tags as string[])[0]).toBe('short');
  });
});

describe('property: any attribute map normalizes to a valid event', () => {
  const keyArb = fc.oneof(
    fc.string(),
    fc.constantFrom(
      'honeyhive_event_type',
      'honeyhive_inputs',
      'honeyhive_inputs.a.0.b',
      'honeyhive_outputs.0',
      'gen_ai.input.messages',
      'gen_ai.output.messages',
      'gen_ai.prompt.0.content',
      'gen_ai.completion.1.role',
      'gen_ai.usage.input_tokens',
      'gen_ai.request.model',
      'gen_ai.system_instructions',
      'llm.invocation_parameters',
      'llm.input_messages.0.message.content',
      'llm.output_messages.x.message.role',
      'openinference.span.kind',
      'traceloop.entity.input',
      'traceloop.association.properties.session_id',
      'metadata',
      'input.value',
      'session_id',
      '__proto__',
      'honeyhive_metadata.__proto__',
    ),
    fc
      .tuple(
        fc.constantFrom('honeyhive_config.', 'gen_ai.request.', 'llm.tools.', 'gen_ai.prompt.'),
        fc.string(),
      )
      .map(([prefix, rest]) => prefix + rest),
  );
  const valueArb: fc.Arbitrary<AttributeValue> = fc.oneof(
    fc.string(),
    fc.json(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.oneof(fc.string(), fc.integer())),
    fc.constantFrom(
      'LLM',
      'model',
      'chat',
      '[{"role":"user","parts":[{"type":"text","content":"x"}]}]',
      '{"a":1}',
    ),
  );

  it('never throws and yields a valid event type and JSON sections', () => {
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb, { maxKeys: 12 }), (attributes) => {
        const event = normalizeSpan(makeSpan(attributes), makeContext({ maxAttributeValueBytes: 64 }));
        expect(EVENT_TYPES).toContain(event.event_type);
        for (const section of [
          event.config,
          event.inputs,
          event.outputs,
          event.metadata,
          event.metrics,
          event.feedback,
          event.user_properties,
        ]) {
          expect(typeof section).toBe('object');
          expect(Array.isArray(section)).toBe(false);
          const text = JSON.stringify(section);
          expect(JSON.stringify(JSON.parse(text))).toBe(text);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});
