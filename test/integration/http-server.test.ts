import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AnsweredRequest,
  type HttpApiHandler,
  type RunningHttpServer,
  startHttpServer,
} from '../../lambdas/local/http-server';
import { noteRequest } from '../../lambdas/local/request-notes';

/** The log hook runs when the connection is done with a request, a moment after the client has the answer. */
async function eventuallyLength(list: unknown[], length: number): Promise<void> {
  for (let tries = 0; tries < 100 && list.length < length; tries++)
    await new Promise((r) => setTimeout(r, 10));
  expect(list).toHaveLength(length);
}

const ROUTES = ['POST /v1/traces', 'GET /healthz', 'GET /events/{id}'];

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A bare node:http request so that tests control raw headers and bodies exactly. */
function send(
  url: string,
  options: {
    method?: string;
    path: string;
    headers?: Record<string, string | string[]>;
    body?: Uint8Array | string;
  },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${options.path}`,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('local HTTP API server', () => {
  let server: RunningHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(handler: HttpApiHandler) {
    server = await startHttpServer({ port: 0, host: '127.0.0.1', routes: ROUTES, handler, log: () => {} });
    return server;
  }

  function recording(result: APIGatewayProxyStructuredResultV2 = { statusCode: 200, body: 'ok' }) {
    const events: APIGatewayProxyEventV2[] = [];
    const handler: HttpApiHandler = async (event) => {
      events.push(event);
      return result;
    };
    return { events, handler };
  }

  it('hands protobuf and gzip bodies over base64-encoded and JSON as text', async () => {
    const { events, handler } = recording();
    const { url } = await start(handler);
    const protobuf = Buffer.from([0x0a, 0x00, 0xff, 0x80, 0x12]);
    await send(url, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: protobuf,
    });
    await send(url, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"a":"é"}',
    });
    await send(url, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: protobuf,
    });
    await send(url, { method: 'POST', path: '/v1/traces', body: 'no content type' });
    await send(url, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'text/plain' },
      body: protobuf,
    });

    expect(events.map((event) => [event.isBase64Encoded, event.body])).toEqual([
      [true, protobuf.toString('base64')],
      [false, '{"a":"é"}'],
      [true, protobuf.toString('base64')],
      [true, Buffer.from('no content type').toString('base64')],
      // Not valid UTF-8: base64 keeps every byte.
      [true, protobuf.toString('base64')],
    ]);
  });

  it('builds a payload v2 event: route key, path, query, lower-cased joined headers, cookies, context', async () => {
    const { events, handler } = recording();
    const { url } = await start(handler);
    const before = Date.now();
    await send(url, {
      method: 'POST',
      path: '/v1/traces?a=1&b=x%20y&a=2',
      headers: {
        'X-Multi': ['one', 'two'],
        Cookie: 'c1=v1; c2=v2',
        'User-Agent': 'tester/1.0',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    await send(url, { path: '/unknown/path' });
    await send(url, { path: '/events/evt-42' });

    const [post, unknown, withParameter] = events;
    expect(post).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/traces',
      rawPath: '/v1/traces',
      rawQueryString: 'a=1&b=x%20y&a=2',
      queryStringParameters: { a: '1,2', b: 'x y' },
      cookies: ['c1=v1', 'c2=v2'],
      isBase64Encoded: false,
      body: '{}',
      requestContext: {
        http: {
          method: 'POST',
          path: '/v1/traces',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'tester/1.0',
        },
        routeKey: 'POST /v1/traces',
        stage: '$default',
      },
    });
    expect(post?.headers['x-multi']).toBe('one,two');
    expect(post?.headers['user-agent']).toBe('tester/1.0');
    expect(post?.headers.cookie).toBeUndefined();
    expect(post?.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(post?.requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(post?.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);

    expect(unknown).toMatchObject({ routeKey: '$default', rawPath: '/unknown/path', rawQueryString: '' });
    expect(unknown?.queryStringParameters).toBeUndefined();
    expect(unknown?.body).toBeUndefined();
    expect(withParameter).toMatchObject({ routeKey: 'GET /events/{id}', pathParameters: { id: 'evt-42' } });
  });

  it('answers 405 with Allow for a known path and a method none of its routes has, without calling the handler', async () => {
    const { events, handler } = recording();
    const { url } = await start(handler);
    for (const [method, path, allow] of [
      ['GET', '/v1/traces', 'POST'],
      ['DELETE', '/healthz', 'GET'],
      ['POST', '/events/evt-1', 'GET'],
      ['PUT', '/v1/traces/', 'POST'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ message: 'Method Not Allowed', allow: [allow] });
    }
    expect(events).toEqual([]);
    // An unknown path still reaches the handler (its router answers 404).
    expect((await fetch(`${url}/nowhere`)).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('answers a 12 MB body sent by Node fetch with a 413 the client reads (the body is drained, not reset)', async () => {
    const { events, handler } = recording();
    const { url } = await start(handler);
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: new Uint8Array(12 * 1024 * 1024),
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    }
    // Streamed without a length: read up to the limit, then drained too.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 12; index++) controller.enqueue(new Uint8Array(1024 * 1024));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}/v1/traces`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(events).toHaveLength(0);
  });

  it('reports each answered request once: method, path without query, status, time, why it was refused, handler notes', async () => {
    const answered: AnsweredRequest[] = [];
    server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      routes: ROUTES,
      log: () => {},
      onAnswered: (request) => answered.push(request),
      handler: async (event) => {
        if (event.rawPath === '/healthz') return { statusCode: 200, body: 'ok' };
        noteRequest({ project: 'p-1', accepted: 3 });
        return {
          statusCode: 401,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ success: false, error: 'Invalid API key' }),
        };
      },
    });
    await send(server.url, { method: 'POST', path: '/v1/traces?secret=1', body: '{}' });
    await send(server.url, { path: '/healthz' });
    await fetch(`${server.url}/v1/traces`);
    await eventuallyLength(answered, 3);
    expect(answered[0]).toMatchObject({
      method: 'POST',
      path: '/v1/traces',
      status: 401,
      why: 'Invalid API key',
      notes: { project: 'p-1', accepted: 3 },
    });
    expect(answered[0]?.ms).toBeGreaterThanOrEqual(0);
    expect(answered[1]).toMatchObject({ method: 'GET', path: '/healthz', status: 200, notes: {} });
    expect(answered[1]?.why).toBeUndefined();
    expect(answered[2]).toMatchObject({
      status: 405,
      why: 'GET is not allowed on /v1/traces; allowed: POST',
    });
  });

  it('writes the handler result: status, headers, cookies, base64-decoded body', async () => {
    const bytes = Buffer.from([1, 2, 3, 250]);
    const { url } = await start(async () => ({
      statusCode: 201,
      headers: { 'Content-Type': 'application/x-protobuf', 'retry-after': 5 },
      cookies: ['s=1; Path=/'],
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    }));
    const response = await send(url, { path: '/healthz' });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/x-protobuf');
    expect(response.headers['retry-after']).toBe('5');
    expect(response.headers['set-cookie']).toEqual(['s=1; Path=/']);
    expect(response.body).toEqual(bytes);
  });

  it('answers 500 with a JSON error when the handler throws, and keeps serving', async () => {
    let calls = 0;
    const { url } = await start(async () => {
      calls++;
      if (calls === 1) throw new Error('handler exploded');
      return { statusCode: 200, body: 'fine' };
    });
    const failed = await send(url, { path: '/healthz' });
    expect(failed.status).toBe(500);
    expect(failed.headers['content-type']).toBe('application/json');
    expect(JSON.parse(failed.body.toString())).toMatchObject({ message: 'Internal Server Error' });
    const next = await send(url, { path: '/healthz' });
    expect([next.status, next.body.toString()]).toEqual([200, 'fine']);
  });

  it('answers 400 for a path parameter with malformed percent-encoding, without calling the handler', async () => {
    const { events, handler } = recording();
    const { url } = await start(handler);
    for (const path of ['/events/%ff', '/events/%E0%A4%A', '/events/%']) {
      const response = await send(url, { path });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toBe('application/json');
      expect(JSON.parse(response.body.toString()).message).toMatch(/is not valid percent-encoding/);
    }
    expect(events).toEqual([]);
    const decoded = await send(url, { path: '/events/a%2Fb%20c' });
    expect(decoded.status).toBe(200);
    expect(events[0]?.pathParameters).toEqual({ id: 'a/b c' });
  });

  it('answers 413 above 10 MB without calling the handler, declared or streamed', async () => {
    const { events, handler } = recording();
    const { url } = await start(handler);
    const declared = await send(url, {
      method: 'POST',
      path: '/v1/traces',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(declared.status).toBe(413);

    // Chunked (no content-length): the server stops reading once the limit is passed.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${url}/v1/traces`,
        { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024);
      for (let index = 0; index < 11; index++) req.write(chunk);
      req.end();
    });
    expect(streamed).toBe(413);
    expect(events).toHaveLength(0);
    expect((await send(url, { path: '/healthz' })).status).toBe(200);
  });

  it('accepts a body of exactly 10 MB', async () => {
    const { events, handler } = recording();
    const { url } = await start(handler);
    const response = await send(url, {
      method: 'POST',
      path: '/v1/traces',
      body: Buffer.alloc(10 * 1024 * 1024, 1),
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(events[0]?.body ?? '', 'base64').byteLength).toBe(10 * 1024 * 1024);
  });

  it('close() stops accepting and waits for in-flight requests to be answered', async () => {
    let release: () => void = () => {};
    let started: () => void = () => {};
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const running = await start(async () => {
      started();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return { statusCode: 200, body: 'drained' };
    });
    const inFlight = send(running.url, { path: '/healthz' });
    await handlerStarted;
    let closed = false;
    const closing = running.close().then(() => {
      closed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    await expect(send(running.url, { path: '/healthz' })).rejects.toThrow(/ECONNREFUSED/);
    release();
    const response = await inFlight;
    expect([response.status, response.body.toString()]).toEqual([200, 'drained']);
    await closing;
    expect(closed).toBe(true);
    server = undefined;
  });
});
