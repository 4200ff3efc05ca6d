/** One test per convention, with attribute sets as the real instrumentations emit them. */
import { describe, expect, it } from 'vitest';
import { normalizeSpan } from '../../../lambdas/domain/events/normalize-span';
import { makeContext, makeSpan } from './span-fixtures';

const SESSION = '3f1c2b9e-8d4a-4c1e-9f2a-6b7c8d9e0f1a';

describe('HoneyHive SDK attributes', () => {
  const span = makeSpan({
    // Set by HoneyHiveSpanProcessor.on_start from baggage / the tracer instance.
    'honeyhive.session_id': SESSION,
    'traceloop.association.properties.session_id': SESSION,
    'honeyhive.project': 'support-bot',
    'traceloop.association.properties.project': 'support-bot',
    'honeyhive.source': 'production',
    'traceloop.association.properties.source': 'production',
    'honeyhive_metadata.run_id': 'run-7',
    'honeyhive_metadata.datapoint_id': 'dp-3',
    // Set by @trace(event_type="model", ...) and enrich_span(...), flattened by _set_span_attributes.
    honeyhive_event_type: 'model',
    honeyhive_event_name: 'answer_question',
    'honeyhive_inputs.chat_history.0.role': 'system',
    'honeyhive_inputs.chat_history.0.content': 'Be brief.',
    'honeyhive_inputs.chat_history.1.role': 'user',
    'honeyhive_inputs.chat_history.1.content': 'Where is my order?',
    'honeyhive_outputs.role': 'assistant',
    'honeyhive_outputs.content': 'It shipped yesterday.',
    'honeyhive_config.model': 'gpt-4o-mini',
    'honeyhive_config.provider': 'openai',
    'honeyhive_config.temperature': 0.1,
    'honeyhive_metadata.prompt_tokens': 1000,
    'honeyhive_metadata.completion_tokens': 500,
    'honeyhive_metrics.answer_relevance': 0.92,
    'honeyhive_feedback.rating': 5,
    'honeyhive_feedback.comment': 'great',
    'honeyhive_user_properties.tier': 'pro',
    honeyhive_user_id: 'user-42',
  });
  const event = normalizeSpan(span, makeContext());

  it('maps the scalar fields', () => {
    expect(event.session_id).toBe(SESSION);
    expect(event.event_type).toBe('model');
    expect(event.event_name).toBe('answer_question');
    expect(event.source).toBe('production');
    expect(event.model).toBe('gpt-4o-mini');
    expect(event.provider).toBe('openai');
  });

  it('turns dotted paths into nested sections', () => {
    expect(event.inputs).toEqual({
      chat_history: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Where is my order?' },
      ],
    });
    expect(event.outputs).toEqual({ role: 'assistant', content: 'It shipped yesterday.' });
    expect(event.config).toEqual({ model: 'gpt-4o-mini', provider: 'openai', temperature: 0.1 });
    expect(event.metrics).toEqual({ answer_relevance: 0.92 });
    expect(event.feedback).toEqual({ rating: 5, comment: 'great' });
    expect(event.user_properties).toEqual({ tier: 'pro', user_id: 'user-42' });
    expect(event.metadata).toMatchObject({ run_id: 'run-7', datapoint_id: 'dp-3' });
  });

  it('prices usage reported in honeyhive_metadata', () => {
    expect(event.prompt_tokens).toBe(1000);
    expect(event.completion_tokens).toBe(500);
    expect(event.total_tokens).toBe(1500);
    expect(event.cost).toBeCloseTo((1000 * 0.15 + 500 * 0.6) / 1e6, 12);
  });

  it('does not leave consumed attributes in metadata.attributes', () => {
    expect(event.metadata.attributes).toBeUndefined();
  });

  it('honours honeyhive_error and bare baggage names', () => {
    const e = normalizeSpan(
      makeSpan({
        honeyhive_error: 'rate limited',
        session_id: 'baggage-session',
        source: 'staging',
        run_id: 'r1',
      }),
      makeContext(),
    );
    expect(e.error).toBe('rate limited');
    expect(e.session_id).toBe('baggage-session');
    expect(e.source).toBe('staging');
    expect(e.metadata.run_id).toBe('r1');
  });

  it('prefers honeyhive_session_id over honeyhive.session_id over bare session_id, in any order', () => {
    const e = normalizeSpan(
      makeSpan({ session_id: 'c', 'honeyhive.session_id': 'b', honeyhive_session_id: 'a' }),
      makeContext(),
    );
    expect(e.session_id).toBe('a');
  });

  it('treats an explicit session event type as a session root', () => {
    const e = normalizeSpan(
      makeSpan({ honeyhive_event_type: 'session' }, { parentSpanId: '' }),
      makeContext(),
    );
    expect(e.event_type).toBe('session');
    expect(e.parent_id).toBeNull();
  });

  it('notes a project name that differs from the authenticated project without re-routing', () => {
    const e = normalizeSpan(makeSpan({ 'honeyhive.project': 'other-project' }), makeContext());
    expect(e.project_id).toBe('proj-1');
    expect(e.metadata.declared_project).toBe('other-project');
  });
});

