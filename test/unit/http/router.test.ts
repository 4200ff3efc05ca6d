import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { memoryStateBoard } from '../../../lambdas/domain/alerts/monitors/memory-state-board';
import { NotFoundError, RateLimitedError, UnauthorizedError } from '../../../lambdas/domain/errors';
import { HttpError } from '../../../lambdas/http/errors';
import { jsonResponse } from '../../../lambdas/http/json-response';
import { createHttpApi, type HttpRequest, type HttpRoute } from '../../../lambdas/http/router';
import { allowedMethods, matchRoute, routeRequest } from '../../../lambdas/http/routes';
import { apigwEvent } from '../../support/apigw-event';

const ROUTES = [
  'GET /v1/events/chart',
  'GET /v1/events/{id}',
  'DELETE /v1/events/{id}',
  'POST /v1/events',
  'GET /healthz',
] as const;

function event(method: string, path: string, options: Parameters<typeof apigwEvent>[0] = { method, path }) {
  const built = apigwEvent({ ...options, method, path });
  // As the local server sends it for a path it cannot map, and as tests do: the router reads the path.
  built.routeKey = '$default';
  return built;
}

/** A router whose every route answers what it saw. */
function echoing(overrides: Partial<Parameters<typeof createHttpApi>[0]> = {}) {
  const seen: HttpRequest[] = [];
  const errors: Array<{ error: unknown; context: unknown }> = [];
  const api = createHttpApi({
    routes: ROUTES.map((routeKey) => ({
      routeKey,
      handler: async (request: HttpRequest) => {
        seen.push(request);
        return jsonResponse(200, { routeKey: request.routeKey, params: request.params });
      },
    })),
    bodyLimits: { maxBodyBytes: 64, maxDecompressedBytes: 128 },
    onError: (error, context) => errors.push({ error, context }),
    ...overrides,
  });
  return { api, seen, errors };
}

function bodyOf(result: { body?: string }): unknown {
  return JSON.parse(result.body ?? '');
}

describe('route matching (routes.ts)', () => {
  it('prefers a literal segment to a parameter, decodes parameters and ignores trailing slashes', () => {
    expect(routeRequest(ROUTES, 'GET', '/v1/events/chart')).toEqual({
      routeKey: 'GET /v1/events/chart',
      params: {},
    });
    expect(routeRequest(ROUTES, 'get', '/v1/events/a%2Fb%20c/')).toEqual({
      routeKey: 'GET /v1/events/{id}',
      params: { id: 'a/b c' },
    });
    expect(routeRequest(ROUTES, 'GET', '/v1/events/')).toBeUndefined();
    expect(routeRequest(ROUTES, 'GET', '/v1/events/a/b')).toBeUndefined();
    // The local server maps paths as sent: a trailing slash is not folded there.
    expect(matchRoute(ROUTES, 'GET', '/healthz/')).toBeUndefined();
    expect(() => routeRequest(ROUTES, 'GET', '/v1/events/%ff')).toThrow(HttpError);
  });

  it('lists the methods of a path for Allow, sorted, even with a malformed parameter', () => {
    expect(allowedMethods(ROUTES, '/v1/events/e-1/')).toEqual(['DELETE', 'GET']);
    expect(allowedMethods(ROUTES, '/v1/events/%ff')).toEqual(['DELETE', 'GET']);
    expect(allowedMethods(ROUTES, '/v1/events')).toEqual(['POST']);
    expect(allowedMethods(ROUTES, '/nowhere')).toEqual([]);
  });

  it('refuses route keys it cannot read the way API Gateway would', () => {
    for (const routeKey of ['ANY /v1/x', 'GET /v1/{proxy+}', 'GET v1/x', 'get /x', 'GET /a{b}']) {
      expect(() => matchRoute([routeKey], 'GET', '/x'), routeKey).toThrow(/Unsupported route key/);
    }
  });
});

