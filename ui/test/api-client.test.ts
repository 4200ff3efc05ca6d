import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, messageFromBody } from '../src/api/client';
import { CONFIG, FIRST_SESSION_SEARCH, scriptedFetch } from './support';

const TARGET = { dataPlaneId: 'local', projectId: 'p1' };
const SEARCH = FIRST_SESSION_SEARCH;

function tokenRoute(counter: { n: number }, lifetimeMs = 900_000, now = () => Date.now()) {
  return () => {
    counter.n += 1;
    return {
      body: {
        token: `token-${counter.n}`,
        expires_at: new Date(now() + lifetimeMs).toISOString(),
        role: 'member',
        project_id: 'p1',
      },
    };
  };
}

function client(fetch: ReturnType<typeof scriptedFetch>['fetch'], extra: { now?: () => number } = {}) {
  const onUnauthorized = vi.fn();
  const api = createApiClient({ config: CONFIG, fetch, idToken: () => 'id-token', onUnauthorized, ...extra });
  return { api, onUnauthorized };
}

describe('error mapping', () => {
  it('carries the control plane words ({success:false,error}) and status', async () => {
    const api = scriptedFetch({
      'POST http://cp.test/v1/projects/p1/keys': {
        status: 403,
        body: { success: false, error: 'Forbidden' },
      },
    });
    const error = await client(api.fetch)
      .api.createKey('p1', ['read'])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('Forbidden');
    expect((error as ApiError).status).toBe(403);
    expect((error as ApiError).source).toBe('control-plane');
  });

  it('carries the data plane words: validation errors, {message} bodies, HoneyHive error objects', async () => {
    const tokens = { n: 0 };
    const answers = [
      { status: 400, body: { success: false, error: 'filters[0].value must be a finite number, got "abc"' } },
      { status: 404, body: { message: 'Not Found' } },
      { status: 422, body: { error: { message: 'Invalid request body' } } },
      { status: 502, body: '<html>bad gateway</html>' },
    ];
    let index = 0;
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute(tokens),
      'POST http://dp.test/v1/sessions/search': () => answers[index++],
    });
    const { api: client1 } = client(api.fetch);
    const messages: [string, number][] = [];
    for (let i = 0; i < answers.length; i++) {
      const error = (await client1
        .searchSessions(TARGET, SEARCH)
        .catch((caught: unknown) => caught)) as ApiError;
      messages.push([error.message, error.status]);
      expect(error.source).toBe('data-plane');
    }
    expect(messages).toEqual([
      ['filters[0].value must be a finite number, got "abc"', 400],
      ['Not Found', 404],
      ['Invalid request body', 422],
      // JSON.stringify'd by the scripted fetch, so it comes back as a JSON string: the text itself.
      ['<html>bad gateway</html>', 502],
    ]);
  });

  it('names a status when the body says nothing, and a network failure as status 0', async () => {
    expect(messageFromBody(undefined)).toBeUndefined();
    expect(messageFromBody({ errors: [{ message: 'a' }, { message: 'b' }] })).toBe('a; b');
    expect(messageFromBody({ detail: 'Project not found' })).toBe('Project not found');
    expect(messageFromBody({ error: 'invalid_grant', error_description: 'Code expired' })).toBe(
      'Code expired',
    );
    const failing = async () => {
      throw new TypeError('Failed to fetch');
    };
    const { api } = client(failing);
    const error = (await api.listProjects().catch((caught: unknown) => caught)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.isNetworkError).toBe(true);
    expect(error.message).toBe('Could not reach http://cp.test: Failed to fetch');

    const empty = scriptedFetch({ 'GET http://cp.test/v1/projects': { status: 500 } });
    const silent = (await client(empty.fetch)
      .api.listProjects()
      .catch((caught: unknown) => caught)) as ApiError;
    expect(silent.message).toBe('The server failed (HTTP 500)');
  });
});

describe('data-plane tokens', () => {
  it('asks the control plane once, with the ID token, and sends the data-plane token to the data plane', async () => {
    const tokens = { n: 0 };
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute(tokens),
      'POST http://dp.test/v1/sessions/search': { body: { sessions: [], totalSessions: 0 } },
    });
    const { api: c } = client(api.fetch);
    await Promise.all([c.searchSessions(TARGET, SEARCH), c.searchSessions(TARGET, SEARCH)]);
    await c.searchSessions(TARGET, SEARCH);
    expect(tokens.n).toBe(1);
    const request = api.of('POST', '/v1/tokens')[0];
    expect(request?.headers.authorization).toBe('Bearer id-token');
    expect(request?.body).toEqual({ data_plane_id: 'local', project_id: 'p1' });
    expect(api.of('POST', '/v1/sessions/search').map((call) => call.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-1',
    ]);
    expect(api.of('POST', '/v1/sessions/search')[0]?.body).toEqual(SEARCH);
  });

  it('renews the token when less than a minute is left', async () => {
    let now = 1_800_000_000_000;
    const tokens = { n: 0 };
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute(tokens, 900_000, () => now),
      'GET http://dp.test/v1/events/schema': { body: { fields: [] } },
    });
    const { api: c } = client(api.fetch, { now: () => now });
    await c.eventSchema(TARGET);
    now += 800_000; // 100 s left: still used
    await c.eventSchema(TARGET);
    expect(tokens.n).toBe(1);
    now += 50_000; // 50 s left: renewed
    await c.eventSchema(TARGET);
    expect(tokens.n).toBe(2);
    expect(api.of('GET', '/v1/events/schema').map((call) => call.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-2',
    ]);
  });

  it('on a data-plane 401 gets a fresh token and retries once', async () => {
    const tokens = { n: 0 };
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute(tokens),
      'GET http://dp.test/v1/sessions/s1': (call) =>
        call.headers.authorization === 'Bearer token-1'
          ? { status: 401, body: { success: false, error: 'Unauthorized' } }
          : { body: { event_id: 's1', session_id: 's1', children: [] } },
    });
    const { api: c, onUnauthorized } = client(api.fetch);
    const session = await c.getSession(TARGET, 's1');
    expect(session.event_id).toBe('s1');
    expect(tokens.n).toBe(2);
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('does not cache a failed token request', async () => {
    let fail = true;
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': () =>
        fail
          ? { status: 503, body: { success: false, error: 'Internal error' } }
          : {
              body: { token: 't', expires_at: new Date(Date.now() + 900_000).toISOString(), role: 'viewer' },
            },
    });
    const { api: c } = client(api.fetch);
    await expect(c.dataPlaneToken('local', 'p1')).rejects.toThrow('Internal error');
    fail = false;
    expect((await c.dataPlaneToken('local', 'p1')).role).toBe('viewer');
  });
});

