/**
 * Answers stay within Lambda's 6 MB response payload: an export page is cut by bytes and says how to
 * continue in the client's own paging; single-event and session reads put full payloads back only
 * while the answer fits; gzip when the client accepts it (base64 with isBase64Encoded).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../lambdas/domain/auth/api-key';
import type { Tenant, WaggleEvent } from '../../../lambdas/domain/events/event';
import { buildSession } from '../../../lambdas/domain/query/session-tree';
import type {
  EventQueryService,
  ExportQuery,
  ExportResult,
  SessionResult,
  SessionSearchQuery,
  SessionSearchResult,
  SessionSummary,
  StoredEvent,
} from '../../../lambdas/domain/query/types';
import {
  LAMBDA_RESPONSE_LIMIT_BYTES,
  lambdaPayloadBytes,
  RESPONSE_BODY_BUDGET_BYTES,
} from '../../../lambdas/domain/read-api/response-budget';
import { payloadKey } from '../../../lambdas/domain/store/layout';
import { acceptsGzip } from '../../../lambdas/http/response-encoding';
import { createQueryApiHandler, type QueryApiHandler } from '../../../lambdas/query-api/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';
import { storedEventFixture } from '../../support/stored-event';

const KEY = generateApiKey();
const TENANT: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const OUTPUT_CHARS = 31_000;

function storedEvent(id: string, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return storedEventFixture(TENANT, {
    event_id: id,
    session_id: 'sess',
    parent_id: 'sess',
    event_type: 'model',
    event_name: 'chat',
    source: 'sdk',
    end_time: 2_000,
    duration: 1_000,
    model: 'gpt-4o',
    provider: 'openai',
    prompt_tokens: 10,
    completion_tokens: 900,
    total_tokens: 910,
    cost: 0.01,
    inputs: { chat_history: [{ role: 'user', content: 'Summarise the "report", please.' }] },
    outputs: {
      content: `An ordinary, "quoted" answer: ${'lorem ipsum '.repeat(OUTPUT_CHARS / 12)}`.slice(
        0,
        OUTPUT_CHARS,
      ),
    },
    ingested_at: 1,
    ...overrides,
  });
}

/** Exports pages of a fixed list, by offset, as the query layer does. */
class ListQueries implements EventQueryService {
  session: SessionResult | undefined;
  sessions: SessionSummary[] = [];
  constructor(private readonly events: StoredEvent[]) {}
  async exportEvents(_tenant: Tenant, query: ExportQuery): Promise<ExportResult> {
    const offset = (query.page - 1) * query.limit;
    return { events: this.events.slice(offset, offset + query.limit), totalEvents: this.events.length };
  }
  async getSession(): Promise<SessionResult | undefined> {
    return this.session;
  }
  async getEvent(_tenant: Tenant, id: string): Promise<StoredEvent | undefined> {
    return this.events.find((event) => event.event_id === id);
  }
  async chart(): Promise<never> {
    throw new Error('not used');
  }
  async searchSessions(_tenant: Tenant, query: SessionSearchQuery): Promise<SessionSearchResult> {
    const offset = (query.page - 1) * query.limit;
    return {
      sessions: this.sessions.slice(offset, offset + query.limit),
      totalSessions: this.sessions.length,
    };
  }
  async eventSchema(): Promise<never> {
    throw new Error('not used');
  }
  async lookupLatest(): Promise<Map<string, WaggleEvent>> {
    return new Map<string, WaggleEvent>();
  }
  async scoreHistory(): Promise<never> {
    throw new Error('not used');
  }
}

let keys: MemoryKeyRegistry;
let payloads: MemoryObjectStore;

beforeEach(async () => {
  keys = new MemoryKeyRegistry();
  await keys.register(KEY, { ...TENANT, projectName: 'app' }, ['read']);
  payloads = new MemoryObjectStore();
});

function handlerOver(queries: EventQueryService): QueryApiHandler {
  return createQueryApiHandler({
    keys,
    queries,
    eventsQueue: new MemoryQueue(),
    overflowStore: new MemoryObjectStore(),
    payloadStore: payloads,
  });
}

