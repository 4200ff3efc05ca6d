import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { hashApiKey } from '../../../lambdas/domain/auth/api-key';
import type { ApiKeyScope } from '../../../lambdas/domain/auth/principal';
import { createConcurrencyGate } from '../../../lambdas/domain/concurrency-gate';
import type { EventRecord, Tenant, WaggleEvent } from '../../../lambdas/domain/events/event';
import { parseQueueEnvelope } from '../../../lambdas/domain/ingest/queue-envelope';
import {
  type ChartQuery,
  type ChartResult,
  type EventQueryService,
  type EventSchemaQuery,
  type EventSchemaResult,
  type ExportQuery,
  type ExportResult,
  MAX_EXPORT_LIMIT,
  type ScoreHistoryEntry,
  type SessionResult,
  type SessionSearchQuery,
  type SessionSearchResult,
  type StoredEvent,
} from '../../../lambdas/domain/query/types';
import {
  EXPORT_RETRY_AFTER_SECONDS,
  EXPORT_ROWS_IN_FLIGHT,
  MAX_QUEUED_EXPORTS,
} from '../../../lambdas/domain/read-api/export-gate';
import { createQueryApiHandler, type QueryApiHandler } from '../../../lambdas/query-api/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';
import { storedEventFixture } from '../../support/stored-event';

const TENANT: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const OTHER: Tenant = { org_id: 'org-2', workspace_id: 'ws-2', project_id: 'proj-2' };
const NOW = Date.UTC(2026, 10, 22, 12);

function storedEvent(tenant: Tenant, id: string, overrides: Partial<StoredEvent> = {}): StoredEvent {
  return storedEventFixture(tenant, {
    event_id: id,
    parent_id: 's-1',
    event_type: 'model',
    event_name: 'chat',
    source: 'sdk',
    end_time: 2000,
    duration: 1000,
    model: 'gpt-4o',
    provider: 'openai',
    prompt_tokens: 1,
    completion_tokens: 1,
    total_tokens: 2,
    cost: 0.1,
    ingested_at: 1,
    ...overrides,
  });
}

/** An in-memory EventQueryService over a fixed set of events, recording every call it gets. */
class FakeQueries implements EventQueryService {
  readonly calls: Array<{ method: string; tenant: Tenant; arg: unknown }> = [];
  failWith: Error | undefined;
  /** While set, exports wait for it (as a slow engine would), counted in exportsRunning. */
  exportHold: Promise<void> | undefined;
  exportsRunning = 0;

  constructor(private readonly events: StoredEvent[]) {}

  private visible(tenant: Tenant): StoredEvent[] {
    return this.events.filter(
      (event) => event.project_id === tenant.project_id && event.org_id === tenant.org_id,
    );
  }

  private record(method: string, tenant: Tenant, arg: unknown): void {
    if (this.failWith) throw this.failWith;
    this.calls.push({ method, tenant, arg });
  }

  async exportEvents(tenant: Tenant, query: ExportQuery): Promise<ExportResult> {
    this.record('exportEvents', tenant, query);
    this.exportsRunning++;
    await this.exportHold;
    this.exportsRunning--;
    const events = this.visible(tenant);
    return {
      events: events.slice((query.page - 1) * query.limit, query.page * query.limit),
      totalEvents: events.length,
    };
  }

  async getEvent(tenant: Tenant, eventId: string): Promise<StoredEvent | undefined> {
    this.record('getEvent', tenant, eventId);
    return this.visible(tenant).find((event) => event.event_id === eventId);
  }

  async getSession(tenant: Tenant, sessionId: string): Promise<SessionResult | undefined> {
    this.record('getSession', tenant, sessionId);
    const events = this.visible(tenant).filter((event) => event.session_id === sessionId);
    const root = events.find((event) => event.event_id === sessionId);
    if (!root) return undefined;
    const children = events.filter((event) => event !== root).map((event) => ({ ...event, children: [] }));
    return {
      root: { ...root, children },
      rollup: {
        num_events: events.length,
        num_model_events: events.filter((event) => event.event_type === 'model').length,
        has_feedback: false,
        cost: 0.2,
        total_tokens: 4,
        prompt_tokens: 2,
        completion_tokens: 2,
        start_time: 1000,
        end_time: 2000,
        duration: 1000,
      },
    };
  }