describe('401 from the control plane', () => {
  it('calls onUnauthorized (the console then shows sign-in) and still rejects', async () => {
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': { status: 401, body: { success: false, error: 'Unauthorized' } },
    });
    const { api: c, onUnauthorized } = client(api.fetch);
    await expect(c.searchSessions(TARGET, SEARCH)).rejects.toMatchObject({
      status: 401,
      message: 'Unauthorized',
    });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(api.of('POST', '/v1/sessions/search')).toHaveLength(0);
  });

  it('is not called for other refusals', async () => {
    const api = scriptedFetch({
      'GET http://cp.test/v1/projects': { status: 403, body: { success: false, error: 'Forbidden' } },
    });
    const { api: c, onUnauthorized } = client(api.fetch);
    await expect(c.listProjects()).rejects.toThrow('Forbidden');
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});

describe('chart', () => {
  it('sends metric, aggregation, bucket, groupBy, filters and dateRange as query parameters', async () => {
    const tokens = { n: 0 };
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute(tokens),
      'GET http://dp.test/v1/events/chart': { body: { events: [], totalEvents: 0 } },
    });
    const { api: c } = client(api.fetch);
    await c.chart(TARGET, {
      metric: 'duration',
      aggregation: 'p95',
      bucket: 'hour',
      groupBy: 'model',
      filters: [{ field: 'error', operator: 'exists' }],
      dateRange: { relative: '7d' },
    });
    const url = new URL(api.of('GET', '/v1/events/chart')[0]?.url ?? '');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      metric: 'duration',
      aggregation: 'p95',
      bucket: 'hour',
      groupBy: 'model',
      filters: '[{"field":"error","operator":"exists"}]',
      dateRange: '7d',
    });
  });
});

describe('the LLM proxy call (openChatCompletion)', () => {
  it('answers the unread 2xx response, after one fresh token on a 401, with the abort signal passed on', async () => {
    const tokens = { n: 0 };
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute(tokens),
      'POST http://dp.test/v1/chat/completions': (call) =>
        call.headers.authorization === 'Bearer token-1'
          ? { status: 401, body: { error: { message: 'expired', type: 'authentication_error' } } }
          : { body: { ok: true } },
    });
    let signalSeen: AbortSignal | null | undefined;
    const fetch = (input: string, init?: RequestInit) => {
      signalSeen = init?.signal;
      return api.fetch(input, init);
    };
    const controller = new AbortController();
    const response = await client(fetch).api.openChatCompletion(
      TARGET,
      { model: 'openai/x' },
      controller.signal,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(signalSeen).toBe(controller.signal);
    const sent = api.of('POST', '/v1/chat/completions');
    expect(sent.map((call) => call.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(sent[1]?.headers.accept).toBe('text/event-stream, application/json');
    expect(sent[1]?.body).toEqual({ model: 'openai/x' });
  });

  it("goes to the plane's llmProxyUrl when config.json gives one", async () => {
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute({ n: 0 }),
      'POST https://proxy.test/v1/chat/completions': { body: { ok: true } },
    });
    const config = {
      ...CONFIG,
      dataPlanes: [
        { ...(CONFIG.dataPlanes[0] as (typeof CONFIG.dataPlanes)[0]), llmProxyUrl: 'https://proxy.test/' },
      ],
    };
    const proxied = createApiClient({
      config,
      fetch: api.fetch,
      idToken: () => 'id-token',
      onUnauthorized: vi.fn(),
    });
    expect((await proxied.openChatCompletion(TARGET, {})).status).toBe(200);
    expect(api.of('POST', '/v1/chat/completions').map((call) => call.url)).toEqual([
      'https://proxy.test/v1/chat/completions',
    ]);
  });

  it("turns a refusal into an ApiError with OpenAI's message and body, and passes an abort on as is", async () => {
    const api = scriptedFetch({
      'POST http://cp.test/v1/tokens': tokenRoute({ n: 0 }),
      'POST http://dp.test/v1/chat/completions': {
        status: 400,
        body: { error: { message: 'No provider key for openai', code: 'provider_key_missing' } },
      },
    });
    const refused = client(api.fetch).api.openChatCompletion(TARGET, {});
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({
      message: 'No provider key for openai',
      status: 400,
      body: { error: { code: 'provider_key_missing' } },
    });
    const controller = new AbortController();
    controller.abort();
    const aborting = (input: string, init?: RequestInit) =>
      new URL(input).pathname === '/v1/chat/completions'
        ? Promise.reject(new DOMException('Aborted', 'AbortError'))
        : api.fetch(input, init);
    await expect(
      client(aborting).api.openChatCompletion(TARGET, {}, controller.signal),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});