function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const event = apigwEvent({
    method,
    path,
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body), base64: false }),
  });
  event.routeKey = '$default';
  return event;
}

function bodyOf(response: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  const text = response.isBase64Encoded
    ? gunzipSync(Buffer.from(response.body ?? '', 'base64')).toString('utf8')
    : (response.body ?? '');
  return JSON.parse(text) as Record<string, unknown>;
}

interface ExportAnswer {
  events: Array<{ event_id: string }>;
  totalEvents: number;
  continueWith?: { page: number; limit: number };
}

/** Follows continueWith (or the client's own next page) until the events run out. */
async function exportAll(handler: QueryApiHandler, page: number, limit: number, stopAfter: number) {
  const ids: string[] = [];
  const sizes: number[] = [];
  let next: { page: number; limit: number } | undefined = { page, limit };
  while (next !== undefined && ids.length < stopAfter) {
    const response = await handler(request('POST', '/v1/events/export', { filters: [], ...next }));
    expect(response.statusCode).toBe(200);
    sizes.push(lambdaPayloadBytes(response));
    const answer = bodyOf(response) as unknown as ExportAnswer;
    ids.push(...answer.events.map((event) => event.event_id));
    next =
      answer.continueWith ??
      (answer.events.length === next.limit ? { page: next.page + 1, limit: next.limit } : undefined);
  }
  return { ids, sizes };
}

describe('export pages within 6 MB', () => {
  const events = Array.from({ length: 500 }, (_, index) =>
    storedEvent(`e-${String(index).padStart(3, '0')}`),
  );
  const ids = events.map((event) => event.event_id);

  it('cuts a page of 250 events with ~31 KB outputs under the budget and continues without loss or repeat', async () => {
    const handler = handlerOver(new ListQueries(events.slice(0, 250)));
    const uncut = JSON.stringify({ events: events.slice(0, 250), totalEvents: 250 });
    expect(lambdaPayloadBytes({ body: uncut })).toBeGreaterThan(LAMBDA_RESPONSE_LIMIT_BYTES);

    const first = await handler(request('POST', '/v1/events/export', { filters: [], limit: 250, page: 1 }));
    const answer = bodyOf(first) as unknown as ExportAnswer;
    expect(lambdaPayloadBytes(first)).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES);
    expect(Buffer.byteLength(first.body ?? '')).toBeLessThanOrEqual(RESPONSE_BODY_BUDGET_BYTES);
    expect(answer.totalEvents).toBe(250);
    const fit = answer.events.length;
    expect(fit).toBeGreaterThan(100);
    expect(fit).toBeLessThan(250);
    expect(answer.continueWith).toEqual({ page: 2, limit: fit });

    const all = await exportAll(handler, 1, 250, 250);
    expect(all.ids).toEqual(ids.slice(0, 250));
    for (const size of all.sizes) expect(size).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES);
  });

  it('continues a cut page that does not start on a multiple of what fits', async () => {
    const handler = handlerOver(new ListQueries(events));
    // Page 2 of 250 starts at event 250; the answer ends where page `continueWith.page` of the new size starts.
    const all = await exportAll(handler, 2, 250, 250);
    expect(all.ids).toEqual(ids.slice(250));
  });

  it('leaves a page that fits as it was: no continueWith', async () => {
    const handler = handlerOver(new ListQueries(events));
    const answer = bodyOf(
      await handler(request('POST', '/v1/events/export', { filters: [], limit: 20, page: 3 })),
    );
    expect(answer).toEqual({ events: expect.any(Array), totalEvents: 500 });
    expect((answer as unknown as ExportAnswer).events.map((event) => event.event_id)).toEqual(
      ids.slice(40, 60),
    );
  });
});

