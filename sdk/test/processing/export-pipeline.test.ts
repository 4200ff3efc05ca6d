import { TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { flushWithTimeout } from '../../src/lifecycle/timeouts';
import { createExportPipeline, type ExportPipelineOptions } from '../../src/processing/export-pipeline';
import { EXPORT_PROFILES } from '../../src/processing/export-profiles';
import { createRateLimitedLogger } from '../../src/processing/rate-limited-logger';
import { makeSpans, type RecordedRequest, refusedUrl, sleep, tracerFor, useReceivers } from './otlp-receiver';

const receiver = useReceivers();

function capturingLogger() {
  const lines: string[] = [];
  return { lines, logger: createRateLimitedLogger({ intervalMs: 60_000, sink: (line) => lines.push(line) }) };
}

function pipeline(options: Partial<ExportPipelineOptions> & { url: string }) {
  return createExportPipeline({
    apiKey: 'k',
    protocol: 'json',
    compression: 'none',
    scheduledDelayMs: 60_000,
    retry: { maxAttempts: 2, initialBackoffMs: 5, maxBackoffMs: 10, deadlineMs: 1_000 },
    exportTimeoutMs: 500,
    logger: capturingLogger().logger,
    ...options,
  });
}

function spanCount(request: RecordedRequest): number {
  const body = JSON.parse(request.body.toString());
  return body.resourceSpans[0].scopeSpans[0].spans.length;
}

describe('export pipeline batching', () => {
  it('exports full batches at once and the rest on flush, one request at a time', async () => {
    const r = await receiver(() => ({ delayMs: 10 }));
    const processor = pipeline({ url: r.url, maxExportBatchSize: 3 });
    const tracer = tracerFor(processor);
    for (let i = 0; i < 7; i++) tracer.startSpan(`s${i}`).end();
    await processor.forceFlush();
    expect(r.requests.map(spanCount)).toEqual([3, 3, 1]);
    expect(r.maxConcurrent).toBe(1);
    expect(processor.stats()).toEqual({ queued: 0, exported: 7, dropped: 0, failed: 0, retries: 0 });
  });

  it('exports a partial batch after scheduledDelayMs without a flush', async () => {
    const r = await receiver();
    const processor = pipeline({ url: r.url, scheduledDelayMs: 30, maxExportBatchSize: 100 });
    const tracer = tracerFor(processor);
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
    await sleep(15);
    expect(r.requests).toHaveLength(0);
    for (let i = 0; i < 50 && r.requests.length === 0; i++) await sleep(10);
    expect(r.requests.map(spanCount)).toEqual([2]);
  });

  it('ignores spans that are not sampled', async () => {
    const r = await receiver();
    const processor = pipeline({ url: r.url });
    const [span] = makeSpans(1);
    if (span === undefined) throw new Error('no span');
    const unsampled: ReadableSpan = Object.assign(Object.create(span), {
      spanContext: () => ({ ...span.spanContext(), traceFlags: TraceFlags.NONE }),
    });
    processor.onEnd(unsampled);
    expect(processor.stats().queued).toBe(0);
    processor.onEnd(span);
    expect(processor.stats().queued).toBe(1);
  });
});

describe('export pipeline under pressure', () => {
  it('keeps the queue bounded and counts drops when the producer is 10x faster than the exporter', async () => {
    // The receiver takes 20 ms per batch of 10 (2 ms a span); the producer ends a span every 0.2 ms or faster.
    const r = await receiver(() => ({ delayMs: 20 }));
    const { lines, logger } = capturingLogger();
    const processor = pipeline({ url: r.url, maxQueueSize: 50, maxExportBatchSize: 10, logger });
    const tracer = tracerFor(processor);
    let produced = 0;
    let maxQueued = 0;
    const until = performance.now() + 300;
    while (performance.now() < until) {
      for (let i = 0; i < 20; i++) {
        tracer.startSpan('busy', { attributes: { payload: 'x'.repeat(1_000) } }).end();
        produced++;
      }
      maxQueued = Math.max(maxQueued, processor.stats().queued);
      await sleep(2);
    }
    expect(await flushWithTimeout(processor, 2_000)).toBe(true);
    const stats = processor.stats();
    // The queue is the only place spans wait, so its bound is the memory bound.
    expect(maxQueued).toBeLessThanOrEqual(50);
    expect(stats.dropped).toBeGreaterThan(produced / 3);
    expect(stats.exported + stats.dropped + stats.failed + stats.queued).toBe(produced);
    expect(lines.filter((line) => line.includes('queue full'))).toHaveLength(1);
  });
});

describe('export pipeline failures', () => {
  it('counts failed spans against a refused endpoint and logs once per interval', async () => {
    const { lines, logger } = capturingLogger();
    const processor = pipeline({ url: await refusedUrl(), maxExportBatchSize: 2, logger });
    const tracer = tracerFor(processor);
    for (let i = 0; i < 6; i++) tracer.startSpan('x').end();
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ exported: 0, failed: 6, retries: 3 });
    expect(lines.filter((line) => line.includes('failed to export'))).toHaveLength(1);
  });

  it('survives an exporter that throws or never calls back', async () => {
    let calls = 0;
    const exporter: SpanExporter = {
      export(_spans, callback: (result: ExportResult) => void) {
        calls++;
        if (calls === 1) throw new Error('boom');
        if (calls === 2) return; // never calls back
        callback({ code: ExportResultCode.SUCCESS });
      },
      shutdown: async () => {},
    };
    const processor = pipeline({
      url: 'http://127.0.0.1:9/unused',
      exporter,
      maxExportBatchSize: 1,
      exportTimeoutMs: 50,
      retry: { deadlineMs: 50 },
    });
    const tracer = tracerFor(processor);
    for (let i = 0; i < 3; i++) tracer.startSpan('x').end();
    await processor.forceFlush();
    expect(processor.stats()).toMatchObject({ exported: 1, failed: 2 });
  });

  it('flushWithTimeout resolves false when the endpoint hangs, within the time limit', async () => {
    const r = await receiver(() => ({ hang: true }));
    const processor = pipeline({
      url: r.url,
      exportTimeoutMs: 5_000,
      retry: { deadlineMs: 10_000 },
      shutdownTimeoutMs: 50,
    });
    tracerFor(processor).startSpan('x').end();
    const started = performance.now();
    expect(await flushWithTimeout(processor, 100)).toBe(false);
    expect(performance.now() - started).toBeLessThan(400);
    // Shutdown gives up on the hanging export after shutdownTimeoutMs and aborts it.
    const shutdownStarted = performance.now();
    await processor.shutdown();
    expect(performance.now() - shutdownStarted).toBeLessThan(400);
    expect(processor.stats()).toMatchObject({ exported: 0, failed: 1 });
  });
});

