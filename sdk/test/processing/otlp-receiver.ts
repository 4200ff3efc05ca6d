/** Test helpers: a local OTLP/HTTP receiver on 127.0.0.1 that records requests, and real ended spans. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach } from 'vitest';
import { collectEndedSpans } from './span-capture';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body with any gzip content-encoding removed. */
  body: Buffer;
  receivedAt: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export interface Receiver {
  origin: string;
  url: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  /** Most requests being handled at the same time. */
  maxConcurrent: number;
  close(): Promise<void>;
}

export async function startReceiver(
  reply: (request: RecordedRequest, index: number) => Reply = () => ({}),
): Promise<Receiver> {
  let active = 0;
  const state: Receiver = {
    origin: '',
    url: '',
    requests: [],
    connections: 0,
    maxConcurrent: 0,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw,
        receivedAt: performance.now(),
      };
      const index = state.requests.length;
      state.requests.push(recorded);
      active++;
      state.maxConcurrent = Math.max(state.maxConcurrent, active);
      const answer = reply(recorded, index);
      if (answer.hang === true) return;
      setTimeout(() => {
        active--;
        res.writeHead(answer.status ?? 200, answer.headers ?? {});
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.origin = `http://127.0.0.1:${port}`;
  state.url = `${state.origin}/v1/traces`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A loopback URL nothing listens on: a port that was just free. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1/traces`;
}

/** Ended spans named name-0..name-(n-1), made by the real OpenTelemetry SDK. */
export function makeSpans(count: number, name = 'span'): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const tracer = new TracerProvider({ spanProcessors: [collectEndedSpans(ended)] }).getTracer('waggle-test');
  for (let i = 0; i < count; i++) tracer.startSpan(`${name}-${i}`, { attributes: { index: i } }).end();
  return ended;
}

/** A tracer whose spans go to `processor`. */
export function tracerFor(processor: SpanProcessor) {
  return new TracerProvider({ spanProcessors: [processor] }).getTracer('waggle-test');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Receivers started through the returned function are closed after each test of the calling file. */
export function useReceivers(): (...args: Parameters<typeof startReceiver>) => Promise<Receiver> {
  let started: Receiver[] = [];
  afterEach(async () => {
    await Promise.all(started.map((receiver) => receiver.close()));
    started = [];
  });
  return async (...args) => {
    const receiver = await startReceiver(...args);
    started.push(receiver);
    return receiver;
  };
}
