import { describe, expect, it } from 'vitest';
import { createEventBatch, MAX_BATCH_EVENTS } from '../../../lambdas/domain/honeyhive';
import { eventsOf, rejectionOf, testContext } from './context';
import { BATCH_PARTIAL_RESPONSE_EXAMPLE, BATCH_RESPONSE_EXAMPLE } from './spec-examples';

const [FIRST_ID, SECOND_ID] = BATCH_RESPONSE_EXAMPLE.event_ids;
const SESSION_ID = BATCH_RESPONSE_EXAMPLE.session_id;

const tool = (fields: object = {}) => ({
  project: 'my-project',
  event_type: 'tool',
  inputs: { q: 1 },
  ...fields,
});

describe('createEventBatch (POST /events/batch)', () => {
  it('accepts independent events, each in its own new session', () => {
    const result = createEventBatch(
      { events: [tool({ event_id: FIRST_ID }), tool({ event_id: SECOND_ID })] },
      testContext(),
    );
    const events = eventsOf(result.records);

    expect(result.partial).toBe(false);
    expect(result.response).toEqual({ event_ids: [FIRST_ID, SECOND_ID], success: true });
    expect(events.map((event) => event.event_id)).toEqual([FIRST_ID, SECOND_ID]);
    expect(new Set(events.map((event) => event.session_id)).size).toBe(2);
  });

  it('with is_single_session and session_properties, emits the session first and puts every event in it', () => {
    const result = createEventBatch(
      {
        events: [
          tool({ event_id: FIRST_ID, start_time: 1000, duration: 10 }),
          tool({ event_id: SECOND_ID, start_time: 2000, duration: 30 }),
        ],
        is_single_session: true,
        session_properties: {
          session_id: SESSION_ID,
          session_name: 'batch run',
          user_properties: { user: 'u' },
        },
      },
      testContext(),
    );
    const [session, ...events] = eventsOf(result.records);

    expect(result.partial).toBe(false);
    expect(Object.keys(result.response as object).sort()).toEqual(Object.keys(BATCH_RESPONSE_EXAMPLE).sort());
    expect(result.response).toEqual(BATCH_RESPONSE_EXAMPLE);
    expect(session).toMatchObject({
      event_type: 'session',
      event_id: SESSION_ID,
      session_id: SESSION_ID,
      event_name: 'batch run',
      user_properties: { user: 'u' },
      // A generated session spans the events it holds.
      start_time: 1000,
      end_time: 2030,
      duration: 1030,
    });
    for (const event of events)
      expect(event).toMatchObject({ session_id: SESSION_ID, parent_id: SESSION_ID });
  });

  it('with is_single_session and no properties, creates and emits a new session', () => {
    const result = createEventBatch({ events: [tool(), tool()], is_single_session: true }, testContext());
    const [session, ...events] = eventsOf(result.records);
    expect(session?.event_type).toBe('session');
    expect(session?.event_name).toBe('my-project');
    expect((result.response as { session_id: string }).session_id).toBe(session?.session_id);
    expect(events.map((event) => event.session_id)).toEqual([session?.session_id, session?.session_id]);
  });

  it('with is_single_session, continues the session an event names without re-emitting it', () => {
    const result = createEventBatch(
      {
        events: [tool(), tool({ session_id: 'existing' }), tool({ session_id: 'other' })],
        is_single_session: true,
      },
      testContext(),
    );
    const events = eventsOf(result.records);
    expect(events).toHaveLength(3);
    expect(events.every((event) => event.session_id === 'existing' && event.event_type === 'tool')).toBe(
      true,
    );
  });

  it('with is_single_session, does not duplicate a session event the batch already carries', () => {
    const result = createEventBatch(
      {
        events: [{ event_type: 'session', inputs: {} }, tool()],
        is_single_session: true,
        session_properties: {},
      },
      testContext(),
    );
    const events = eventsOf(result.records);
    expect(events.map((event) => event.event_type)).toEqual(['session', 'tool']);
    expect(events[0]?.event_id).toBe((result.response as { session_id: string }).session_id);
  });

  it('ignores session_properties without is_single_session', () => {
    const result = createEventBatch(
      { events: [tool()], session_properties: { session_name: 'x' } },
      testContext(),
    );
    expect(eventsOf(result.records).map((event) => event.event_type)).toEqual(['tool']);
  });

  it('accepts the valid events of a partly invalid batch and answers with the spec partial-failure shape', () => {
    const result = createEventBatch(
      {
        events: [tool({ event_id: FIRST_ID }), { event_type: 'tool' }, tool({ event_id: SECOND_ID }), 'junk'],
      },
      testContext(),
    );
    const response = result.response as typeof BATCH_PARTIAL_RESPONSE_EXAMPLE;

    expect(result.partial).toBe(true);
    expect(Object.keys(response).sort()).toEqual(Object.keys(BATCH_PARTIAL_RESPONSE_EXAMPLE).sort());
    expect(response.success).toBe(true);
    expect(response.event_ids).toEqual([FIRST_ID, SECOND_ID]);
    expect(response.errors).toEqual([
      'events[1].inputs is required (an object)',
      'events[3] must be an object, got string',
    ]);
    expect(eventsOf(result.records).map((event) => event.event_id)).toEqual([FIRST_ID, SECOND_ID]);
  });

  it('accepts an empty batch and records nothing', () => {
    const result = createEventBatch({ events: [] }, testContext());
    expect(result).toEqual({ records: [], response: { event_ids: [], success: true }, partial: false });
  });

  it(`takes ${MAX_BATCH_EVENTS} events and refuses one more`, () => {
    const full = createEventBatch(
      { events: Array.from({ length: MAX_BATCH_EVENTS }, () => tool()) },
      testContext(),
    );
    expect(full.records).toHaveLength(MAX_BATCH_EVENTS);
    const error = rejectionOf(() =>
      createEventBatch({ events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => tool()) }, testContext()),
    );
    // Too much work for one request is a 413 naming the limit, as the OTLP limits are.
    expect(error.status).toBe(413);
    expect(error.message).toContain(`at most ${MAX_BATCH_EVENTS}`);
    expect(error.message).toContain('MAX_BATCH_EVENTS');
  });

  it.each([
    ['a body that is an array', [tool()], 'body must be an object'],
    ['no events', {}, 'events is required'],
    ['events that are an object', { events: {} }, 'events must be an array'],
    [
      'a string is_single_session',
      { events: [tool()], is_single_session: 'yes' },
      'is_single_session must be a boolean',
    ],
    [
      'session_properties that are a list',
      { events: [tool()], is_single_session: true, session_properties: [] },
      'session_properties must be an object',
    ],
    [
      'a bad session id in session_properties',
      { events: [tool()], is_single_session: true, session_properties: { session_id: 3 } },
      'session_properties.session_id must be a string',
    ],
    [
      'a batch in which no event is valid',
      { events: [{}, tool({ project: 'other' })] },
      'no item of events is valid',
    ],
  ])('rejects %s with 400 and records nothing', (_name, body, message) => {
    const error = rejectionOf(() => createEventBatch(body, testContext()));
    expect(error.status).toBe(400);
    expect(error.message).toContain(message);
  });
});