describe('OpenTelemetry GenAI attributes (current names)', () => {
  const span = makeSpan(
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 512,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.stop_sequences': ['\n\n'],
      'gen_ai.response.id': 'chatcmpl-9x',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'gen_ai.conversation.id': 'conv-123',
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You are helpful.' }]),
      'gen_ai.input.messages': JSON.stringify([
        { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
        },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'sunny' }] },
      ]),
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: 'Sunny.' }], finish_reason: 'stop' },
      ]),
      'server.address': 'api.openai.com',
    },
    { name: 'chat gpt-4o', kind: 3 },
  );
  const event = normalizeSpan(span, makeContext());

  it('maps model, provider, usage, session and config', () => {
    expect(event.event_type).toBe('model');
    expect(event.model).toBe('gpt-4o');
    expect(event.provider).toBe('openai');
    expect(event.session_id).toBe('conv-123');
    expect(event.prompt_tokens).toBe(1200);
    expect(event.completion_tokens).toBe(300);
    expect(event.total_tokens).toBe(1500);
    expect(event.config).toEqual({ temperature: 0.2, max_tokens: 512, top_p: 0.9, stop_sequences: ['\n\n'] });
    expect(event.metadata).toMatchObject({
      response_model: 'gpt-4o-2024-08-06',
      response_id: 'chatcmpl-9x',
      finish_reasons: ['stop'],
      cached_input_tokens: 1000,
      operation_name: 'chat',
    });
  });

  it('prices cached input tokens at the cached rate', () => {
    expect(event.cost).toBeCloseTo((200 * 2.5 + 1000 * 1.25 + 300 * 10) / 1e6, 12);
  });

  it('converts structured messages into chat_history and outputs', () => {
    expect(event.inputs.chat_history).toEqual([
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } },
        ],
      },
      { role: 'tool', content: 'sunny', tool_call_id: 'call_1' },
    ]);
    expect(event.outputs).toEqual({ role: 'assistant', content: 'Sunny.', finish_reason: 'stop' });
  });

  it('keeps unmapped attributes', () => {
    expect(event.metadata.attributes).toEqual({ 'server.address': 'api.openai.com' });
  });

  it('maps an execute_tool span to a tool event', () => {
    const e = normalizeSpan(
      makeSpan({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'get_weather',
        'gen_ai.tool.call.id': 'call_1',
        'gen_ai.tool.call.arguments': '{"city":"Paris"}',
        'gen_ai.tool.call.result': '"sunny"',
      }),
      makeContext(),
    );
    expect(e.event_type).toBe('tool');
    expect(e.inputs).toEqual({ arguments: { city: 'Paris' } });
    expect(e.outputs).toEqual({ result: 'sunny' });
    expect(e.metadata.tool).toEqual({ name: 'get_weather', call: { id: 'call_1' } });
    expect(e.cost).toBeNull();
  });

  it('reads messages carried by span events (AWS Strands style)', () => {
    const e = normalizeSpan(
      makeSpan(
        {
          'gen_ai.system': 'aws.bedrock',
          'gen_ai.request.model': 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
        },
        {
          events: [
            { name: 'gen_ai.user.message', timeUnixMs: 1, attributes: { content: '[{"text":"hello"}]' } },
            {
              name: 'gen_ai.choice',
              timeUnixMs: 2,
              attributes: { message: '[{"text":"hi there"}]', finish_reason: 'end_turn' },
            },
          ],
        },
      ),
      makeContext(),
    );
    expect(e.event_type).toBe('model');
    expect(e.inputs.chat_history).toEqual([{ role: 'user', content: [{ text: 'hello' }] }]);
    expect(e.outputs).toMatchObject({ role: 'assistant', finish_reason: 'end_turn' });
    expect(e.metadata.span_events).toHaveLength(2);
  });
});

