/**
 * One large request must not stall the process: while the handler works on it, timers (and so other
 * requests, /healthz included) keep being served, because decoding, normalizing and queue packing run
 * in slices and bodies inflate on the thread pool. (A REST body's JSON.parse and depth check still run
 * in one piece, about 10 ms per MiB; its events are then built in slices.)
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { apigwEvent } from '../../support/apigw-event';
import { memoryIngest } from '../../support/memory-ingest';
import { otlpProtobufRequest } from '../../support/otlp-request-shapes';

const KEY = 'wgl_slices-test-key';

/**
 * Runs `work` while a 2 ms timer counts its turns and notes the longest wait between them. The test
 * holds the longest wait to a share of the whole request, not to a number of milliseconds: a busy or
 * slow machine stretches both alike, while work that never yields shows as one wait covering most
 * of the request (measured: 1,376 ms of 1,528 ms with slicing turned off; 78 of 1,556 with it).
 */
async function timerTurns(
  work: () => Promise<unknown>,
): Promise<{ turns: number; gapMs: number; elapsedMs: number }> {
  let last = performance.now();
  let gapMs = 0;
  let turns = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
    turns++;
  }, 2);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { turns, gapMs: Math.max(gapMs, performance.now() - last), elapsedMs: performance.now() - started };
}

/** No single stall may take more than this share of the request's time. */
const MAX_GAP_SHARE = 0.25;

describe('a large request and the event loop', () => {
  it.each([
    [
      'OTLP protobuf, 16,384 spans of 15 attributes',
      '/v1/traces',
      'application/x-protobuf',
      otlpProtobufRequest({ spans: 16_384, attributesPerSpan: 15, valueLength: 40 }),
    ],
  ])('%s: timers keep running while it is ingested', async (_name, path, contentType, body) => {
    const { handler } = await memoryIngest(KEY);
    const event = apigwEvent({
      method: 'POST',
      path,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': contentType, 'content-encoding': 'gzip' },
      body: gzipSync(body, { level: 1 }),
    });
    let status = 0;
    const { turns, gapMs, elapsedMs } = await timerTurns(async () => {
      status = (await handler(event)).statusCode ?? 0;
    });
    console.log(
      `${_name}: ${turns} timer turns, longest gap ${gapMs.toFixed(0)} ms, in ${elapsedMs.toFixed(0)} ms`,
    );
    expect(status).toBe(200);
    expect(gapMs).toBeLessThan(MAX_GAP_SHARE * elapsedMs);
  });
});