describe('export pipeline shutdown', () => {
  it('exports pending spans, shuts the exporter down once, and drops later spans', async () => {
    let shutdowns = 0;
    const exported: number[] = [];
    const exporter: SpanExporter = {
      export(spans, callback: (result: ExportResult) => void) {
        exported.push(spans.length);
        callback({ code: ExportResultCode.SUCCESS });
      },
      shutdown: async () => {
        shutdowns++;
      },
    };
    const processor = pipeline({ url: 'http://127.0.0.1:9/unused', exporter });
    const tracer = tracerFor(processor);
    tracer.startSpan('a').end();
    tracer.startSpan('b').end();
    const first = processor.shutdown();
    const second = processor.shutdown();
    expect(second).toBe(first);
    await first;
    await processor.shutdown();
    expect(exported).toEqual([2]);
    expect(shutdowns).toBe(1);
    tracer.startSpan('late').end();
    expect(processor.stats()).toMatchObject({ exported: 2, dropped: 1, queued: 0 });
  });
});

describe('export profiles', () => {
  it('gives serverless a flush that fits a short budget and long-running larger, slower batches', () => {
    const { serverless, 'long-running': longRunning } = EXPORT_PROFILES;
    expect(serverless.retry.deadlineMs).toBeLessThanOrEqual(2_000);
    expect(serverless.exportTimeoutMs).toBeLessThanOrEqual(serverless.retry.deadlineMs);
    expect(serverless.scheduledDelayMs).toBeLessThan(longRunning.scheduledDelayMs);
    expect(longRunning.maxExportBatchSize).toBeGreaterThan(serverless.maxExportBatchSize);
    expect(longRunning.scheduledDelayMs).toBe(5_000);
  });
});