describe('createHttpApi', () => {
  it('hands the matched route, decoded parameters, request id and Lambda context to its handler', async () => {
    const { api, seen } = echoing();
    const request = event('GET', '/v1/events/e%201');
    const context = { getRemainingTimeInMillis: () => 1000 };
    const response = await api(request, context);
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ routeKey: 'GET /v1/events/{id}', params: { id: 'e 1' } });
    expect(seen[0]).toMatchObject({
      routeKey: 'GET /v1/events/{id}',
      requestId: request.requestContext.requestId,
    });
    expect(seen[0]?.context).toBe(context);
    expect(seen[0]?.event).toBe(request);
  });

  it('answers 404 for an unknown path and 405 with Allow for a method its path does not have', async () => {
    const { api, seen } = echoing();
    const unknown = await api(event('GET', '/nowhere'));
    expect(unknown.statusCode).toBe(404);
    expect(bodyOf(unknown)).toEqual({ success: false, error: 'No route for GET /nowhere' });
    const wrongMethod = await api(event('PUT', '/v1/events/e-1'));
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers).toMatchObject({ allow: 'DELETE, GET', 'content-type': 'application/json' });
    expect(bodyOf(wrongMethod)).toEqual({
      success: false,
      error: 'PUT is not allowed on /v1/events/e-1; allowed: DELETE, GET',
    });
    expect(seen).toEqual([]);
  });

  it('answers 400 for a malformed percent-encoded parameter, without calling the handler', async () => {
    const { api, seen, errors } = echoing();
    const response = await api(event('GET', '/v1/events/%E0%A4%A'));
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response)).toEqual({
      success: false,
      error: 'Path segment "%E0%A4%A" is not valid percent-encoding',
    });
    expect([seen, errors]).toEqual([[], []]);
  });

  it('reads bodies within the API limits: 413 past them, 415 for an unknown encoding, gzip undone', async () => {
    const bodies: Uint8Array[] = [];
    const { api } = echoing({
      routes: [
        {
          routeKey: 'POST /v1/events',
          handler: async (request: HttpRequest) => {
            bodies.push(request.body());
            return jsonResponse(200, {});
          },
        },
      ],
    });
    const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
      api(event('POST', '/v1/events', { method: 'POST', path: '/v1/events', body, headers }));
    expect((await post(gzipSync('{"a":1}'), { 'content-encoding': 'gzip' })).statusCode).toBe(200);
    expect(Buffer.from(bodies[0] as Uint8Array).toString()).toBe('{"a":1}');
    expect((await post('x'.repeat(65))).statusCode).toBe(413);
    expect((await post(gzipSync('x'.repeat(200)), { 'content-encoding': 'gzip' })).statusCode).toBe(413);
    const unknown = await post('{}', { 'content-encoding': 'zstd' });
    expect(unknown.statusCode).toBe(415);
    expect(bodyOf(unknown)).toMatchObject({ success: false, error: expect.stringContaining('zstd') });
  });

  it('answers domain errors with their status and headers, and hides and reports anything else', async () => {
    const failures: Record<string, Error> = {
      '/v1/events/limited': new RateLimitedError('slow down', 7),
      '/v1/events/anonymous': new UnauthorizedError('Missing credentials', 'required'),
      '/v1/events/missing': new NotFoundError('No event with id "missing"'),
      '/v1/events/broken': new Error('secret internals'),
    };
    const { api, errors } = echoing({
      routes: [
        {
          routeKey: 'GET /v1/events/{id}',
          handler: async (request: HttpRequest) => {
            throw failures[request.event.rawPath];
          },
        },
      ],
    });
    const limited = await api(event('GET', '/v1/events/limited'));
    expect([limited.statusCode, limited.headers?.['retry-after']]).toEqual([429, '7']);
    const anonymous = await api(event('GET', '/v1/events/anonymous'));
    expect([anonymous.statusCode, anonymous.headers?.['www-authenticate']]).toEqual([401, 'Bearer']);
    const missing = await api(event('GET', '/v1/events/missing'));
    expect([missing.statusCode, bodyOf(missing)]).toEqual([
      404,
      { success: false, error: 'No event with id "missing"' },
    ]);
    expect(errors).toEqual([]);
    const broken = event('GET', '/v1/events/broken');
    const failed = await api(broken);
    expect([failed.statusCode, bodyOf(failed)]).toEqual([500, { success: false, error: 'Internal error' }]);
    expect(errors).toEqual([
      {
        error: failures['/v1/events/broken'],
        context: { routeKey: 'GET /v1/events/{id}', status: 500, requestId: broken.requestContext.requestId },
      },
    ]);
  });

  it("formats error bodies with the API's hook, which learns the matched route", async () => {
    const seen: Array<string | undefined> = [];
    const { api } = echoing({
      routes: [
        {
          routeKey: 'POST /v1/events',
          handler: async () => {
            throw new UnauthorizedError('no key');
          },
        },
      ],
      errorBody: (refusal, request) => {
        seen.push(request.routeKey);
        return {
          statusCode: refusal.status,
          headers: { 'content-type': 'text/plain' },
          body: refusal.message,
        };
      },
    });
    expect(await api(event('POST', '/v1/events'))).toEqual({
      statusCode: 401,
      headers: { 'content-type': 'text/plain' },
      body: 'no key',
    });
    expect((await api(event('GET', '/nowhere'))).statusCode).toBe(404);
    expect(seen).toEqual(['POST /v1/events', undefined]);
  });

  it('refuses an answer Lambda could not return with a 500 naming the limit', async () => {
    const { api, errors } = echoing({
      routes: [
        { routeKey: 'GET /healthz', handler: async () => jsonResponse(200, 'x'.repeat(7 * 1024 * 1024)) },
      ],
    });
    const response = await api(event('GET', '/healthz'));
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toMatchObject({ error: expect.stringMatching(/a Lambda response is at most/) });
    expect(errors).toHaveLength(1);
  });

  it('refuses a route table that declares a route twice', () => {
    const twice: HttpRoute[] = [
      { routeKey: 'GET /healthz', handler: async () => jsonResponse(200, {}) },
      { routeKey: 'GET /healthz', handler: async () => jsonResponse(200, {}) },
    ];
    expect(() =>
      createHttpApi({ routes: twice, bodyLimits: { maxBodyBytes: 1, maxDecompressedBytes: 1 } }),
    ).toThrow(/declared twice/);
  });
});

