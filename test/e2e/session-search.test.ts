/**
 * The console's reads end to end on the local platform. POST /v1/sessions/search: sessions sent
 * through HoneyHive's REST intake and as OTLP spans (no session event: the search shows them as
 * `session`) come back one row each with their rollups, sorted by cost and by num_events, filtered
 * on the session event's metadata, paged; a bad request is a 400. Exports sorted by a column
 * (`sortBy`, `sortOrder`) page stably.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  SessionSearchResult as Answer,
  SessionSummary as Summary,
} from '../../lambdas/domain/read-api/wire-types';
import { agentTrace, exportSpans, otlpHttpTo } from '../support/otel-spans';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const local = platformForFile('waggle-session-search-', {
  writer: { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 },
});
let api: ReturnType<typeof readApi>;
const ids: Record<'acme' | 'globex' | 'idle', string> = { acme: '', globex: '', idle: '' };

async function search(body: unknown): Promise<Answer> {
  const response = await api.post('/v1/sessions/search', body);
  if (response.status !== 200)
    throw new Error(`search answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Answer;
}

async function startSession(name: string, customer: string): Promise<string> {
  const started = await api.post('/session/start', {
    session: { session_name: name, metadata: { customer }, user_properties: { plan: 'pro' } },
  });
  expect(started.status).toBe(200);
  return ((await started.json()) as { session_id: string }).session_id;
}

beforeAll(async () => {
  api = readApi(local.platform.url, local.platform.apiKey);

  ids.acme = await startSession('checkout', 'acme');
  ids.globex = await startSession('support', 'globex');
  ids.idle = await startSession('checkout', 'acme');
  const now = Date.now();
  const batch = await api.post('/events/batch', {
    events: [
      {
        event_type: 'model',
        event_name: 'completion',
        session_id: ids.acme,
        inputs: { prompt: 'hi' },
        config: { model: 'gpt-4o-mini', provider: 'openai' },
        metadata: { cost: 0.5, prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
        start_time: now,
        duration: 100,
      },
      {
        event_type: 'tool',
        event_name: 'lookup',
        session_id: ids.acme,
        inputs: {},
        error: 'boom',
        start_time: now + 200,
      },
      { event_type: 'tool', event_name: 'lookup', session_id: ids.acme, inputs: {}, start_time: now + 300 },
      {
        event_type: 'chain',
        event_name: 'plan',
        session_id: ids.acme,
        inputs: {},
        start_time: now + 400,
        duration: 5_000,
      },
      {
        event_type: 'model',
        event_name: 'completion',
        session_id: ids.globex,
        inputs: { prompt: 'hi' },
        config: { model: 'gpt-4o', provider: 'openai' },
        metadata: { cost: 2, total_tokens: 40 },
        start_time: now,
      },
    ],
  });
  expect(batch.status, await batch.clone().text()).toBe(200);

  await exportSpans(
    new OTLPTraceExporter(otlpHttpTo(local.platform)),
    agentTrace({ model: 'gpt-4o', conversation: 'conv-search', inputTokens: 2000, outputTokens: 1000 }),
    'search-app',
    'search',
  );

  // Everything written: 4 sessions, the REST ones with their events.
  await eventually(async () => {
    const answer = await search({ sortBy: 'num_events' });
    return answer.totalSessions === 4 &&
      answer.sessions[0]?.num_events === 4 &&
      answer.sessions[1]?.num_events === 3
      ? answer
      : undefined;
  }, 20_000);
}, 60_000);

describe('POST /v1/sessions/search on the local platform', () => {
  it('sorts by num_events with the rollups of each session, OTLP sessions included', async () => {
    const answer = await search({ sortBy: 'num_events', sortOrder: 'desc' });
    expect(answer.totalSessions).toBe(4);
    expect(answer.sessions.map((s) => s.session_id)).toEqual([ids.acme, 'conv-search', ids.globex, ids.idle]);
    const [acme, otlp, globex, idle] = answer.sessions as [Summary, Summary, Summary, Summary];
    expect(acme).toMatchObject({
      event_name: 'checkout',
      num_events: 4,
      cost: 0.5,
      total_tokens: 150,
      errors: 1,
      metadata: { customer: 'acme' },
      user_properties: { plan: 'pro' },
    });
    // The chain event runs 5 s: the session spans it.
    expect(acme.end_time - acme.start_time).toBe(acme.duration);
    expect(acme.duration).toBeGreaterThanOrEqual(5_000);
    expect(otlp).toMatchObject({ event_name: 'session', num_events: 3, total_tokens: 3000, errors: 0 });
    expect(otlp.cost).toBeGreaterThan(0);
    expect(globex).toMatchObject({ event_name: 'support', num_events: 1, cost: 2, total_tokens: 40 });
    expect(idle).toMatchObject({
      event_name: 'checkout',
      num_events: 0,
      cost: 0,
      total_tokens: 0,
      errors: 0,
    });
  });

  it('sorts by cost either way, and pages stably', async () => {
    const desc = await search({ sortBy: 'cost' });
    expect(desc.sessions.map((s) => s.session_id)).toEqual([ids.globex, ids.acme, 'conv-search', ids.idle]);
    const asc = await search({ sortBy: 'cost', sortOrder: 'asc' });
    expect(asc.sessions.map((s) => s.session_id)).toEqual([ids.idle, 'conv-search', ids.acme, ids.globex]);
    const second = await search({ sortBy: 'cost', limit: 2, page: 2 });
    expect(second).toEqual({ sessions: desc.sessions.slice(2), totalSessions: 4 });
  });

  it('filters on the session event: metadata, event_name, and a dateRange on the session start', async () => {
    const acme = await search({
      filters: [{ field: 'metadata.customer', operator: 'is', value: 'acme', type: 'string' }],
      sortBy: 'num_events',
    });
    expect(acme.totalSessions).toBe(2);
    expect(acme.sessions.map((s) => s.session_id)).toEqual([ids.acme, ids.idle]);
    const support = await search({ filters: [{ field: 'event_name', operator: 'is', value: 'support' }] });
    expect(support.sessions.map((s) => s.session_id)).toEqual([ids.globex]);
    const longAgo = await search({ dateRange: { $gte: '2020-01-01', $lte: '2020-01-02' } });
    expect(longAgo).toEqual({ sessions: [], totalSessions: 0 });
  });

  it('exports sorted by cost, either way, missing costs last, and by event_name with stable pages', async () => {
    const costs = async (sortOrder: string) =>
      (
        (await (await api.post('/v1/events/export', { sortBy: 'cost', sortOrder, limit: 100 })).json()) as {
          events: Array<{ cost?: number | null }>;
        }
      ).events.map((event) => event.cost ?? null);
    const desc = await costs('desc');
    const asc = await costs('asc');
    const known = (list: Array<number | null>) => list.filter((cost): cost is number => cost !== null);
    expect(known(desc)).toEqual([...known(desc)].sort((a, b) => b - a));
    expect(known(asc)).toEqual([...known(asc)].sort((a, b) => a - b));
    expect(desc[0]).toBe(2);
    // Missing values come last in both orders.
    for (const list of [desc, asc])
      expect(list.slice(known(list).length).every((cost) => cost === null)).toBe(true);

    const page = async (number: number) =>
      (await (
        await api.post('/v1/events/export', {
          sortBy: 'event_name',
          sortOrder: 'asc',
          limit: 3,
          page: number,
        })
      ).json()) as {
        events: Array<{ event_id: string; event_name: string }>;
        totalEvents: number;
      };
    const first = await page(1);
    const ids: string[] = [];
    const names: string[] = [];
    for (let number = 1; number <= Math.ceil(first.totalEvents / 3); number++) {
      const events = (await page(number)).events;
      ids.push(...events.map((event) => event.event_id));
      names.push(...events.map((event) => event.event_name));
    }
    expect(ids).toHaveLength(first.totalEvents);
    expect(new Set(ids).size).toBe(ids.length);
    expect(names).toEqual([...names].sort());

    const bad = await api.post('/v1/events/export', { sortBy: 'metadata.customer' });
    expect(bad.status).toBe(400);
    const badGet = await api.request('GET', '/events?sortBy=cost&sortOrder=sideways');
    expect(badGet.status).toBe(400);
    const get = await api.request('GET', '/events?sortBy=cost&sortOrder=desc&limit=1');
    expect(((await get.json()) as { events: Array<{ cost: number }> }).events[0]?.cost).toBe(2);
  });

  it('leaves out a deleted session', async () => {
    expect((await api.request('DELETE', `/v1/sessions/${ids.idle}`)).status).toBe(200);
    await eventually(async () => {
      const answer = await search({});
      return answer.totalSessions === 3 ? answer : undefined;
    });
  });

  it('answers 400 for a bad sortBy, limit or filter field', async () => {
    for (const body of [
      { sortBy: 'model' },
      { limit: 501 },
      { filters: [{ field: 'metadata.__proto__"x', operator: 'exists' }] },
    ]) {
      const response = await api.post('/v1/sessions/search', body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/sortBy|limit|field/);
    }
  });
});
