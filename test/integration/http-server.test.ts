import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type HttpApiHandler,
  type RunningHttpServer,
  startHttpServer,
} from '../../lambdas/local/http-server';

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
    await send(url, { method: 'DELETE', path: '/healthz' });

    const [post, unknown, withParameter, wrongMethod] = events;
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
    expect(wrongMethod?.routeKey).toBe('$default');
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
