import { Event$inboundSchema } from 'honeyhive/models/components/event.js';
import { GetEventsResponseBody$inboundSchema } from 'honeyhive/models/operations/getevents.js';
import { describe, expect, it } from 'vitest';
import type { SessionNode, SessionResult, StoredEvent } from '../../../lambdas/domain/query/types';
import {
  chartResponse,
  deletionResponse,
  eventNodeResponse,
  eventsResponse,
  sessionResponse,
} from '../../../lambdas/domain/read-api/responses';
import {
  DELETION,
  EVENT_LIST,
  EXPORTED_EVENT,
  expectConforms,
  SESSION_NODE,
  SESSION_ROLLUPS,
} from '../../support/honeyhive-response-contract';
import { READ_PRINCIPAL as principal } from '../../support/read-api-fixtures';
import { storedEventFixture } from '../../support/stored-event';

/**
 * Two independent checks of each answer: the contract's required keys and declared types (written
 * out in test/support/honeyhive-response-contract.ts), and the honeyhive client's own zod schemas,
 * which are what a HoneyHive SDK user's code runs every response through.
 */

function storedEvent(overrides: Partial<StoredEvent>): StoredEvent {
  return storedEventFixture(
    { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' },
    {
      event_id: 'e-1',
      parent_id: 's-1',
      event_type: 'model',
      event_name: 'chat',
      source: 'sdk',
      end_time: 1500,
      duration: 500,
      model: 'gpt-4o',
      provider: 'openai',
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      cost: 0.01,
      inputs: { q: 'hi' },
      outputs: { a: 'hello' },
      metadata: { env: 'prod' },
      ingested_at: 2000,
      inputs_ref: 'payloads/x',
      outputs_ref: null,
      ...overrides,
    },
  );
}

function node(event: StoredEvent, children: SessionNode[] = []): SessionNode {
  return { ...event, children };
}

describe('export responses', () => {
  it('GetEventsLegacyResponse: events with the project name, totalEvents; no storage bookkeeping', () => {
    const body = eventsResponse(
      {
        events: [storedEvent({}), storedEvent({ event_id: 'e-2', parent_id: null, error: 'boom' })],
        totalEvents: 9,
      },
      principal,
    );
    expect(Object.keys(body).sort()).toEqual([...EVENT_LIST.required].sort());
    expect(body.totalEvents).toBe(9);
    expect(GetEventsResponseBody$inboundSchema.parse(body)).toMatchObject({ totalEvents: 9 });
    for (const event of body.events) {
      expectConforms(event, EXPORTED_EVENT);
      Event$inboundSchema.parse(event);
      expect(event.project).toBe('my-app');
      expect(event).not.toHaveProperty('inputs_ref');
      expect(event).not.toHaveProperty('outputs_ref');
      expect(event).not.toHaveProperty('deleted');
    }
    expect(body.events[1]).not.toHaveProperty('parent_id');
    expect(body.events[1]?.error).toBe('boom');
  });

  it('keeps a projection to its fields (plus the required project)', () => {
    const body = eventsResponse({ events: [{ event_id: 'e-1', cost: 0.5 }], totalEvents: 1 }, principal);
    expect(body.events).toEqual([{ project: 'my-app', event_id: 'e-1', cost: 0.5 }]);
    expect(Object.keys(body).sort()).toEqual([...EVENT_LIST.required].sort());
    GetEventsResponseBody$inboundSchema.parse(body);
  });
});

describe('session responses', () => {
  const session = storedEvent({
    event_id: 's-1',
    parent_id: null,
    event_type: 'session',
    event_name: 'run',
    metadata: { env: 'prod' },
  });
  const chain = storedEvent({
    event_id: 'c-1',
    parent_id: 's-1',
    event_type: 'chain',
    event_name: 'pipeline',
    start_time: 1100,
  });
  const model = storedEvent({ event_id: 'm-1', parent_id: 'c-1', error: null });
  const result: SessionResult = {
    root: node(session, [node(chain, [node(model)])]),
    rollup: {
      num_events: 3,
      num_model_events: 1,
      has_feedback: false,
      cost: 0.03,
      total_tokens: 45,
      prompt_tokens: 30,
      completion_tokens: 15,
      start_time: 900,
      end_time: 4000,
      duration: 3100,
    },
  };

  it('GetSessionResponse: the root with children nested and the rollups in metadata', () => {
    const body = sessionResponse(result, principal);
    expectConforms(body, SESSION_NODE);
    Event$inboundSchema.parse(body);
    // The session's times come from the rollup; its other rollups join the session's metadata.
    const { start_time, end_time, duration, ...rollups } = result.rollup;
    expect(body).toMatchObject({
      event_id: 's-1',
      start_time,
      end_time,
      duration,
      org_id: 'org-1',
      project_id: 'proj-1',
    });
    expect(body.metadata).toEqual({ env: 'prod', ...rollups });
    expectConforms(body.metadata, SESSION_ROLLUPS);
    const chainNode = (body.children as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
    expect(chainNode.event_id).toBe('c-1');
    const [modelNode] = chainNode.children as Array<Record<string, unknown>>;
    expect(modelNode).toMatchObject({ event_id: 'm-1', children: [] });
    // The spec types error and parent_id as strings: unset ones are left out, not null.
    expect(modelNode).not.toHaveProperty('error');
    expect(body).not.toHaveProperty('parent_id');
    expect(modelNode).not.toHaveProperty('inputs_ref');
    for (const child of [chainNode, modelNode]) {
      expectConforms(child, SESSION_NODE);
      Event$inboundSchema.parse(child);
    }
  });

  it('GetEventsBySessionIdResponse: an event answers in the session node shape', () => {
    const body = eventNodeResponse(model, principal);
    expectConforms(body, SESSION_NODE);
    Event$inboundSchema.parse(body);
    expect(body.children).toEqual([]);
  });

  it('shapes a deep parent chain without recursion', () => {
    let deepest = node(storedEvent({ event_id: 'leaf' }));
    for (let depth = 0; depth < 20_000; depth++)
      deepest = node(storedEvent({ event_id: `n${depth}` }), [deepest]);
    let cursor = sessionResponse({ root: deepest, rollup: result.rollup }, principal);
    let depth = 0;
    while ((cursor.children as unknown[]).length > 0) {
      cursor = (cursor.children as Array<Record<string, unknown>>)[0] as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(20_000);
    expect(cursor.event_id).toBe('leaf');
  });
});

describe('chart and deletion responses', () => {
  it('GetEventsChartResponse: events are the points', () => {
    const body = chartResponse({
      events: [{ bucket: 0, value: 2, count: 3, group: 'gpt-4o' }],
      totalEvents: 3,
    });
    expect(Object.keys(body).sort()).toEqual([...EVENT_LIST.required].sort());
    expectConforms(body, EVENT_LIST);
    expect(body.events).toEqual([{ bucket: 0, value: 2, count: 3, group: 'gpt-4o' }]);
  });

  it('DeleteEventResponse and DeleteSessionResponse', () => {
    const body = deletionResponse('e-1');
    expectConforms(body, DELETION);
    expect(body).toEqual({ success: true, deleted: 'e-1' });
  });
});