  async chart(tenant: Tenant, query: ChartQuery): Promise<ChartResult> {
    this.record('chart', tenant, query);
    return { events: [{ bucket: 0, value: 1000, count: 2 }], totalEvents: 2 };
  }

  async searchSessions(tenant: Tenant, query: SessionSearchQuery): Promise<SessionSearchResult> {
    this.record('searchSessions', tenant, query);
    const sessions = this.visible(tenant)
      .filter((event) => event.event_type === 'session')
      .map((event) => ({
        session_id: event.session_id,
        event_name: event.event_name,
        start_time: event.start_time,
        end_time: event.end_time,
        duration: event.duration,
        num_events: 0,
        cost: 0,
        total_tokens: 0,
        errors: 0,
        metadata: event.metadata,
      }));
    return { sessions, totalSessions: sessions.length };
  }

  async eventSchema(tenant: Tenant, query: EventSchemaQuery): Promise<EventSchemaResult> {
    this.record('eventSchema', tenant, query);
    return { fields: [] };
  }

  async lookupLatest(): Promise<Map<string, WaggleEvent>> {
    throw new Error('the read API never calls lookupLatest');
  }

  /** Scores set by a test, by event id; an event of another tenant has none to show. */
  readonly scores = new Map<string, ScoreHistoryEntry[]>();

  async scoreHistory(tenant: Tenant, eventId: string): Promise<ScoreHistoryEntry[] | undefined> {
    this.record('scoreHistory', tenant, eventId);
    if (!this.visible(tenant).some((event) => event.event_id === eventId)) return undefined;
    return this.scores.get(eventId) ?? [];
  }
}

const KEYS = {
  full: 'wgl_full-key',
  readOnly: 'wgl_read-only-key',
  ingestOnly: 'wgl_ingest-only-key',
  revoked: 'wgl_revoked-key',
  other: 'wgl_other-project-key',
};

let keys: MemoryKeyRegistry;
let queue: MemoryQueue;
let overflow: MemoryObjectStore;
let queries: FakeQueries;
let handler: QueryApiHandler;
let errors: unknown[];

async function addKey(
  key: string,
  tenant: Tenant,
  projectName: string,
  scopes: ApiKeyScope[],
  revoked = false,
) {
  await keys.put({ keyHash: hashApiKey(key), ...tenant, projectName, scopes, revoked, createdAt: 0 });
}

beforeEach(async () => {
  keys = new MemoryKeyRegistry();
  await addKey(KEYS.full, TENANT, 'my-app', ['ingest', 'read']);
  await addKey(KEYS.readOnly, TENANT, 'my-app', ['read']);
  await addKey(KEYS.ingestOnly, TENANT, 'my-app', ['ingest']);
  await addKey(KEYS.revoked, TENANT, 'my-app', ['ingest', 'read'], true);
  await addKey(KEYS.other, OTHER, 'their-app', ['ingest', 'read']);
  queue = new MemoryQueue();
  overflow = new MemoryObjectStore();
  queries = new FakeQueries([
    storedEvent(TENANT, 's-1', { event_type: 'session', parent_id: null }),
    storedEvent(TENANT, 'e-1'),
    storedEvent(TENANT, 'e-2', { error: 'boom' }),
    storedEvent(OTHER, 'x-1', { session_id: 'x-s' }),
    storedEvent(OTHER, 'x-s', { session_id: 'x-s', event_type: 'session', parent_id: null }),
  ]);
  errors = [];
  handler = createQueryApiHandler({
    keys,
    queries,
    eventsQueue: queue,
    overflowStore: overflow,
    clock: () => NOW,
    onError: (error) => errors.push(error),
  });
});

/** A request as API Gateway delivers it: the route template as routeKey, path parameters filled. */
function routed(
  routeKey: string,
  path: string,
  options: { key?: string; body?: unknown; query?: string; pathParameters?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  const [method] = routeKey.split(' ') as [string];
  const event = apigwEvent({
    method,
    path,
    headers: {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body), base64: false }),
  });
  event.routeKey = routeKey;
  event.rawQueryString = options.query ?? '';
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  return event;
}

