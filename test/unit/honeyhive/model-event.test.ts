import { describe, expect, it } from 'vitest';
import { createModelEvent, createModelEventBatch } from '../../../lambdas/domain/honeyhive';
import { eventsOf, onlyEvent, rejectionOf, testContext } from './context';

/** HoneyHive's model-event fields, as its SDKs and docs send them. */
const MODEL_EVENT = {
  project: 'my-project',
  model: 'gpt-4o',
  provider: 'openai',
  messages: [
    { role: 'system', content: 'You are a helpful assistant' },
    { role: 'user', content: 'Hello' },
  ],
  response: { role: 'assistant', content: 'Hi there' },
  duration: 42,
  usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
  hyperparameters: { temperature: 0, max_tokens: 1000 },
  template: [{ role: 'system', content: 'You are a {{ role }}' }],
  tool_choice: 'none',
  tools: [{ type: 'function', function: { name: 'lookup' } }],
  event_name: 'chat',
  session_id: 's-1',
  metadata: { app: 'demo' },
};

describe('createModelEvent (POST /events/model)', () => {
  it('maps the model-event fields into a model event', () => {
    const result = createModelEvent({ model_event: MODEL_EVENT }, testContext());
    const event = onlyEvent(result.records);

    expect(result.partial).toBe(false);
    expect(result.response).toEqual({ success: true, event_id: event.event_id });
    expect(event).toMatchObject({
      event_type: 'model',
      event_name: 'chat',
      session_id: 's-1',
      parent_id: 's-1',
      model: 'gpt-4o',
      provider: 'openai',
      inputs: { chat_history: MODEL_EVENT.messages },
      outputs: { role: 'assistant', content: 'Hi there' },
      config: {
        model: 'gpt-4o',
        provider: 'openai',
        temperature: 0,
        max_tokens: 1000,
        template: MODEL_EVENT.template,
        tool_choice: 'none',
        tools: MODEL_EVENT.tools,
      },
      metadata: { app: 'demo', prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
      prompt_tokens: 20,
      completion_tokens: 5,
      total_tokens: 25,
      duration: 42,
    });
    // A known model without a reported cost is priced from the table.
    expect(event.cost).toBeGreaterThan(0);
  });

  it('accepts the spec wrapper as a JSON string, and the flat legacy body, alike', () => {
    const wrapped = onlyEvent(createModelEvent({ model_event: MODEL_EVENT }, testContext()).records);
    expect(
      onlyEvent(createModelEvent({ model_event: JSON.stringify(MODEL_EVENT) }, testContext()).records),
    ).toEqual(wrapped);
    expect(onlyEvent(createModelEvent(MODEL_EVENT, testContext()).records)).toEqual(wrapped);
  });

  it('accepts a plain event object with config.model, inputs and a reported cost', () => {
    const event = onlyEvent(
      createModelEvent(
        {
          model_event: {
            project: 'my-project',
            config: { model: 'my-finetune' },
            inputs: { p: 1 },
            cost: 0.5,
          },
        },
        testContext(),
      ).records,
    );
    expect(event).toMatchObject({
      model: 'my-finetune',
      inputs: { p: 1 },
      cost: 0.5,
      metadata: { cost: 0.5 },
    });
  });

  it('turns a bare string response into outputs.content', () => {
    const event = onlyEvent(
      createModelEvent({ model_event: { model: 'm', response: 'ok' } }, testContext()).records,
    );
    expect(event.outputs).toEqual({ content: 'ok' });
  });

  it.each([
    ['no model_event', { project: 'my-project' }, 'model_event is required'],
    ['a model_event without a model', { model_event: { inputs: {} } }, 'model_event.model is required'],
    [
      'messages that are not an array',
      { model_event: { model: 'm', messages: 'hi' } },
      'model_event.messages must be an array',
    ],
    [
      'a numeric response',
      { model_event: { model: 'm', response: 3 } },
      'model_event.response must be an object',
    ],
    [
      'string token counts',
      { model_event: { model: 'm', usage: { prompt_tokens: '3' } } },
      'model_event.usage.prompt_tokens',
    ],
    ['a negative cost', { model_event: { model: 'm', cost: -1 } }, 'model_event.cost must not be negative'],
    ['a numeric model', { model_event: { model: 4 } }, 'model_event.model must be a string'],
    [
      'another project',
      { model_event: { model: 'm', project: 'x' } },
      'model_event.project names a project other',
    ],
  ])('rejects %s with 400', (_name, body, message) => {
    const error = rejectionOf(() => createModelEvent(body, testContext()));
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });
});

describe('createModelEventBatch (POST /events/model/batch)', () => {
  it('accepts model events in one session', () => {
    const result = createModelEventBatch(
      { model_events: [MODEL_EVENT, { ...MODEL_EVENT, event_name: 'second' }], is_single_session: true },
      testContext(),
    );
    const events = eventsOf(result.records);
    expect(result.partial).toBe(false);
    expect(events.map((event) => event.event_type)).toEqual(['model', 'model']);
    expect((result.response as { session_id: string }).session_id).toBe('s-1');
  });

  it('reports a model event without a model as a partial failure', () => {
    const result = createModelEventBatch(
      { model_events: [MODEL_EVENT, { project: 'my-project' }] },
      testContext(),
    );
    expect(result.partial).toBe(true);
    expect(result.response).toMatchObject({
      success: true,
      errors: ['model_events[1].model is required for a model event (as model or config.model)'],
    });
    expect(eventsOf(result.records)).toHaveLength(1);
  });

  it('rejects a body without model_events', () => {
    const error = rejectionOf(() => createModelEventBatch({ events: [MODEL_EVENT] }, testContext()));
    expect(error.status).toBe(400);
    expect(error.message).toContain('model_events is required');
  });
});