describe('OpenTelemetry GenAI deprecated names (as emitted by OpenLLMetry)', () => {
  const span = makeSpan(
    {
      'llm.request.type': 'chat',
      'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.7,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'You are a support bot.',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'Reset my password',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'Use the reset link.',
      'gen_ai.completion.0.finish_reason': 'stop',
      'gen_ai.usage.prompt_tokens': 50,
      'gen_ai.usage.completion_tokens': 20,
      'gen_ai.usage.cache_read_input_tokens': 10,
      'llm.usage.total_tokens': 70,
      'llm.is_streaming': false,
      'traceloop.association.properties.session_id': 'tl-session',
      'traceloop.workflow.name': 'support',
    },
    { name: 'openai.chat' },
  );
  const event = normalizeSpan(span, makeContext());

  it('maps the deprecated names', () => {
    expect(event.event_type).toBe('model');
    expect(event.provider).toBe('OpenAI');
    expect(event.model).toBe('gpt-4o-mini');
    expect(event.prompt_tokens).toBe(50);
    expect(event.completion_tokens).toBe(20);
    expect(event.total_tokens).toBe(70);
    expect(event.metadata.cached_input_tokens).toBe(10);
    expect(event.session_id).toBe('tl-session');
    expect(event.inputs.chat_history).toEqual([
      { role: 'system', content: 'You are a support bot.' },
      { role: 'user', content: 'Reset my password' },
    ]);
    expect(event.outputs).toEqual({
      role: 'assistant',
      content: 'Use the reset link.',
      finish_reason: 'stop',
    });
    expect(event.metadata).toMatchObject({
      workflow_name: 'support',
      is_streaming: false,
      operation_name: 'chat',
    });
  });

  it('prefers the current name when both current and deprecated names are present', () => {
    const e = normalizeSpan(
      makeSpan({
        'gen_ai.usage.prompt_tokens': 1,
        'gen_ai.usage.input_tokens': 2,
        'gen_ai.system': 'old',
        'gen_ai.provider.name': 'new',
        'gen_ai.usage.cache_read_input_tokens': 1,
        'gen_ai.usage.cache_read.input_tokens': 2,
      }),
      makeContext(),
    );
    expect(e.prompt_tokens).toBe(2);
    expect(e.provider).toBe('new');
    expect(e.metadata.cached_input_tokens).toBe(2);
  });
});