describe('gzip', () => {
  const handler = () =>
    handlerOver(new ListQueries(Array.from({ length: 30 }, (_, index) => storedEvent(`e-${index}`))));

  it('compresses when the client accepts gzip, base64 with isBase64Encoded, and round-trips', async () => {
    const plain = await handler()(request('GET', '/events', undefined));
    const zipped = await handler()(
      request('GET', '/events', undefined, { 'accept-encoding': 'br, gzip;q=0.8' }),
    );
    expect(plain.isBase64Encoded).toBeFalsy();
    expect(zipped.isBase64Encoded).toBe(true);
    expect(zipped.headers?.['content-encoding']).toBe('gzip');
    expect(zipped.headers?.vary).toBe('accept-encoding');
    expect(gunzipSync(Buffer.from(zipped.body ?? '', 'base64')).toString('utf8')).toBe(plain.body);
    expect((zipped.body ?? '').length).toBeLessThan((plain.body ?? '').length / 5);
  });

  it('reads Accept-Encoding as HTTP does', () => {
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, GZIP')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('br')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe('full payloads within the budget', () => {
  const FULL_CHARS = 2_000_000;

  async function withPayload(id: string): Promise<StoredEvent> {
    const ref = payloadKey(TENANT.project_id, id, 1, 'outputs');
    await payloads.put(ref, gzipSync(JSON.stringify({ content: 'y'.repeat(FULL_CHARS) })));
    return storedEvent(id, {
      outputs: { _truncated: true, _preview: 'y'.repeat(4096), _bytes: FULL_CHARS + 14 },
      outputs_ref: ref,
    });
  }

  it('puts back only the payloads that fit; the rest keep the stored truncated copy', async () => {
    const children = await Promise.all(['a', 'b', 'c', 'd'].map(withPayload));
    const root = storedEvent('sess', { event_type: 'session', parent_id: null });
    const queries = new ListQueries([]);
    queries.session = buildSession(TENANT, 'sess', [root, ...children]);
    const response = await handlerOver(queries)(request('GET', '/v1/sessions/sess'));
    expect(response.statusCode).toBe(200);
    expect(lambdaPayloadBytes(response)).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES);
    const outputs = (bodyOf(response).children as Array<{ outputs: Record<string, unknown> }>).map(
      (child) => child.outputs,
    );
    const restored = outputs.filter((section) => typeof section.content === 'string');
    const truncated = outputs.filter((section) => section._truncated === true);
    expect(restored).toHaveLength(2);
    expect(truncated).toHaveLength(2);
    expect(truncated[0]).toMatchObject({ _bytes: FULL_CHARS + 14 });
  });

  it('answers a single event with its full payload when it fits', async () => {
    const event = await withPayload('solo');
    const response = await handlerOver(new ListQueries([event]))(request('GET', '/v1/events/solo'));
    expect(response.statusCode).toBe(200);
    expect((bodyOf(response).outputs as { content: string }).content).toHaveLength(FULL_CHARS);
  });
});

describe('session search within 6 MB', () => {
  it('replaces the largest metadata and user_properties by a marker until 500 sessions fit; rows and paging stay', async () => {
    const queries = new ListQueries([]);
    queries.sessions = Array.from({ length: 500 }, (_, index) => ({
      session_id: `s-${index}`,
      event_name: 'chat',
      start_time: 1000,
      end_time: 2000,
      duration: 1000,
      num_events: 3,
      cost: 0.5,
      total_tokens: 30,
      errors: 0,
      metadata: { customer: `c-${index}`, note: 'n'.repeat(index % 2 === 0 ? 20_000 : 10) },
      user_properties: { plan: 'pro' },
    }));
    const response = await handlerOver(queries)(request('POST', '/v1/sessions/search', { limit: 500 }));
    expect(response.statusCode).toBe(200);
    expect(lambdaPayloadBytes(response)).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES);
    const answer = bodyOf(response) as unknown as {
      sessions: Array<{ session_id: string; metadata: Record<string, unknown> }>;
      totalSessions: number;
    };
    expect(answer.totalSessions).toBe(500);
    expect(answer.sessions.map((session) => session.session_id)).toEqual(
      queries.sessions.map((session) => session.session_id),
    );
    const marked = answer.sessions.filter((session) => session.metadata._truncated === true);
    expect(marked.length).toBeGreaterThan(0);
    // Only the large ones were replaced, each marker saying how large the section was.
    for (const session of marked) expect(session.metadata._bytes).toBeGreaterThan(20_000);
    expect(answer.sessions[1]?.metadata).toEqual({ customer: 'c-1', note: 'n'.repeat(10) });
  });
});
