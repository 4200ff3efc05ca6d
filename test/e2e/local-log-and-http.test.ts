import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lambdas/local/logger';
import { minimalTraceRequest } from '../support/minimal-otlp';
import { eventually } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const lines: Record<string, unknown>[] = [];
const local = platformForFile('waggle-log-http-', {
  logger: createLogger({ level: 'info', format: 'json', write: (line) => lines.push(JSON.parse(line)) }),
  writer: { maximumBatchingWindowMs: 50 },
});

const otlp = (names: string[]): string => JSON.stringify(minimalTraceRequest(names));

const requestLines = (path: string) =>
  lines.filter((line) => line.msg === `POST ${path}` || line.msg === `GET ${path}`);

describe('the local platform log', () => {
  it('writes one line per request with its project and spans accepted, and one per writer batch', async () => {
    const response = await fetch(`${local.platform.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.platform.apiKey}`, 'content-type': 'application/json' },
      body: otlp(['a', 'b']),
    });
    expect(response.status).toBe(200);
    const line = await eventually(async () =>
      requestLines('/v1/traces').find((entry) => entry.status === 200),
    );
    expect(line).toMatchObject({
      level: 'info',
      msg: 'POST /v1/traces',
      status: 200,
      project: 'default',
      accepted: 2,
    });
    expect(typeof line.ms).toBe('number');
    expect(typeof line.time).toBe('string');
    const batch = await eventually(async () => lines.find((entry) => entry.msg === 'writer: batch written'));
    expect(batch).toMatchObject({ level: 'info', events: 2 });
    expect(batch.files).toBeGreaterThan(0);
  });

  it('says why a request was refused', async () => {
    const response = await fetch(`${local.platform.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: 'Bearer wgl_not-a-key', 'content-type': 'application/json' },
      body: otlp(['x']),
    });
    expect(response.status).toBe(401);
    const line = await eventually(async () =>
      requestLines('/v1/traces').find((entry) => entry.status === 401),
    );
    expect(String(line.why)).toMatch(/key/i);
    expect(line.accepted).toBeUndefined();
  });
});

describe('HTTP manners of the local data plane (Node fetch)', () => {
  it('answers 405 with Allow for a known path with the wrong method', async () => {
    for (const [method, path, allow] of [
      ['GET', '/v1/traces', 'POST'],
      // GET /session/{session_id} (the read honeyhive@1.0.42 calls) also matches /session/start.
      ['PUT', '/session/start', 'GET, POST'],
      ['GET', '/events/export', 'POST'],
      ['PATCH', '/events', 'GET, POST, PUT'],
      ['DELETE', '/healthz', 'GET'],
      ['POST', '/v1/sessions/s-1', 'DELETE, GET'],
    ] as const) {
      const response = await fetch(`${local.platform.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      await response.arrayBuffer();
    }
    expect((await fetch(`${local.platform.url}/no/such/path`)).status).toBe(404);
  });

  it('answers a JSON Status for a content type that is neither protobuf nor JSON, and protobuf for protobuf', async () => {
    const headers = { authorization: `Bearer ${local.platform.apiKey}` };
    const plain = await fetch(`${local.platform.url}/v1/traces`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(plain.status).toBe(415);
    expect(plain.headers.get('content-type')).toBe('application/json');
    const body = (await plain.json()) as { code: number; message: string };
    expect(body.code).toBe(3);
    expect(body.message).toMatch(/content/i);

    const protobuf = await fetch(`${local.platform.url}/v1/traces`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0xff, 0xff, 0xff]),
    });
    expect(protobuf.status).toBe(400);
    expect(protobuf.headers.get('content-type')).toBe('application/x-protobuf');
    await protobuf.arrayBuffer();
  });

  it('answers a 12 MB body with a 413 that fetch reads, and keeps serving', async () => {
    const response = await fetch(`${local.platform.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.platform.apiKey}`, 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(12 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
    expect((await fetch(`${local.platform.url}/healthz`)).status).toBe(200);
    const line = await eventually(async () =>
      requestLines('/v1/traces').find((entry) => entry.status === 413),
    );
    expect(String(line.why)).toContain('larger than');
  });
});
