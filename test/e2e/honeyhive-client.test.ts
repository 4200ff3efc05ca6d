/**
 * The HoneyHive contract checked with HoneyHive's own client (honeyhive@1.0.42) against the local
 * platform: its intake calls (startSession, createEvent, createModelEvent, createEventBatch,
 * createModelEventBatch, updateEvent) and reads (getEvents, getSession) run through its zod schemas, so
 * a wrong answer shape throws. The client has no call for the chart, GET /events, an event by id or
 * the deletions; those are read with fetch and checked against the written-out contract and the
 * client's Event schema.
 */
import { Event$inboundSchema } from 'honeyhive/models/components/event.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import {
  DELETION,
  EVENT_LIST,
  EXPORTED_EVENT,
  expectConforms,
  SESSION_NODE,
  SESSION_ROLLUPS,
} from '../support/honeyhive-response-contract';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROJECT = 'default';
const local = platformForFile('waggle-hh-client-', {
  projectName: PROJECT,
  writer: { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 },
});
let honeyhive: RecordingClient;

beforeAll(() => {
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
});

const sessionFilter = (sessionId: string) => [
  { field: 'session_id', operator: 'is' as const, value: sessionId, type: 'string' as const },
];

describe('the honeyhive client against the local platform', () => {
  let sessionId = '';
  let eventId = '';
  /** An event of the run's session, a child of its root, as createEvent and createEventBatch take it. */
  const inSession = <Fields extends { eventName: string; eventType: 'tool' | 'chain' }>(fields: Fields) => ({
    project: PROJECT,
    source: 'honeyhive-ts',
    sessionId,
    parentId: sessionId,
    config: {},
    ...fields,
  });
  /** One prompt and its answer, as createModelEvent and createModelEventBatch take them. */
  const openAiChat = (model: string, prompt: string, answer: string) => ({
    project: PROJECT,
    model,
    provider: 'openai',
    messages: [{ role: 'user', content: prompt }],
    response: { role: 'assistant', content: answer },
  });

  it('writes a session and its events through every intake call', async () => {
    const { client } = honeyhive;
    const started = await client.session.startSession({
      session: {
        project: PROJECT,
        sessionName: 'client run',
        source: 'honeyhive-ts',
        metadata: { env: 'e2e' },
      },
    });
    expect(started.sessionId).toMatch(/\S/);
    sessionId = started.sessionId as string;

    const created = await client.events.createEvent({
      event: inSession({
        eventName: 'retrieve',
        eventType: 'tool',
        inputs: { query: 'bees' },
        outputs: { docs: 2 },
        duration: 12,
      }),
    });
    expect(created).toMatchObject({ success: true, eventId: expect.any(String) });
    eventId = created.eventId as string;

    const model = await client.events.createModelEvent({
      modelEvent: {
        ...openAiChat('gpt-4o-mini', 'hi', 'hello'),
        duration: 80,
        usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 },
        source: 'honeyhive-ts',
      },
    });
    expect(model).toMatchObject({ success: true, eventId: expect.any(String) });

    const batch = await client.events.createEventBatch({
      events: ['step 1', 'step 2'].map((eventName) =>
        inSession({ eventName, eventType: 'chain', inputs: {}, duration: 5 }),
      ),
    });
    expect(batch.eventIds).toHaveLength(2);
    expect(batch.success).toBe(true);

    const modelBatch = await client.events.createModelEventBatch({
      modelEvents: [
        {
          ...openAiChat('gpt-4o', 'again', 'sure'),
          duration: 30,
          usage: { prompt_tokens: 3, completion_tokens: 2 },
        },
      ],
    });
    expect(modelBatch.eventIds).toHaveLength(1);

    await expect(
      client.events.updateEvent({ eventId, feedback: { rating: 5 }, metadata: { reviewed: true } }),
    ).resolves.toBeUndefined();
  });

  it('reads them back with getEvents and getSession', async () => {
    const { client } = honeyhive;
    const page = await eventually(async () => {
      const answer = await client.events.getEvents({
        project: PROJECT,
        filters: sessionFilter(sessionId),
        limit: 100,
      });
      const updated = answer.events?.find((event) => event.eventId === eventId);
      return (answer.events?.length ?? 0) >= 4 && updated?.feedback?.rating === 5 ? answer : undefined;
    });
    expect(page.totalEvents).toBe(page.events?.length);
    const raw = honeyhive.lastBody() as { events: unknown[] };
    expectConforms(raw, EVENT_LIST);
    for (const event of raw.events) expectConforms(event, EXPORTED_EVENT);
    expect(page.events?.find((event) => event.eventId === eventId)?.metadata).toMatchObject({
      reviewed: true,
    });

    const session = await client.session.getSession(sessionId);
    expect(session).toMatchObject({ eventId: sessionId, eventType: 'session', eventName: 'client run' });
    const tree = honeyhive.lastBody() as { children: unknown[]; metadata: unknown };
    expectConforms(tree, SESSION_NODE);
    expectConforms(tree.metadata, SESSION_ROLLUPS);
    expect(tree.children.length).toBeGreaterThanOrEqual(3);
  });

  it('answers the routes the client has no call for in the contract shapes', async () => {
    const api = readApi(local.platform.url, local.platform.apiKey);
    const byId = await api.request('GET', `/v1/events/${encodeURIComponent(eventId)}`);
    expect(byId.status).toBe(200);
    const node = await byId.json();
    expectConforms(node, SESSION_NODE);
    expect(Event$inboundSchema.parse(node)).toMatchObject({ eventId, eventType: 'tool' });

    const chart = await api.request('GET', `/v1/events/chart?metric=duration&aggregation=count&bucket=hour`);
    expect(chart.status).toBe(200);
    expectConforms(await chart.json(), EVENT_LIST);

    const legacy = await api.request(
      'GET',
      `/events?filters=${encodeURIComponent(JSON.stringify(sessionFilter(sessionId)))}`,
    );
    expect(legacy.status).toBe(200);
    expectConforms(await legacy.json(), EVENT_LIST);

    const deleted = await api.request('DELETE', `/v1/events/${encodeURIComponent(eventId)}`);
    expect(deleted.status).toBe(200);
    const deletion = await deleted.json();
    expectConforms(deletion, DELETION);
    expect(deletion).toEqual({ success: true, deleted: eventId });
    await eventually(async () => {
      const answer = await honeyhive.client.events.getEvents({
        project: PROJECT,
        filters: sessionFilter(sessionId),
      });
      return answer.events?.some((event) => event.eventId === eventId) ? undefined : answer;
    });

    const sessionDeleted = await api.request('DELETE', `/v1/sessions/${encodeURIComponent(sessionId)}`);
    expect(sessionDeleted.status).toBe(200);
    expect(await sessionDeleted.json()).toEqual({ success: true, deleted: sessionId });
    await eventually(async () => ((await api.session(sessionId)).status === 404 ? true : undefined));
  });
});