describe('OpenInference attributes', () => {
  const span = makeSpan({
    'openinference.span.kind': 'LLM',
    'llm.model_name': 'claude-3-5-sonnet-20241022',
    'llm.provider': 'anthropic',
    'llm.system': 'anthropic',
    'llm.invocation_parameters': '{"max_tokens": 1024, "temperature": 0}',
    'llm.input_messages.0.message.role': 'user',
    'llm.input_messages.0.message.content': 'Summarise this ticket',
    'llm.output_messages.0.message.role': 'assistant',
    'llm.output_messages.0.message.content': 'Customer wants a refund.',
    'llm.output_messages.0.message.tool_calls.0.tool_call.function.name': 'create_refund',
    'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{"amount": 10}',
    'llm.token_count.prompt': 1000,
    'llm.token_count.completion': 200,
    'llm.token_count.total': 1200,
    'llm.token_count.prompt_details.cache_read': 800,
    'input.value': '{"ticket": 17}',
    'input.mime_type': 'application/json',
    'output.value': 'Customer wants a refund.',
    'output.mime_type': 'text/plain',
    'session.id': 'oi-session',
    'user.id': 'user-9',
    metadata: '{"env": "prod", "release": "1.4"}',
    'tag.tags': ['triage', 'beta'],
  });
  const event = normalizeSpan(span, makeContext());

  it('maps model, usage, config, session, user and metadata', () => {
    expect(event.event_type).toBe('model');
    expect(event.model).toBe('claude-3-5-sonnet-20241022');
    expect(event.provider).toBe('anthropic');
    expect(event.config).toEqual({ max_tokens: 1024, temperature: 0 });
    expect(event.prompt_tokens).toBe(1000);
    expect(event.total_tokens).toBe(1200);
    expect(event.session_id).toBe('oi-session');
    expect(event.user_properties).toEqual({ user_id: 'user-9' });
    expect(event.metadata).toMatchObject({
      env: 'prod',
      release: '1.4',
      tags: ['triage', 'beta'],
      span_kind: 'LLM',
    });
    expect(event.cost).toBeCloseTo((200 * 3 + 800 * 0.3 + 200 * 15) / 1e6, 12);
  });

  it('maps messages, tool calls and input/output values', () => {
    expect(event.inputs).toEqual({
      chat_history: [{ role: 'user', content: 'Summarise this ticket' }],
      value: { ticket: 17 },
    });
    expect(event.outputs).toEqual({
      role: 'assistant',
      content: 'Customer wants a refund.',
      tool_calls: [{ function: { name: 'create_refund', arguments: '{"amount": 10}' } }],
      value: 'Customer wants a refund.',
    });
  });

  it.each([
    ['TOOL', 'tool'],
    ['RETRIEVER', 'tool'],
    ['RERANKER', 'tool'],
    ['GUARDRAIL', 'tool'],
    ['EMBEDDING', 'model'],
    ['CHAIN', 'chain'],
    ['AGENT', 'chain'],
    ['EVALUATOR', 'chain'],
  ])('maps span kind %s to %s', (kind, type) => {
    expect(normalizeSpan(makeSpan({ 'openinference.span.kind': kind }), makeContext()).event_type).toBe(type);
  });

  it('maps tool spans', () => {
    const e = normalizeSpan(
      makeSpan({
        'openinference.span.kind': 'TOOL',
        'tool.name': 'search_kb',
        'tool.parameters': '{"type":"object"}',
        'input.value': 'refund policy',
      }),
      makeContext(),
    );
    expect(e.event_type).toBe('tool');
    expect(e.metadata.tool).toEqual({ name: 'search_kb', parameters: { type: 'object' } });
    expect(e.inputs).toEqual({ value: 'refund policy' });
  });
});

describe('Traceloop / OpenLLMetry attributes', () => {
  it('maps a workflow span', () => {
    const e = normalizeSpan(
      makeSpan(
        {
          'traceloop.span.kind': 'workflow',
          'traceloop.entity.name': 'answer_question',
          'traceloop.entity.path': '',
          'traceloop.workflow.name': 'answer_question',
          'traceloop.entity.input': '{"args": ["How do I reset?"], "kwargs": {"lang": "en"}}',
          'traceloop.entity.output': '"Use the link."',
          'traceloop.association.properties.session_id': 'tl-1',
          'traceloop.association.properties.user_id': 'u-1',
          'traceloop.association.properties.tenant': 'acme',
        },
        { name: 'answer_question.workflow' },
      ),
      makeContext(),
    );
    expect(e.event_type).toBe('chain');
    expect(e.event_name).toBe('answer_question');
    expect(e.session_id).toBe('tl-1');
    expect(e.inputs).toEqual({ args: ['How do I reset?'], kwargs: { lang: 'en' } });
    expect(e.outputs).toEqual({ value: 'Use the link.' });
    expect(e.user_properties).toEqual({ user_id: 'u-1' });
    expect(e.metadata).toMatchObject({
      span_kind: 'workflow',
      workflow_name: 'answer_question',
      tenant: 'acme',
    });
  });

  it('maps a tool span and lets llm.request.type beat the entity kind', () => {
    expect(normalizeSpan(makeSpan({ 'traceloop.span.kind': 'tool' }), makeContext()).event_type).toBe('tool');
    expect(
      normalizeSpan(
        makeSpan({ 'traceloop.span.kind': 'task', 'llm.request.type': 'completion' }),
        makeContext(),
      ).event_type,
    ).toBe('model');
  });

  it('maps Traceloop request extras to config', () => {
    const e = normalizeSpan(
      makeSpan({
        'llm.top_k': 40,
        'llm.frequency_penalty': 0.5,
        'llm.request.functions.0.name': 'get_weather',
        'llm.request.functions.0.parameters': '{"type":"object"}',
      }),
      makeContext(),
    );
    expect(e.config).toEqual({
      top_k: 40,
      frequency_penalty: 0.5,
      functions: [{ name: 'get_weather', parameters: '{"type":"object"}' }],
    });
  });
});
