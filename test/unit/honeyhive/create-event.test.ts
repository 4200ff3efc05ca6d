import { describe, expect, it } from 'vitest';
import { createEvent } from '../../../lambdas/domain/honeyhive';
import { HttpError } from '../../../lambdas/http/errors';
import { INGESTED_AT, onlyEvent, rejectionOf, testContext } from './context';
import { CREATE_EVENT_EXAMPLE, CREATE_EVENT_RESPONSE_EXAMPLE } from './spec-examples';

describe('createEvent (POST /events)', () => {
  it('accepts the spec example, whose event is a JSON-encoded string', () => {
    const ctx = testContext();
    const result = createEvent(CREATE_EVENT_EXAMPLE, ctx);
    const event = onlyEvent(result.records);

    expect(result.partial).toBe(false);
    expect(Object.keys(result.response as object).sort()).toEqual(
      Object.keys(CREATE_EVENT_RESPONSE_EXAMPLE).sort(),
    );
    expect(result.response).toEqual({ success: true, event_id: event.event_id });
    expect(event).toMatchObject({
      org_id: 'org-1',
      workspace_id: 'ws-1',
      project_id: 'proj-1',
      version: ctx.version,
      ingested_at: INGESTED_AT,
      event_type: 'model',
      event_name: 'llm_call',
      source: 'sdk-python',
      inputs: { prompt: 'hello' },
      outputs: { response: 'hi' },
      config: { model: 'gpt-4', temperature: 0.7 },
      model: 'gpt-4',
      provider: null,
      prompt_tokens: 35,
      completion_tokens: 23,
      // total computed from prompt + completion; the reported cost is kept, not re-priced.
      total_tokens: 58,
      cost: 0.00008,
      start_time: 1700000000000,
      end_time: 1700000001500,
      duration: 1500,
      error: null,
      deleted: false,
    });
  });

  it('accepts the event as an object, as SDKs send it, with the same result', () => {
    const fromString = onlyEvent(createEvent(CREATE_EVENT_EXAMPLE, testContext()).records);
    const asObject = { event: JSON.parse(CREATE_EVENT_EXAMPLE.event) };
    expect(onlyEvent(createEvent(asObject, testContext()).records)).toEqual(fromString);
  });

  it('fills the defaults the spec describes', () => {
    const event = onlyEvent(
      createEvent({ event: { event_type: 'tool', inputs: {} } }, testContext()).records,
    );
    expect(event).toMatchObject({
      event_id: 'id-2',
      session_id: 'id-1',
      parent_id: 'id-1',
      children_ids: [],
      event_name: 'unknown',
      source: 'unknown',
      start_time: INGESTED_AT,
      end_time: INGESTED_AT,
      duration: 0,
      model: null,
      prompt_tokens: null,
      total_tokens: null,
      cost: null,
      config: {},
      outputs: {},
      metadata: {},
      metrics: {},
      feedback: {},
      user_properties: {},
    });
  });

  it('keeps client ids and links to the given parent', () => {
    const event = onlyEvent(
      createEvent(
        {
          event: {
            event_type: 'chain',
            inputs: { q: 1 },
            event_id: 'e-1',
            session_id: 's-1',
            parent_id: 'p-1',
            children_ids: ['c-1', 'c-2'],
          },
        },
        testContext(),
      ).records,
    );
    expect(event).toMatchObject({
      event_id: 'e-1',
      session_id: 's-1',
      parent_id: 'p-1',
      children_ids: ['c-1', 'c-2'],
    });
  });

  it('treats null optional fields as absent (the Python SDK sends them)', () => {
    const event = onlyEvent(
      createEvent(
        {
          event: {
            event_type: 'tool',
            inputs: {},
            parent_id: null,
            error: null,
            outputs: null,
            metadata: null,
          },
        },
        testContext(),
      ).records,
    );
    expect(event).toMatchObject({ parent_id: event.session_id, error: null, outputs: {}, metadata: {} });
  });

  it('prices a known model from the table when no cost was reported', () => {
    const event = onlyEvent(
      createEvent(
        {
          event: {
            event_type: 'model',
            inputs: {},
            config: { model: 'gpt-4o', provider: 'openai' },
            metadata: { prompt_tokens: 1000, completion_tokens: 1000 },
          },
        },
        testContext(),
      ).records,
    );
    expect(event.provider).toBe('openai');
    expect(event.total_tokens).toBe(2000);
    expect(event.cost).toBeGreaterThan(0);
  });

  it('makes a session event its own session', () => {
    const event = onlyEvent(
      createEvent({ event: { event_type: 'session', inputs: {} } }, testContext()).records,
    );
    expect(event.event_id).toBe('id-1');
    expect(event.session_id).toBe('id-1');
    expect(event.parent_id).toBeNull();
  });

  describe('timing', () => {
    const timed = (fields: object) =>
      onlyEvent(createEvent({ event: { event_type: 'tool', inputs: {}, ...fields } }, testContext()).records);

    it('start + duration gives the end', () => {
      expect(timed({ start_time: 1000, duration: 250 })).toMatchObject({
        start_time: 1000,
        end_time: 1250,
        duration: 250,
      });
    });
    it('end + duration gives the start', () => {
      expect(timed({ end_time: 1000, duration: 250 })).toMatchObject({
        start_time: 750,
        end_time: 1000,
        duration: 250,
      });
    });
    it('start and end win over a disagreeing duration', () => {
      expect(timed({ start_time: 1000, end_time: 1100, duration: 5 })).toMatchObject({ duration: 100 });
    });
    it('duration alone starts at ingestion', () => {
      expect(timed({ duration: 40 })).toMatchObject({ start_time: INGESTED_AT, end_time: INGESTED_AT + 40 });
    });
    it('an end before the start is rejected', () => {
      const error = rejectionOf(() => timed({ start_time: 2000, end_time: 1000 }));
      expect(error.status).toBe(400);
      expect(error.message).toContain('event.end_time');
    });
  });

  describe('rejects bad input with 400 naming the field', () => {
    const cases: Array<[string, unknown, string]> = [
      ['a body that is not an object', [], 'body'],
      ['a missing event', {}, 'event is required'],
      ['an event string that is not JSON', { event: '{oops' }, 'event is a string but not valid JSON'],
      ['an event string that encodes an array', { event: '[1]' }, 'event must encode a JSON object'],
      ['a missing event_type', { event: { inputs: {} } }, 'event.event_type is required'],
      [
        'an unknown event_type',
        { event: { event_type: 'span', inputs: {} } },
        'event.event_type must be one of',
      ],
      ['missing inputs', { event: { event_type: 'tool' } }, 'event.inputs is required'],
      [
        'inputs that are not an object',
        { event: { event_type: 'tool', inputs: 'x' } },
        'event.inputs must be an object',
      ],
      [
        'a numeric event_id',
        { event: { event_type: 'tool', inputs: {}, event_id: 7 } },
        'event.event_id must be a string',
      ],
      [
        'an empty session_id',
        { event: { event_type: 'tool', inputs: {}, session_id: '' } },
        'event.session_id must not be empty',
      ],
      [
        'an over-long event_id',
        { event: { event_type: 'tool', inputs: {}, event_id: 'x'.repeat(129) } },
        'event.event_id is longer than 128',
      ],
      [
        'children_ids with a number',
        { event: { event_type: 'tool', inputs: {}, children_ids: ['a', 1] } },
        'event.children_ids[1]',
      ],
      [
        'a negative duration',
        { event: { event_type: 'tool', inputs: {}, duration: -1 } },
        'event.duration must not be negative',
      ],
      [
        'a string start_time',
        { event: { event_type: 'tool', inputs: {}, start_time: '1' } },
        'event.start_time must be a finite number',
      ],
      [
        'a start_time past the year 9999',
        { event: { event_type: 'tool', inputs: {}, start_time: 1e16 } },
        'event.start_time',
      ],
      [
        'another project',
        { event: { event_type: 'tool', inputs: {}, project: 'other' } },
        'event.project names a project other',
      ],
      [
        'a session event whose ids disagree',
        { event: { event_type: 'session', inputs: {}, event_id: 'a', session_id: 'b' } },
        'event.event_id of a session event must equal its session_id',
      ],
    ];
    it.each(cases)('%s', (_name, body, message) => {
      const error = rejectionOf(() => createEvent(body, testContext()));
      expect(error).toBeInstanceOf(HttpError);
      expect(error.status).toBe(400);
      expect(error.message).toContain(message);
    });

    it('deeply nested JSON inside the event string', () => {
      const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
      const error = rejectionOf(() =>
        createEvent({ event: `{"event_type":"tool","inputs":{"a":${deep}}}` }, testContext()),
      );
      expect(error.status).toBe(400);
      expect(error.message).toContain('nested deeper than 64');
    });
  });

  it('accepts the project named by the key, by name or by id', () => {
    for (const project of ['my-project', 'proj-1']) {
      const result = createEvent({ event: { event_type: 'tool', inputs: {}, project } }, testContext());
      expect(onlyEvent(result.records).project_id).toBe('proj-1');
    }
  });

  it('ignores tenant fields in the body: the tenant comes from the key', () => {
    const event = onlyEvent(
      createEvent(
        { event: { event_type: 'tool', inputs: {}, project_id: 'evil', org_id: 'evil', tenant: 'evil' } },
        testContext(),
      ).records,
    );
    expect([event.org_id, event.workspace_id, event.project_id]).toEqual(['org-1', 'ws-1', 'proj-1']);
  });
});
