/**
 * The node:http plumbing the fake providers share: a server on 127.0.0.1 (an ephemeral port by
 * default) that records every request with its parsed JSON body and what was answered when, and
 * the ways of answering a behaviour asks for (JSON, SSE events with pauses, a hang, a reset).
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Behaviour, retryHeaders } from './behaviour';

/** Pause between the last event written and a mid-stream reset. */
const RESET_GRACE_MS = 25;

export interface AnswerRecord {
  status?: number;
  /** performance.now() when the status line and headers were written. */
  firstByteAt?: number;
  /** SSE events written so far. */
  events: number;
  /** performance.now() of the first and of the last SSE event written. */
  firstEventAt?: number;
  lastEventAt?: number;
  /** performance.now() of each SSE event written, in order. */
  eventTimes: number[];
  /** performance.now() when the answer was complete. */
  endedAt?: number;
  /** `client-closed`: the client went away before the end, a hung answer included (a proxy that gives up or cancels upstream). */
  outcome: 'pending' | 'answered' | 'reset' | 'hung' | 'client-closed';
}

export interface RecordedRequest {
  /** 1 for the first request the server received, and so on (kept when `requests` is emptied). */
  sequence: number;
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body parsed, or undefined when it is empty or not JSON. */
  body: unknown;
  rawBody: string;
  /** performance.now() when the whole body had arrived. */
  receivedAt: number;
  answer: AnswerRecord;
}

export type FakeHandler = (request: RecordedRequest, res: ServerResponse) => Promise<void>;

export interface FakeServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  requests: RecordedRequest[];
  /** Resolves once `count` requests have arrived (their bodies read). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Stops listening and cuts every open connection (hung answers included). */
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export async function startFakeServer(options: FakeServerOptions, handle: FakeHandler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  let received = 0;
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: RecordedRequest = {
        sequence: ++received,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: parseJson(rawBody),
        rawBody,
        receivedAt: performance.now(),
        answer: { events: 0, eventTimes: [], outcome: 'pending' },
      };
      requests.push(recorded);
      for (const wake of waiters) wake();
      res.on('close', () => {
        const { outcome } = recorded.answer;
        if (!res.writableFinished && (outcome === 'pending' || outcome === 'hung'))
          recorded.answer.outcome = 'client-closed';
      });
      handle(recorded, res).catch((error: unknown) => {
        // A bug in a fake must fail the test loudly, not look like a provider fault.
        console.error('fake provider handler failed', error);
        if (!res.headersSent) res.writeHead(599).end(String(error));
        else res.destroy();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    origin: `http://${host}:${port}`,
    requests,
    waitForRequests(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(requests.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `fake provider: ${requests.length} request(s) after ${timeoutMs} ms, waited for ${count}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What every answer does first: hang, wait for the first byte, or reset before any byte. Returns
 * false when the answer ends there (nothing more may be written).
 */
export async function beginAnswer(
  request: RecordedRequest,
  res: ServerResponse,
  behaviour: Behaviour,
  streamed: boolean,
): Promise<boolean> {
  if (behaviour.hang) {
    request.answer.outcome = 'hung';
    return false;
  }
  if (behaviour.firstByteDelayMs) await sleep(behaviour.firstByteDelayMs);
  if (res.destroyed) return false;
  if (behaviour.resetAfterEvents !== undefined && (!streamed || behaviour.resetAfterEvents === 0)) {
    reset(request, res);
    return false;
  }
  return true;
}

/**
 * beginAnswer, then a scripted error in the provider's error shape (with its retry headers).
 * Returns false when the answer ends there.
 */
export async function beginOrAnswerError(
  request: RecordedRequest,
  res: ServerResponse,
  behaviour: Behaviour,
  options: {
    streamed: boolean;
    headers: Record<string, string>;
    errorBody: (error: NonNullable<Behaviour['error']>) => unknown;
  },
): Promise<boolean> {
  if (!(await beginAnswer(request, res, behaviour, options.streamed))) return false;
  if (!behaviour.error) return true;
  const headers = { ...options.headers, ...retryHeaders(behaviour.error) };
  sendJson(request, res, behaviour.error.status, options.errorBody(behaviour.error), headers);
  return false;
}

export function sendJson(
  request: RecordedRequest,
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  request.answer.status = status;
  request.answer.firstByteAt = performance.now();
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text, () => finish(request));
}

/**
 * Writes SSE events (each already framed, ending in a blank line) one write each, pausing
 * `chunkDelayMs` between them, and resets the connection after `resetAfterEvents` of them.
 */
export async function streamEvents(
  request: RecordedRequest,
  res: ServerResponse,
  behaviour: Behaviour,
  events: readonly string[],
  headers: Record<string, string> = {},
): Promise<void> {
  request.answer.status = 200;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  res.flushHeaders();
  request.answer.firstByteAt = performance.now();
  for (const [index, event] of events.entries()) {
    if (index === behaviour.resetAfterEvents) {
      // A RST can make the client's kernel drop bytes it has not read yet: let the events sent so
      // far be read first, so the client sees them and then the reset, as when a connection drops.
      await sleep(RESET_GRACE_MS);
      reset(request, res);
      return;
    }
    if (index > 0 && behaviour.chunkDelayMs) await sleep(behaviour.chunkDelayMs);
    if (res.destroyed) return;
    res.write(event);
    const now = performance.now();
    request.answer.events++;
    request.answer.eventTimes.push(now);
    request.answer.firstEventAt ??= now;
    request.answer.lastEventAt = now;
  }
  res.end(() => finish(request));
}

function finish(request: RecordedRequest): void {
  request.answer.endedAt = performance.now();
  if (request.answer.outcome === 'pending') request.answer.outcome = 'answered';
}

function reset(request: RecordedRequest, res: ServerResponse): void {
  request.answer.outcome = 'reset';
  // resetAndDestroy sends a TCP RST: the client sees ECONNRESET, as when a provider's connection drops.
  const socket = res.socket;
  if (socket) socket.resetAndDestroy();
  else res.destroy();
}
