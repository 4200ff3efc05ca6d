/**
 * The local HTTP API's CORS configuration, as API Gateway's HTTP API applies one: preflights are
 * answered by the server itself (never a function), actual answers carry Allow-Origin for allowed
 * origins only, and the function's own CORS headers are replaced by the configuration's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPlaneCors, isPreflight, originProblem } from '../../lambdas/local/cors';
import { type RunningHttpServer, startHttpServer } from '../../lambdas/local/http-server';
import { type RawAnswer, rawRequest } from '../support/raw-http';

const CONSOLE = 'http://127.0.0.1:4319';
const EVIL = 'http://evil.example';

let server: RunningHttpServer;
let calls: string[] = [];

function send(
  method: string,
  path: string,
  headers?: Record<string, string>,
  body?: string,
): Promise<RawAnswer> {
  return rawRequest(server.url, method, path, headers, body);
}

beforeAll(async () => {
  server = await startHttpServer({
    port: 0,
    host: '127.0.0.1',
    routes: ['POST /v1/events/export', 'GET /v1/sessions/{id}', 'POST /v1/traces'],
    cors: dataPlaneCors([CONSOLE, 'http://localhost:4319']),
    handler: async (event) => {
      calls.push(`${event.requestContext.http.method} ${event.rawPath}`);
      return {
        statusCode: event.routeKey === '$default' ? 404 : 200,
        // A function's own CORS headers are ignored under a CORS configuration, as API Gateway does.
        headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*', vary: 'Accept' },
        body: JSON.stringify({ ok: event.routeKey !== '$default' }),
      };
    },
  });
});

afterAll(async () => {
  await server.close();
});

const PREFLIGHT = {
  'access-control-request-method': 'POST',
  'access-control-request-headers': 'authorization,content-type',
};

describe('CORS on the local HTTP API', () => {
  it('answers a preflight from an allowed origin with 204 and the configuration, without calling a function', async () => {
    calls = [];
    const answer = await send('OPTIONS', '/v1/events/export', { origin: CONSOLE, ...PREFLIGHT });
    expect(answer.status).toBe(204);
    expect(answer.body).toBe('');
    expect(answer.headers['access-control-allow-origin']).toBe(CONSOLE);
    expect(answer.headers['access-control-allow-methods']).toBe('GET,POST,PUT,DELETE');
    expect(answer.headers['access-control-allow-headers']).toBe('authorization,content-type');
    expect(answer.headers['access-control-max-age']).toBe('3600');
    expect(answer.headers.vary).toBe('Origin');
    // The other allowed origin gets its own name back, never a list or *.
    const other = await send('OPTIONS', '/v1/sessions/abc', {
      origin: 'http://localhost:4319',
      ...PREFLIGHT,
    });
    expect(other.headers['access-control-allow-origin']).toBe('http://localhost:4319');
    // Any path, routed or not, with a malformed parameter or a body: still answered before routing.
    expect((await send('OPTIONS', '/nowhere', { origin: CONSOLE, ...PREFLIGHT })).status).toBe(204);
    expect((await send('OPTIONS', '/v1/sessions/%ff', { origin: CONSOLE, ...PREFLIGHT })).status).toBe(204);
    expect(calls).toEqual([]);
  });

  it('answers a preflight from another origin with 204 and no CORS headers, still without a function', async () => {
    calls = [];
    for (const origin of [EVIL, 'http://127.0.0.1:4319.evil.example', 'http://127.0.0.1:43190', 'null']) {
      const answer = await send('OPTIONS', '/v1/events/export', { origin, ...PREFLIGHT });
      expect(answer.status, origin).toBe(204);
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
    expect(calls).toEqual([]);
  });

  it('puts Allow-Origin (and Expose-Headers) on actual answers for allowed origins only', async () => {
    calls = [];
    const post = await send(
      'POST',
      '/v1/events/export',
      { origin: CONSOLE, 'content-type': 'application/json' },
      '{}',
    );
    expect(post.status).toBe(200);
    expect(post.headers['access-control-allow-origin']).toBe(CONSOLE);
    expect(post.headers['access-control-expose-headers']).toBe(
      'retry-after,x-waggle-event-id,x-waggle-cost-usd',
    );
    expect(post.headers.vary).toBe('Accept, Origin');
    const get = await send('GET', '/v1/sessions/s1', { origin: CONSOLE });
    expect(get.headers['access-control-allow-origin']).toBe(CONSOLE);
    // Errors too: the browser must be able to read the API's message.
    const missing = await send('GET', '/v1/nothing', { origin: CONSOLE });
    expect(missing.status).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe(CONSOLE);
    const notAllowed = await send('GET', '/v1/traces', { origin: CONSOLE });
    expect(notAllowed.status).toBe(405);
    expect(notAllowed.headers['access-control-allow-origin']).toBe(CONSOLE);

    for (const headers of [{ origin: EVIL }, {}] as Record<string, string>[]) {
      const answer = await send('GET', '/v1/sessions/s1', headers);
      expect(answer.status).toBe(200);
      // Neither the configuration's headers nor the function's own `*`.
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
    expect(calls).toEqual([
      'POST /v1/events/export',
      'GET /v1/sessions/s1',
      'GET /v1/nothing',
      'GET /v1/sessions/s1',
      'GET /v1/sessions/s1',
    ]);
  });

  it('lets an OPTIONS that is not a preflight (no Origin or no requested method) through to routing', async () => {
    calls = [];
    expect((await send('OPTIONS', '/v1/events/export', { origin: CONSOLE })).status).toBe(405);
    expect(
      (await send('OPTIONS', '/v1/events/export', { 'access-control-request-method': 'POST' })).status,
    ).toBe(405);
    expect(isPreflight('options', { origin: CONSOLE, 'access-control-request-method': 'GET' })).toBe(true);
    expect(isPreflight('GET', { origin: CONSOLE, 'access-control-request-method': 'GET' })).toBe(false);
  });

  it('checks origins as settings give them', () => {
    expect(originProblem('http://127.0.0.1:4319')).toBeUndefined();
    expect(originProblem('https://console.example.com')).toBeUndefined();
    expect(originProblem('*')).toContain('not allowed');
    expect(originProblem('https://console.example.com/')).toContain('no path or trailing slash');
  });
});