/** A request that only carries its raw path (a `$default` route): the app matches it itself. */
function unrouted(method: string, path: string, key = KEYS.full, query = ''): APIGatewayProxyEventV2 {
  const event = apigwEvent({ method, path, headers: { authorization: `Bearer ${key}` } });
  event.routeKey = '$default';
  event.rawQueryString = query;
  return event;
}

function body(response: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  expect(response.headers?.['content-type']).toBe('application/json');
  return JSON.parse(response.body ?? '') as Record<string, unknown>;
}

function tombstones(): EventRecord[] {
  return queue.messages.flatMap((message) => {
    const envelope = parseQueueEnvelope(message.body);
    return 'records' in envelope ? envelope.records : [];
  });
}

describe('POST /v1/events/export', () => {
  it('answers GetEventsLegacyResponse for the key project, passing the parsed query on', async () => {
    const response = await handler(
      routed('POST /v1/events/export', '/v1/events/export', {
        key: KEYS.full,
        body: {
          project: 'my-app',
          filters: [{ field: 'event_type', operator: 'is', value: 'model', type: 'string' }],
          dateRange: { $gte: '2026-11-01T00:00:00Z', $lte: '2026-11-02T00:00:00Z' },
          limit: 2,
        },
      }),
    );
    expect(response.statusCode).toBe(200);
    const answer = body(response);
    expect(answer.totalEvents).toBe(3);
    expect(
      (answer.events as Array<Record<string, unknown>>).map((event) => [event.event_id, event.project]),
    ).toEqual([
      ['s-1', 'my-app'],
      ['e-1', 'my-app'],
    ]);
    expect(queries.calls).toEqual([
      {
        method: 'exportEvents',
        tenant: TENANT,
        arg: {
          filters: [{ field: 'event_type', operator: 'is', value: 'model', type: 'string' }],
          dateRange: { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 2) },
          limit: 2,
          page: 1,
        },
      },
    ]);
  });

  it('an empty body exports with every default', async () => {
    const response = await handler(routed('POST /v1/events/export', '/v1/events/export', { key: KEYS.full }));
    expect(response.statusCode).toBe(200);
    expect(queries.calls[0]?.arg).toEqual({ filters: [], limit: 1000, page: 1 });
  });

  it('reads a gzip body', async () => {
    const { gzipSync } = await import('node:zlib');
    const event = routed('POST /v1/events/export', '/v1/events/export', { key: KEYS.full });
    event.body = gzipSync(JSON.stringify({ limit: 7 })).toString('base64');
    event.isBase64Encoded = true;
    event.headers['content-encoding'] = 'gzip';
    expect((await handler(event)).statusCode).toBe(200);
    expect(queries.calls[0]?.arg).toMatchObject({ limit: 7 });
  });

  const refusals: Array<[string, string | undefined, RegExp]> = [
    ['malformed JSON', '{"filters":', /^Body is not valid JSON/],
    ['hostile nesting', `{"filters":${'['.repeat(5000)}${']'.repeat(5000)}}`, /nested more than 64 levels/],
    ['a limit over 7500', '{"limit":7501}', /^limit must be at most 7500/],
    [
      'another project',
      '{"project":"their-app","filters":[]}',
      /^project names a project other than the API key's project/,
    ],
    [
      'an unknown filter field',
      '{"filters":[{"field":"x","operator":"exists"}]}',
      /^filters\[0\]\.field is not readable/,
    ],
    [
      'a filter on the dt partition',
      '{"filters":[{"field":"dt","operator":"is","value":"2026-11-01"}]}',
      /^filters\[0\]\.field is not readable: field "dt" is a storage partition, not an event field: use start_time/,
    ],
    [
      'a datetime filter value only Date.parse would read',
      `{"filters":[{"field":"start_time","operator":"after","value":"' OR '1'='1"}]}`,
      /^filters\[0\]\.value must be an ISO 8601 date or date-time/,
    ],
    [
      'a dateRange bound that is not ISO 8601 or epoch ms',
      '{"dateRange":{"$gte":"Nov 1 2026","$lte":"2026-11-02T00:00:00Z"}}',
      /^dateRange\.\$gte must be an ISO 8601 date or date-time/,
    ],
  ];
  for (const [name, text, message] of refusals) {
    it(`refuses ${name} with 400 and asks nothing of the query service`, async () => {
      const event = routed('POST /v1/events/export', '/v1/events/export', { key: KEYS.full });
      event.body = text;
      event.isBase64Encoded = false;
      const response = await handler(event);
      expect(response.statusCode).toBe(400);
      const answer = body(response);
      expect(answer.success).toBe(false);
      expect(answer.error).toMatch(message);
      expect(queries.calls).toEqual([]);
    });
  }

  it('refuses a body over 256 KiB with 413', async () => {
    const event = routed('POST /v1/events/export', '/v1/events/export', {
      key: KEYS.full,
      body: { pad: 'x'.repeat(300_000) },
    });
    expect((await handler(event)).statusCode).toBe(413);
  });
});

