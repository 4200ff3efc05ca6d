import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { decodeTraceRequestProtobuf } from '../../../lambdas/domain/otlp/decode-protobuf';
import {
  encodeTraceResponseJson,
  encodeTraceResponseProtobuf,
} from '../../../lambdas/domain/otlp/encode-response';
import { WaggleOtlpExporter, type WaggleOtlpExporterOptions } from '../../src/processing/otlp-exporter';
import { makeSpans, refusedUrl, useReceivers } from './otlp-receiver';

const receiver = useReceivers();

const FAST_RETRY = { maxAttempts: 4, initialBackoffMs: 5, maxBackoffMs: 20, deadlineMs: 2_000 };

function exporter(options: Partial<WaggleOtlpExporterOptions> & { url: string }): WaggleOtlpExporter {
  return new WaggleOtlpExporter({ apiKey: 'test-key', retry: FAST_RETRY, timeoutMs: 1_000, ...options });
}

function exportSpans(target: WaggleOtlpExporter, count = 2): Promise<ExportResult> {
  return new Promise((resolve) => target.export(makeSpans(count), resolve));
}

describe('WaggleOtlpExporter encoding', () => {
  it('sends gzip protobuf with the bearer key that Waggle decodes', async () => {
    const r = await receiver();
    const result = await exportSpans(exporter({ url: r.url }), 3);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const request = r.requests[0];
    expect(request?.path).toBe('/v1/traces');
    expect(request?.headers['content-type']).toBe('application/x-protobuf');
    expect(request?.headers['content-encoding']).toBe('gzip');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    const decoded = decodeTraceRequestProtobuf(new Uint8Array(request?.body ?? []));
    const names = decoded.resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)),
    );
    expect(names).toEqual(['span-0', 'span-1', 'span-2']);
  });

  it('sends uncompressed JSON when asked', async () => {
    const r = await receiver(() => ({ body: '{}' }));
    const result = await exportSpans(exporter({ url: r.url, protocol: 'json', compression: 'none' }), 2);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const request = r.requests[0];
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['content-encoding']).toBeUndefined();
    const body = JSON.parse(request?.body.toString() ?? '');
    expect(body.resourceSpans[0].scopeSpans[0].spans.map((s: { name: string }) => s.name)).toEqual([
      'span-0',
      'span-1',
    ]);
  });
});

describe('WaggleOtlpExporter responses', () => {
  it('counts spans rejected in a protobuf partial_success as rejected, the rest as exported', async () => {
    const r = await receiver(() => ({
      body: encodeTraceResponseProtobuf({ rejectedSpans: 2, errorMessage: 'bad ids' }),
    }));
    const target = exporter({ url: r.url });
    expect((await exportSpans(target, 5)).code).toBe(ExportResultCode.SUCCESS);
    expect(target.counters()).toMatchObject({ exportedSpans: 3, rejectedSpans: 2, partialSuccesses: 1 });
  });

  it('reads a JSON partial_success too', async () => {
    const r = await receiver(() => ({
      body: encodeTraceResponseJson({ rejectedSpans: 1, errorMessage: 'x' }),
    }));
    const target = exporter({ url: r.url, protocol: 'json' });
    expect((await exportSpans(target, 2)).code).toBe(ExportResultCode.SUCCESS);
    expect(target.counters()).toMatchObject({ exportedSpans: 1, rejectedSpans: 1, partialSuccesses: 1 });
  });

  it('treats a 2xx with a malformed body as accepted and counts the body', async () => {
    const r = await receiver((_req, i) => ({ body: i === 0 ? '\xff\xff\xff garbage' : 'not json {' }));
    const proto = exporter({ url: r.url });
    const json = exporter({ url: r.url, protocol: 'json' });
    expect((await exportSpans(proto, 2)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportSpans(json, 2)).code).toBe(ExportResultCode.SUCCESS);
    expect(proto.counters()).toMatchObject({ exportedSpans: 2, malformedResponses: 1 });
    expect(json.counters()).toMatchObject({ exportedSpans: 2, malformedResponses: 1 });
  });
});

describe('WaggleOtlpExporter retries', () => {
  it('retries 502, 503 and 504 with backoff until accepted', async () => {
    const statuses = [502, 503, 504, 200];
    const r = await receiver((_req, i) => ({ status: statuses[i] ?? 200 }));
    const target = exporter({ url: r.url });
    expect((await exportSpans(target)).code).toBe(ExportResultCode.SUCCESS);
    expect(r.requests).toHaveLength(4);
    expect(target.counters()).toMatchObject({ requests: 4, retries: 3, exportedSpans: 2, failedSpans: 0 });
  });

  it('honours Retry-After in seconds on 429', async () => {
    const r = await receiver((_req, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : {}));
    // Jitter forced to zero: without Retry-After the retry would follow at once.
    const target = exporter({ url: r.url, random: () => 0, retry: { ...FAST_RETRY, deadlineMs: 5_000 } });
    expect((await exportSpans(target)).code).toBe(ExportResultCode.SUCCESS);
    const [first, second] = r.requests;
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After (an HTTP date) is past the deadline', async () => {
    const later = new Date(Date.now() + 60_000).toUTCString();
    const r = await receiver(() => ({ status: 503, headers: { 'retry-after': later } }));
    const target = exporter({ url: r.url });
    const started = performance.now();
    const result = await exportSpans(target);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/deadline/);
    expect(performance.now() - started).toBeLessThan(500);
    expect(r.requests).toHaveLength(1);
    expect(target.counters()).toMatchObject({ failedSpans: 2, retries: 0 });
  });

  it('does not retry 500 or 400 (not retryable in OTLP/HTTP)', async () => {
    for (const status of [500, 400]) {
      const r = await receiver(() => ({ status }));
      const target = exporter({ url: r.url });
      const result = await exportSpans(target);
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error?.message).toContain(String(status));
      expect(r.requests).toHaveLength(1);
    }
  });

  it('retries a refused connection up to maxAttempts, then fails', async () => {
    const target = exporter({ url: await refusedUrl() });
    const result = await exportSpans(target, 3);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(target.counters()).toMatchObject({ requests: 4, retries: 3, failedSpans: 3, exportedSpans: 0 });
  });

  it('stops a hanging endpoint at the export deadline', async () => {
    const r = await receiver(() => ({ hang: true }));
    const target = exporter({
      url: r.url,
      timeoutMs: 100,
      retry: { maxAttempts: 10, initialBackoffMs: 5, maxBackoffMs: 10, deadlineMs: 250 },
    });
    const started = performance.now();
    const result = await exportSpans(target);
    const elapsed = performance.now() - started;
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(600);
    expect(r.requests.length).toBeGreaterThanOrEqual(2);
    expect(r.requests.length).toBeLessThanOrEqual(3);
  });
});

describe('WaggleOtlpExporter shutdown', () => {
  it('ends a backoff wait early and fails later exports at once', async () => {
    const r = await receiver(() => ({ status: 503, headers: { 'retry-after': '2' } }));
    const target = exporter({ url: r.url, retry: { ...FAST_RETRY, deadlineMs: 10_000 } });
    const pending = exportSpans(target);
    while (r.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await target.shutdown();
    expect((await pending).code).toBe(ExportResultCode.FAILED);
    expect(performance.now() - started).toBeLessThan(500);
    expect((await exportSpans(target)).code).toBe(ExportResultCode.FAILED);
    expect(r.requests).toHaveLength(1);
    await target.shutdown();
  });
});
