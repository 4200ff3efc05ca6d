/**
 * The SDK's one HTTP client: node:http/https over keep-alive Agents shared per origin, so every tracer
 * instance that talks to the same endpoint reuses the same bounded pool of sockets. A request has one
 * hard deadline covering connect, upload and download, and the only thing it ever rejects with is an
 * HttpSendError carrying a machine-readable reason.
 */
import http from 'node:http';
import https from 'node:https';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

export type HttpSendErrorReason =
  | 'timeout'
  | 'network'
  | 'invalid-url'
  | 'invalid-request'
  | 'aborted'
  | 'response-too-large';

export class HttpSendError extends Error {
  override readonly name = 'HttpSendError';
  constructor(
    readonly reason: HttpSendErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface HttpRequest {
  url: string;
  method?: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  timeoutMs: number;
  /** Cancels the request early (shutdown); rejects with reason 'aborted'. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Sockets per origin: enough for one in-flight export per tracer plus session calls, never unbounded. */
const MAX_SOCKETS_PER_ORIGIN = 16;
/** Idle sockets kept warm per origin; the rest are closed once a burst is over. */
const MAX_FREE_SOCKETS_PER_ORIGIN = 4;
/** Idle keep-alive sockets are closed before typical load balancers (60 s) drop them under us. */
const IDLE_SOCKET_TIMEOUT_MS = 30_000;
/** Telemetry endpoints answer with small bodies; a huge one is a misconfigured URL, not a response. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

const agents = new Map<string, http.Agent>();

/** The keep-alive Agent shared by every caller that talks to this URL's origin. */
export function sharedAgentFor(url: URL): http.Agent {
  const existing = agents.get(url.origin);
  if (existing !== undefined) return existing;
  const options: http.AgentOptions = {
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_ORIGIN,
    maxFreeSockets: MAX_FREE_SOCKETS_PER_ORIGIN,
    timeout: IDLE_SOCKET_TIMEOUT_MS,
    scheduling: 'lifo',
  };
  const agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  agents.set(url.origin, agent);
  return agent;
}

export function sendHttp(request: HttpRequest): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (error) {
    return Promise.reject(new HttpSendError('invalid-url', `invalid URL: ${request.url}`, { cause: error }));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.reject(new HttpSendError('invalid-url', `unsupported protocol ${url.protocol}`));
  }
  // The SDK's own HTTP calls must never be traced by an http instrumentation: that would loop forever.
  return context.with(suppressTracing(context.active()), () => send(url, request));
}

function send(url: URL, request: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { response: HttpResponse } | { error: HttpSendError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      if ('response' in outcome) resolve(outcome.response);
      else reject(outcome.error);
    };
    const fail = (error: HttpSendError): void => {
      finish({ error });
      req.destroy();
    };
    const onAbort = (): void => fail(new HttpSendError('aborted', 'request aborted'));

    const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    const headers: Record<string, string> = { ...request.headers };
    if (body !== undefined) headers['content-length'] = String(body.byteLength);
    const client = url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = client.request(url, { method: request.method ?? 'POST', headers, agent: sharedAgentFor(url) });
    } catch (error) {
      // Node validates headers synchronously: an API key with a newline must not escape as a TypeError.
      reject(
        new HttpSendError('invalid-request', `request rejected by node:http: ${String(error)}`, {
          cause: error,
        }),
      );
      return;
    }

    const timer = setTimeout(
      () => fail(new HttpSendError('timeout', `no complete response within ${request.timeoutMs} ms`)),
      Math.max(0, request.timeoutMs),
    );
    // A pending telemetry request must not keep a finished process alive.
    timer.unref();
    if (request.signal?.aborted) {
      queueMicrotask(onAbort);
    } else {
      request.signal?.addEventListener('abort', onAbort, { once: true });
    }

    req.on('error', (error) => fail(new HttpSendError('network', error.message, { cause: error })));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > MAX_RESPONSE_BYTES) {
          fail(new HttpSendError('response-too-large', `response larger than ${MAX_RESPONSE_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => fail(new HttpSendError('network', error.message, { cause: error })));
      res.on('end', () =>
        finish({
          response: {
            status: res.statusCode ?? 0,
            headers: flattenHeaders(res.headers),
            body: new Uint8Array(Buffer.concat(chunks)),
          },
        }),
      );
    });
    req.end(body);
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export type PostJsonResult =
  | { ok: true; status: number; json: unknown }
  | {
      ok: false;
      status?: number;
      reason: HttpSendErrorReason | 'http-status' | 'malformed-response';
      message: string;
    };

/** POST a JSON body with a bearer key; resolves with the parsed answer or a described failure, never rejects. */
export async function postJson(
  url: string,
  body: unknown,
  options: { apiKey: string; timeoutMs: number; signal?: AbortSignal },
): Promise<PostJsonResult> {
  let payload: string;
  try {
    payload = JSON.stringify(body);
  } catch (error) {
    return { ok: false, reason: 'invalid-request', message: `request body is not serializable: ${error}` };
  }
  let response: HttpResponse;
  try {
    response = await sendHttp({
      url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${options.apiKey}`,
      },
      body: payload,
      timeoutMs: options.timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    if (error instanceof HttpSendError) return { ok: false, reason: error.reason, message: error.message };
    return { ok: false, reason: 'network', message: String(error) };
  }
  const text = Buffer.from(response.body).toString('utf8');
  if (response.status < 200 || response.status >= 300) {
    return { ok: false, status: response.status, reason: 'http-status', message: text.slice(0, 500) };
  }
  try {
    return { ok: true, status: response.status, json: text === '' ? undefined : JSON.parse(text) };
  } catch {
    return { ok: false, status: response.status, reason: 'malformed-response', message: text.slice(0, 500) };
  }
}