describe('export concurrency', () => {
  function fullPageExport(path: 'POST /v1/events/export' | 'GET /events'): APIGatewayProxyEventV2 {
    return path === 'GET /events'
      ? routed(path, '/events', { key: KEYS.full, query: `limit=${MAX_EXPORT_LIMIT}` })
      : routed(path, '/v1/events/export', { key: KEYS.full, body: { limit: MAX_EXPORT_LIMIT } });
  }

  it('runs two full pages at once, queues the next eight, and refuses the rest with 503 and Retry-After', async () => {
    let release: () => void = () => {};
    queries.exportHold = new Promise((resolve) => {
      release = resolve;
    });
    let answeredEarly = 0;
    const burst = Array.from({ length: 12 }, (_, index) =>
      handler(fullPageExport(index % 2 === 0 ? 'POST /v1/events/export' : 'GET /events')).then((answer) => {
        answeredEarly++;
        return answer;
      }),
    );
    // The excess is answered without waiting for the held exports.
    await vi.waitFor(() => expect(answeredEarly).toBe(burst.length - 2 - MAX_QUEUED_EXPORTS));
    expect(queries.exportsRunning).toBe(EXPORT_ROWS_IN_FLIGHT / MAX_EXPORT_LIMIT);
    expect(queries.calls).toHaveLength(2);
    release();
    const answers = await Promise.all(burst);
    const refused = answers.filter((response) => response.statusCode === 503);
    expect(refused).toHaveLength(burst.length - 2 - MAX_QUEUED_EXPORTS);
    for (const response of refused) {
      expect(response.headers?.['retry-after']).toBe(String(EXPORT_RETRY_AFTER_SECONDS));
      expect(body(response).error).toMatch(/^Too many exports in progress on this instance/);
    }
    expect(answers.filter((response) => response.statusCode === 200)).toHaveLength(2 + MAX_QUEUED_EXPORTS);
    expect(queries.calls).toHaveLength(2 + MAX_QUEUED_EXPORTS);
  });

  it('weighs exports by their limit: many small pages run side by side', async () => {
    let release: () => void = () => {};
    queries.exportHold = new Promise((resolve) => {
      release = resolve;
    });
    const small = Array.from({ length: 15 }, () =>
      handler(
        routed('POST /v1/events/export', '/v1/events/export', { key: KEYS.full, body: { limit: 1000 } }),
      ),
    );
    // 15 x 1000 rows fill the 2 x 7500 rows in flight exactly.
    await vi.waitFor(() => expect(queries.exportsRunning).toBe(15));
    const sixteenth = handler(
      routed('POST /v1/events/export', '/v1/events/export', { key: KEYS.full, body: { limit: 1 } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(queries.calls).toHaveLength(15);
    release();
    expect((await Promise.all([...small, sixteenth])).every((response) => response.statusCode === 200)).toBe(
      true,
    );
    expect(queries.calls).toHaveLength(16);
  });

  it('uses the gate it is given', async () => {
    const gated = createQueryApiHandler({
      keys,
      queries,
      eventsQueue: queue,
      overflowStore: overflow,
      clock: () => NOW,
      exportGate: createConcurrencyGate({ capacity: 1, maxQueued: 0, maxWaitMs: 1000 }),
    });
    let release: () => void = () => {};
    queries.exportHold = new Promise((resolve) => {
      release = resolve;
    });
    const first = gated(fullPageExport('GET /events'));
    const second = await gated(fullPageExport('POST /v1/events/export'));
    expect(second.statusCode).toBe(503);
    release();
    expect((await first).statusCode).toBe(200);
  });
});

describe('GET /events and GET /v1/events/chart', () => {
  it('reads query parameters (JSON-encoded and bracketed) into the export query', async () => {
    const query = `filters=${encodeURIComponent('[{"field":"cost","operator":"greater than","value":"0.05","type":"number"}]')}&limit=5&page=2&projections=event_id&projections=cost`;
    const response = await handler(routed('GET /events', '/events', { key: KEYS.readOnly, query }));
    expect(response.statusCode).toBe(200);
    expect(body(response).totalEvents).toBe(3);
    expect(queries.calls[0]).toEqual({
      method: 'exportEvents',
      tenant: TENANT,
      arg: {
        filters: [{ field: 'cost', operator: 'greater than', value: 0.05, type: 'number' }],
        projections: ['event_id', 'cost'],
        limit: 5,
        page: 2,
      },
    });
  });

  it('falls back to queryStringParameters when there is no raw query string', async () => {
    const event = routed('GET /events', '/events', { key: KEYS.full });
    event.queryStringParameters = {
      limit: '3',
      'dateRange[$gte]': '2026-11-01T00:00:00Z',
      'dateRange[$lte]': '2026-11-01T00:00:01Z',
    };
    expect((await handler(event)).statusCode).toBe(200);
    expect(queries.calls[0]?.arg).toEqual({
      filters: [],
      dateRange: { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 1) + 1000 },
      limit: 3,
      page: 1,
    });
  });

  it('answers the chart with the parsed chart query', async () => {
    const response = await handler(
      routed('GET /v1/events/chart', '/v1/events/chart', {
        key: KEYS.full,
        query: 'metric=cost&aggregation=median&bucket=1d&groupBy=model',
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({ events: [{ bucket: 0, value: 1000, count: 2 }], totalEvents: 2 });
    expect(queries.calls[0]).toEqual({
      method: 'chart',
      tenant: TENANT,
      arg: { metric: 'cost', aggregation: 'p50', bucket: 'day', groupBy: 'model', filters: [] },
    });
  });

  it('matches /v1/events/chart as the chart, not as an event id, from the raw path', async () => {
    const response = await handler(unrouted('GET', '/v1/events/chart', KEYS.full, 'aggregation=count'));
    expect(response.statusCode).toBe(200);
    expect(queries.calls.map((call) => call.method)).toEqual(['chart']);
  });

  it('refuses a bad chart parameter with 400 naming it', async () => {
    const response = await handler(
      routed('GET /v1/events/chart', '/v1/events/chart', { key: KEYS.full, query: 'bucket=fortnight' }),
    );
    expect(response.statusCode).toBe(400);
    expect(body(response).error).toMatch(/^bucket must be one of/);
  });

  it('refuses a group-by or filter on the dt and hour partitions with 400 naming the field', async () => {
    const groupBy = await handler(
      routed('GET /v1/events/chart', '/v1/events/chart', { key: KEYS.full, query: 'groupBy=hour' }),
    );
    expect(groupBy.statusCode).toBe(400);
    expect(body(groupBy).error).toMatch(
      /^groupBy is not readable: field "hour" is a storage partition.*start_time/,
    );
    const filter = `filters=${encodeURIComponent('[{"field":"dt","operator":"exists"}]')}`;
    const filtered = await handler(routed('GET /events', '/events', { key: KEYS.full, query: filter }));
    expect(filtered.statusCode).toBe(400);
    expect(body(filtered).error).toMatch(/^filters\[0\]\.field is not readable: field "dt"/);
    expect(queries.calls).toEqual([]);
  });
});

describe('the console reads: session search and event schema', () => {
  it('POST /v1/sessions/search: only the key project, with the parsed query', async () => {
    const response = await handler(
      routed('POST /v1/sessions/search', '/v1/sessions/search', {
        key: KEYS.readOnly,
        body: { sortBy: 'cost', sortOrder: 'asc', limit: 10 },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({
      sessions: [expect.objectContaining({ session_id: 's-1' })],
      totalSessions: 1,
    });
    expect(queries.calls).toEqual([
      {
        method: 'searchSessions',
        tenant: TENANT,
        arg: { filters: [], sortBy: 'cost', sortOrder: 'asc', limit: 10, page: 1 },
      },
    ]);
  });

  it('POST /v1/sessions/search: 400 for a bad sortBy, limit, option or another project; nothing is asked', async () => {
    for (const request of [{ sortBy: 'model' }, { limit: 501 }, { sort: 'cost' }, { project: 'their-app' }]) {
      const refused = await handler(
        routed('POST /v1/sessions/search', '/v1/sessions/search', { key: KEYS.full, body: request }),
      );
      expect(refused.statusCode, JSON.stringify(request)).toBe(400);
      expect(queries.calls).toEqual([]);
    }
  });

  it('GET /v1/events/schema: matched before /v1/events/{id}, with the parsed query; DELETE still deletes an event named schema', async () => {
    const response = await handler(
      unrouted('GET', '/v1/events/schema', KEYS.full, 'event_type=model&event_name=chat'),
    );
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({ fields: [] });
    expect(queries.calls).toEqual([
      { method: 'eventSchema', tenant: TENANT, arg: { eventType: 'model', eventName: 'chat' } },
    ]);
    expect(
      (await handler(unrouted('GET', '/v1/events/schema', KEYS.full, 'event_type=span'))).statusCode,
    ).toBe(400);
    expect((await handler(unrouted('DELETE', '/v1/events/schema'))).statusCode).toBe(200);
  });
});

describe('score history', () => {
  it("GET /v1/events/{id}/scores: the event's evaluations; 404 for an event it cannot find or of another project", async () => {
    const entry = {
      score_id: 'sc-1',
      evaluator_id: 'judge',
      evaluator_name: 'helpful',
      evaluator_version: 2,
      value: 0.5,
      passed: false,
      explanation: 'Partly [[0.5]]',
      cost: 0.001,
      judge_event_id: 'j-1',
      status: 'ok' as const,
      error: null,
      source: 'online',
      scored_at: 1_000,
    };
    queries.scores.set('e-1', [entry]);
    const response = await handler(unrouted('GET', '/v1/events/e-1/scores', KEYS.full));
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({ event_id: 'e-1', scores: [entry] });
    expect((await handler(unrouted('GET', '/v1/events/nope/scores', KEYS.full))).statusCode).toBe(404);
    expect(queries.calls.map((call) => [call.method, call.arg])).toEqual([
      ['scoreHistory', 'e-1'],
      ['scoreHistory', 'nope'],
    ]);
  });
});

describe('sessions and single events', () => {
  it('GET /v1/sessions/{session_id}: the tree with rollups in metadata', async () => {
    const response = await handler(
      routed('GET /v1/sessions/{session_id}', '/v1/sessions/s-1', {
        key: KEYS.full,
        pathParameters: { session_id: 's-1' },
      }),
    );
    expect(response.statusCode).toBe(200);
    const answer = body(response);
    expect(answer.event_id).toBe('s-1');
    expect((answer.children as Array<{ event_id: string }>).map((child) => child.event_id)).toEqual([
      'e-1',
      'e-2',
    ]);
    expect(answer.metadata).toMatchObject({ num_events: 3, num_model_events: 2 });
    expect(queries.calls).toEqual([{ method: 'getSession', tenant: TENANT, arg: 's-1' }]);
  });

  it('extracts path parameters from the raw path (percent-decoded) when the route key is not a template', async () => {
    const response = await handler(unrouted('GET', '/v1/sessions/s%2D1/'));
    expect(response.statusCode).toBe(200);
    expect(queries.calls).toEqual([{ method: 'getSession', tenant: TENANT, arg: 's-1' }]);
  });

  it('GET /v1/events/{id}: a session id answers the tree, an event id the event, anything else 404', async () => {
    const asSession = await handler(unrouted('GET', '/v1/events/s-1'));
    expect(asSession.statusCode).toBe(200);
    expect((body(asSession).children as unknown[]).length).toBe(2);

    const asEvent = await handler(unrouted('GET', '/v1/events/e-2'));
    expect(asEvent.statusCode).toBe(200);
    expect(body(asEvent)).toMatchObject({ event_id: 'e-2', error: 'boom', children: [] });

    const missing = await handler(unrouted('GET', '/v1/events/nope'));
    expect(missing.statusCode).toBe(404);
    expect(body(missing)).toEqual({ success: false, error: 'No event or session with id "nope"' });
  });

  it('404 for an unknown session', async () => {
    const response = await handler(unrouted('GET', '/v1/sessions/unknown'));
    expect(response.statusCode).toBe(404);
    expect(body(response).error).toBe('No session with id "unknown"');
  });

  it('400 for an id longer than 128 characters or badly percent-encoded', async () => {
    const long = await handler(unrouted('GET', `/v1/sessions/${'a'.repeat(129)}`));
    expect(long.statusCode).toBe(400);
    expect(body(long).error).toMatch(/^session_id is longer than 128/);
    expect((await handler(unrouted('GET', '/v1/events/%E0%A4%A'))).statusCode).toBe(400);
    expect(queries.calls).toEqual([]);
  });
});

describe('full payloads', () => {
  it('session and event reads put back inputs kept outside the row; exports keep the truncated copy', async () => {
    const { gzipSync } = await import('node:zlib');
    const { payloadKey } = await import('../../../lambdas/domain/store/layout');
    const key = payloadKey('proj-1', 'e-1', 1, 'inputs');
    const payloads = new MemoryObjectStore();
    await payloads.put(key, gzipSync(JSON.stringify({ prompt: 'the whole prompt' })));
    const events = [
      storedEvent(TENANT, 's-1', { event_type: 'session', parent_id: null }),
      storedEvent(TENANT, 'e-1', { inputs: { prompt: 'the wh' }, inputs_ref: key }),
    ];
    const app = createQueryApiHandler({
      keys,
      queries: new FakeQueries(events),
      eventsQueue: queue,
      overflowStore: overflow,
      payloadStore: payloads,
    });
    const session = body(await app(unrouted('GET', '/v1/sessions/s-1')));
    expect((session.children as Array<Record<string, unknown>>)[0]?.inputs).toEqual({
      prompt: 'the whole prompt',
    });
    const single = body(await app(unrouted('GET', '/v1/events/e-1')));
    expect(single.inputs).toEqual({ prompt: 'the whole prompt' });
    expect(single).not.toHaveProperty('inputs_ref');
    const exported = body(await app(unrouted('GET', '/events')));
    expect((exported.events as Array<Record<string, unknown>>)[1]?.inputs).toEqual({ prompt: 'the wh' });
  });
});

describe('project isolation', () => {
  it('every query goes out with the key tenant, whatever the request names', async () => {
    await handler(unrouted('GET', '/v1/sessions/x-s', KEYS.other));
    await handler(unrouted('GET', '/events', KEYS.other, 'project=their-app'));
    await handler(unrouted('GET', '/v1/events/chart', KEYS.other));
    await handler(
      routed('POST /v1/events/export', '/v1/events/export', { key: KEYS.other, body: { project: 'proj-2' } }),
    );
    expect(queries.calls.map((call) => call.tenant)).toEqual([OTHER, OTHER, OTHER, OTHER]);
  });

  it('a key never reads another project: their session is a 404, their events are not exported', async () => {
    const theirs = await handler(unrouted('GET', '/v1/sessions/x-s', KEYS.full));
    expect(theirs.statusCode).toBe(404);
    const mine = body(await handler(unrouted('GET', '/events', KEYS.full)));
    expect((mine.events as Array<{ event_id: string }>).map((event) => event.event_id)).toEqual([
      's-1',
      'e-1',
      'e-2',
    ]);
  });

  it('naming the other project is a 400', async () => {
    const response = await handler(unrouted('GET', '/events', KEYS.full, 'project=their-app'));
    expect(response.statusCode).toBe(400);
    expect(queries.calls).toEqual([]);
  });
});

describe('authentication', () => {
  const routes: Array<[string, string]> = [
    ['POST', '/v1/events/export'],
    ['GET', '/events'],
    ['GET', '/v1/events/chart'],
    ['GET', '/v1/events/e-1'],
    ['GET', '/v1/sessions/s-1'],
    ['POST', '/v1/sessions/search'],
    ['GET', '/v1/events/schema'],
    ['GET', '/v1/events/e-1/scores'],
    ['DELETE', '/v1/events/e-1'],
    ['DELETE', '/v1/sessions/s-1'],
  ];

  for (const [method, path] of routes) {
    it(`${method} ${path}: 401 without a key or with an unknown one, 403 when revoked`, async () => {
      const none = apigwEvent({ method, path });
      none.routeKey = '$default';
      const missing = await handler(none);
      expect(missing.statusCode).toBe(401);
      expect(missing.headers?.['www-authenticate']).toBe('Bearer');
      expect((await handler(unrouted(method, path, 'wgl_unknown'))).statusCode).toBe(401);
      expect((await handler(unrouted(method, path, KEYS.revoked))).statusCode).toBe(403);
      expect(queries.calls).toEqual([]);
      expect(queue.messages).toEqual([]);
    });
  }

  it('reads need the read scope: an ingest-only key gets 403', async () => {
    for (const [method, path] of routes.filter(([method]) => method === 'GET' || method === 'POST')) {
      const response = await handler(unrouted(method, path, KEYS.ingestOnly));
      expect(response.statusCode).toBe(403);
      expect(body(response).error).toBe('This API key lacks the "read" scope');
    }
    expect(queries.calls).toEqual([]);
  });

  it('deletions need the ingest scope: a read-only key gets 403 and nothing is queued', async () => {
    const response = await handler(unrouted('DELETE', '/v1/events/e-1', KEYS.readOnly));
    expect(response.statusCode).toBe(403);
    expect(body(response).error).toBe('This API key lacks the "ingest" scope');
    expect(queue.messages).toEqual([]);
  });
});

describe('deletions', () => {
  it('DELETE /v1/events/{id} queues exactly one event tombstone for the key tenant', async () => {
    const response = await handler(
      routed('DELETE /v1/events/{id}', '/v1/events/e-1', {
        key: KEYS.ingestOnly,
        pathParameters: { id: 'e-1' },
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({ success: true, deleted: 'e-1' });
    expect(tombstones()).toEqual([
      { kind: 'tombstone', tombstone: { ...TENANT, target: 'event', id: 'e-1', deleted_at: NOW } },
    ]);
    expect(queries.calls).toEqual([]);
  });

  it('DELETE /v1/sessions/{session_id} queues exactly one session tombstone, for the caller project only', async () => {
    const response = await handler(unrouted('DELETE', '/v1/sessions/x-s', KEYS.full));
    expect(response.statusCode).toBe(200);
    expect(body(response)).toEqual({ success: true, deleted: 'x-s' });
    expect(tombstones()).toEqual([
      { kind: 'tombstone', tombstone: { ...TENANT, target: 'session', id: 'x-s', deleted_at: NOW } },
    ]);
  });

  it('answers 503 with Retry-After when the queue is down', async () => {
    queue.failSends = true;
    const response = await handler(unrouted('DELETE', '/v1/events/e-1'));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(errors).toHaveLength(2);
  });
});

describe('errors', () => {
  it('an unknown route is a 404 in the JSON error shape', async () => {
    const response = await handler(unrouted('GET', '/v1/nothing/e-1'));
    expect(response.statusCode).toBe(404);
    expect(body(response)).toEqual({ success: false, error: 'No route for GET /v1/nothing/e-1' });
  });

  it('a method the path does not have is a 405 with Allow, in the JSON error shape', async () => {
    const response = await handler(unrouted('PATCH', '/v1/events/e-1'));
    expect(response.statusCode).toBe(405);
    expect(response.headers?.allow).toBe('DELETE, GET');
    expect(body(response)).toEqual({
      success: false,
      error: 'PATCH is not allowed on /v1/events/e-1; allowed: DELETE, GET',
    });
    expect(queries.calls).toEqual([]);
  });

  it('a failing query service is a 500 that hides the cause and reports it', async () => {
    queries.failWith = new Error('Athena said: secret internals');
    const response = await handler(unrouted('GET', '/events'));
    expect(response.statusCode).toBe(500);
    expect(body(response)).toEqual({ success: false, error: 'Internal error' });
    expect(errors).toEqual([queries.failWith]);
  });
});