describe('the apps declare their route tables', () => {
  it('each app serves exactly its table: no key of it is a 404 or 405', async () => {
    const { INGEST_ROUTES } = await import('../../../lambdas/ingest/routes');
    const { QUERY_ROUTES } = await import('../../../lambdas/query-api/routes');
    const { CONTROL_PLANE_ROUTES } = await import('../../../lambdas/control-plane-api/routes');
    const { TOKEN_ROUTES } = await import('../../../lambdas/control-plane-tokens/routes');
    const { createIngestHandler } = await import('../../../lambdas/ingest/app');
    const { createQueryApiHandler } = await import('../../../lambdas/query-api/app');
    const { createControlPlaneApi } = await import('../../../lambdas/control-plane-api/app');
    const { createTokenService } = await import('../../../lambdas/control-plane-tokens/app');
    const { MemoryControlPlaneStore } = await import('../../../lambdas/domain/control-plane/memory-store');
    const { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } = await import('../../support/memory-ports');
    const store = new MemoryControlPlaneStore();
    const nobody = () => undefined;
    const apps: Array<
      [readonly string[], (event: APIGatewayProxyEventV2) => Promise<{ statusCode?: number }>]
    > = [
      [
        INGEST_ROUTES,
        createIngestHandler({
          keys: new MemoryKeyRegistry(),
          rawArchive: new MemoryObjectStore(),
          overflowStore: new MemoryObjectStore(),
          eventsQueue: new MemoryQueue(),
        }),
      ],
      [
        QUERY_ROUTES,
        createQueryApiHandler({
          keys: new MemoryKeyRegistry(),
          queries: {} as never,
          eventsQueue: new MemoryQueue(),
          overflowStore: new MemoryObjectStore(),
        }),
      ],
      [
        CONTROL_PLANE_ROUTES,
        createControlPlaneApi({
          store,
          changes: { publish: async () => {} },
          actorFrom: nobody,
          monitorStates: memoryStateBoard(),
        }),
      ],
      [
        TOKEN_ROUTES.filter((routeKey) => routeKey !== 'GET /.well-known/jwks.json'),
        createTokenService({
          store,
          keyRing: {} as never,
          issuer: 'https://cp.example',
          dataPlaneIds: ['dp'],
          actorFrom: nobody,
        }),
      ],
    ];
    for (const [routes, api] of apps) {
      for (const routeKey of routes) {
        const [method = '', template = ''] = routeKey.split(' ');
        const response = await api(event(method, template.replace(/\{\w+\}/g, 'x')));
        // Served: the route's own answer (200 for /healthz, else a 401 for the missing credential).
        expect([200, 401], routeKey).toContain(response.statusCode);
      }
    }
  });
});
