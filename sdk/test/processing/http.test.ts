import { describe, expect, it } from 'vitest';
import { HttpSendError, postJson, sendHttp, sharedAgentFor } from '../../src/integration/http';
import { WaggleOtlpExporter } from '../../src/processing/otlp-exporter';
import { makeSpans, refusedUrl, useReceivers } from './otlp-receiver';

const receiver = useReceivers();

async function sendError(promise: Promise<unknown>): Promise<HttpSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpSendError);
  return error as HttpSendError;
}

describe('sendHttp', () => {
  it('sends method, headers and body and returns status, headers and body', async () => {
    const r = await receiver(() => ({ status: 202, headers: { 'x-reply': 'yes' }, body: 'pong' }));
    const response = await sendHttp({
      url: `${r.origin}/echo`,
      method: 'PUT',
      headers: { 'x-test': 'abc' },
      body: 'ping',
      timeoutMs: 1_000,
    });
    expect(response.status).toBe(202);
    expect(response.headers['x-reply']).toBe('yes');
    expect(Buffer.from(response.body).toString()).toBe('pong');
    expect(r.requests[0]?.method).toBe('PUT');
    expect(r.requests[0]?.headers['x-test']).toBe('abc');
    expect(r.requests[0]?.body.toString()).toBe('ping');
  });

  it('rejects with reason network when the connection is refused', async () => {
    const error = await sendError(sendHttp({ url: await refusedUrl(), headers: {}, timeoutMs: 1_000 }));
    expect(error.reason).toBe('network');
  });

  it('rejects with reason timeout when the server never answers, at the time limit', async () => {
    const r = await receiver(() => ({ hang: true }));
    const started = performance.now();
    const error = await sendError(sendHttp({ url: r.url, headers: {}, body: 'x', timeoutMs: 100 }));
    const elapsed = performance.now() - started;
    expect(error.reason).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('rejects with reason aborted when the signal fires', async () => {
    const r = await receiver(() => ({ hang: true }));
    const controller = new AbortController();
    const pending = sendHttp({ url: r.url, headers: {}, timeoutMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect((await sendError(pending)).reason).toBe('aborted');
  });

  it('rejects with reason invalid-request when node:http refuses a header value', async () => {
    const r = await receiver();
    const error = await sendError(
      sendHttp({ url: r.url, headers: { authorization: 'Bearer a\nb' }, timeoutMs: 500 }),
    );
    expect(error.reason).toBe('invalid-request');
    expect(r.requests).toHaveLength(0);
  });

  it('rejects with reason invalid-url for garbage and unsupported protocols', async () => {
    expect((await sendError(sendHttp({ url: 'not a url', headers: {}, timeoutMs: 100 }))).reason).toBe(
      'invalid-url',
    );
    expect(
      (await sendError(sendHttp({ url: 'ftp://127.0.0.1/x', headers: {}, timeoutMs: 100 }))).reason,
    ).toBe('invalid-url');
  });
});

describe('shared keep-alive agents', () => {
  it('gives every URL of one origin the same Agent and other origins another', () => {
    const a = sharedAgentFor(new URL('http://127.0.0.1:1/v1/traces'));
    expect(sharedAgentFor(new URL('http://127.0.0.1:1/session/start'))).toBe(a);
    expect(sharedAgentFor(new URL('http://127.0.0.1:2/v1/traces'))).not.toBe(a);
  });

  it('two exporters on the same endpoint reuse one connection', async () => {
    const r = await receiver();
    const first = new WaggleOtlpExporter({ url: r.url, apiKey: 'k1' });
    const second = new WaggleOtlpExporter({ url: r.url, apiKey: 'k2' });
    const exportOnce = (exporter: WaggleOtlpExporter) =>
      new Promise<number>((resolve) => exporter.export(makeSpans(1), (result) => resolve(result.code)));
    for (let i = 0; i < 3; i++) {
      expect(await exportOnce(first)).toBe(0);
      expect(await exportOnce(second)).toBe(0);
    }
    expect(r.requests).toHaveLength(6);
    expect(r.requests.map((q) => q.headers.authorization)).toEqual([
      'Bearer k1',
      'Bearer k2',
      'Bearer k1',
      'Bearer k2',
      'Bearer k1',
      'Bearer k2',
    ]);
    expect(r.connections).toBe(1);
  });
});

describe('postJson', () => {
  it('posts JSON with the bearer key and returns the parsed answer', async () => {
    const r = await receiver(() => ({ body: '{"session_id":"s-1"}' }));
    const result = await postJson(
      `${r.origin}/session/start`,
      { session: { project: 'p' } },
      { apiKey: 'key', timeoutMs: 1_000 },
    );
    expect(result).toEqual({ ok: true, status: 200, json: { session_id: 's-1' } });
    expect(r.requests[0]?.headers.authorization).toBe('Bearer key');
    expect(r.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.requests[0]?.body.toString() ?? '')).toEqual({ session: { project: 'p' } });
  });

  it('describes non-2xx answers, malformed bodies and network failures without rejecting', async () => {
    const r = await receiver((_req, i) => (i === 0 ? { status: 401, body: 'bad key' } : { body: '{nope' }));
    const url = `${r.origin}/session/start`;
    expect(await postJson(url, {}, { apiKey: 'k', timeoutMs: 1_000 })).toMatchObject({
      ok: false,
      status: 401,
      reason: 'http-status',
      message: 'bad key',
    });
    expect(await postJson(url, {}, { apiKey: 'k', timeoutMs: 1_000 })).toMatchObject({
      ok: false,
      reason: 'malformed-response',
    });
    expect(await postJson(await refusedUrl(), {}, { apiKey: 'k', timeoutMs: 1_000 })).toMatchObject({
      ok: false,
      reason: 'network',
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(await postJson(url, cyclic, { apiKey: 'k', timeoutMs: 1_000 })).toMatchObject({
      ok: false,
      reason: 'invalid-request',
    });
  });
});
