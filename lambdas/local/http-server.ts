/**
 * The local stand-in for API Gateway's HTTP API: a node:http server that turns each request into
 * a payload-v2 event, calls the Lambda handler and writes its structured result back.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { HttpError } from '../http/errors';
import { allowedMethods } from '../http/routes';
import { buildApiGatewayEvent } from './api-gateway-event';
import {
  type CorsConfiguration,
  isCorsHeader,
  isPreflight,
  preflightHeaders,
  responseCorsHeaders,
} from './cors';
import type { LogFields } from './logger';
import { withRequestNotes } from './request-notes';

/** HTTP API's payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** HTTP API's integration timeout, reported to the handler through getRemainingTimeInMillis. */
const INTEGRATION_TIMEOUT_MS = 30_000;
/**
 * After a 413 the rest of the body is read and discarded, up to these bounds, before the connection
 * may close: a client still sending when it closes gets a reset instead of the answer.
 */
const TOO_LARGE_DRAIN_BYTES = 64 * 1024 * 1024;
const TOO_LARGE_DRAIN_MS = 10_000;

/** One answered request, for the server's log line. */
export interface AnsweredRequest {
  method: string;
  /** The path without its query string (which may carry ids or filters). */
  path: string;
  /** 0 when the connection closed before an answer (gRPC: before the handler answered). */
  status: number;
  /** gRPC calls: the name of the status code sent (OK, UNAUTHENTICATED...). */
  grpcStatus?: string;
  ms: number;
  /** Why a request was refused or failed: the error message of the answer. */
  why?: string;
  /** What the handler's hooks reported (project, spans accepted and refused...). */
  notes: LogFields;
}

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Where a streaming handler writes its answer: headers once, then text as it comes (flushed at once). */
export interface StreamingSink {
  start(statusCode: number, headers: Record<string, string>): void;
  write(text: string): void | Promise<void>;
  end(): void | Promise<void>;
}

/**
 * A handler that streams its answer, as a Lambda function URL with RESPONSE_STREAM does: the first
 * bytes reach the client before the handler finishes.
 */
export type StreamingHandler = (event: APIGatewayProxyEventV2, sink: StreamingSink) => Promise<void>;

export interface HttpServerOptions {
  port: number;
  host: string;
  /** Route keys such as 'POST /v1/traces'; unmatched requests get routeKey '$default'. */
  routes: readonly string[];
  handler: HttpApiHandler;
  functionName?: string;
  log?: (line: string) => void;
  /** Longest wait for in-flight requests on close before connections are cut. */
  drainTimeoutMs?: number;
  /** Called once per request when its connection is done with it (the request log). */
  onAnswered?: (request: AnsweredRequest) => void;
  /**
   * The API's CORS configuration (cors.ts): preflights are answered here, before any route or
   * function, and every answer carries the CORS headers for its origin, as API Gateway does.
   */
  cors?: CorsConfiguration;
  /** Routes answered by a streaming handler instead of `handler`. */
  streaming?: { routes: readonly string[]; handler: StreamingHandler };
}

export interface RunningHttpServer {
  url: string;
  port: number;
  /** Stops accepting connections and resolves once in-flight requests have been answered. */
  close(): Promise<void>;
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const log = options.log ?? (() => {});
  let inFlight = 0;
  let closing = false;
  const drained = new Set<() => void>();

  const server = createServer((request, response) => {
    inFlight++;
    const startedAt = performance.now();
    const target = request.url ?? '/';
    const answered: AnsweredRequest = {
      method: request.method ?? 'GET',
      path: target.split('?')[0] ?? target,
      status: 0,
      ms: 0,
      notes: {},
    };
    response.on('close', () => {
      inFlight--;
      answered.status = response.headersSent ? response.statusCode : 0;
      answered.ms = Math.round(performance.now() - startedAt);
      if (!response.headersSent) answered.why ??= 'connection closed before an answer';
      options.onAnswered?.(answered);
      if (closing) {
        // Keep-alive sockets of finished requests would otherwise hold close() open.
        server.closeIdleConnections();
        if (inFlight === 0) for (const resolve of drained) resolve();
      }
    });
    if (closing) response.shouldKeepAlive = false;
    withRequestNotes(answered.notes, () => serve(request, response, options, log, answered)).catch(
      (error: unknown) => {
        log(`local http: failed to answer ${request.method} ${answered.path}: ${describe(error)}`);
        answered.why = 'internal error';
        if (!response.headersSent) writeJson(response, 500, { message: 'Internal Server Error' });
        else response.destroy();
      },
    );
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        const allAnswered = new Promise<void>((resolve) => drained.add(resolve));
        const timeout = new Promise<void>((resolve) =>
          setTimeout(resolve, options.drainTimeoutMs ?? 35_000).unref(),
        );
        await Promise.race([allAnswered, timeout]);
      }
      server.closeAllConnections();
      await stopped;
    },
  };
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  options: HttpServerOptions,
  log: (line: string) => void,
  answered: AnsweredRequest,
): Promise<void> {
  if (options.cors) {
    if (isPreflight(request.method ?? '', request.headers)) {
      response.writeHead(204, preflightHeaders(options.cors, request.headers));
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(responseCorsHeaders(options.cors, request.headers)))
      response.setHeader(name, value);
  }
  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > MAX_PAYLOAD_BYTES) return rejectTooLarge(request, response, answered);
  const body = await readBody(request, MAX_PAYLOAD_BYTES);
  if (body === 'too-large') return rejectTooLarge(request, response, answered);

  const requestId = randomUUID();
  const startedAt = Date.now();
  let event: APIGatewayProxyEventV2;
  try {
    event = buildApiGatewayEvent(
      {
        method: request.method ?? 'GET',
        target: request.url ?? '/',
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        protocol: `HTTP/${request.httpVersion}`,
        domainName: request.headers.host ?? 'localhost',
        requestId,
        timeEpoch: startedAt,
      },
      options.routes,
    );
  } catch (error) {
    // A request that cannot be mapped (a path parameter such as `%ff`) never reaches a function.
    if (error instanceof HttpError && error.status === 400) {
      answered.why = error.message;
      return writeJson(response, 400, { message: error.message });
    }
    throw error;
  }

  // A known path with a method none of its routes has: 405 naming the methods it has.
  if (event.routeKey === '$default') {
    const allow = allowedMethods(options.routes, event.rawPath);
    if (allow.length > 0) {
      answered.why = `${event.requestContext.http.method} is not allowed on ${event.rawPath}; allowed: ${allow.join(', ')}`;
      return writeJson(response, 405, { message: 'Method Not Allowed', allow }, { allow: allow.join(', ') });
    }
  }

  if (options.streaming?.routes.includes(event.routeKey)) {
    return serveStreaming(options.streaming.handler, event, response, answered);
  }

  let result: APIGatewayProxyStructuredResultV2;
  try {
    result = await options.handler(
      event,
      lambdaContext(options.functionName ?? 'waggle-local', requestId, startedAt),
    );
  } catch (error) {
    // Lambda reports an unhandled error to API Gateway, which answers 500; the server keeps serving.
    log(`local http: handler failed for ${event.routeKey} (request ${requestId}): ${describe(error)}`);
    answered.why = 'handler failed';
    return writeJson(response, 500, { message: 'Internal Server Error', requestId });
  }
  if ((result.statusCode ?? 200) >= 400) answered.why = errorMessageOf(result);
  writeResult(response, result, requestId, options.cors !== undefined);
}

async function serveStreaming(
  handler: StreamingHandler,
  event: APIGatewayProxyEventV2,
  response: ServerResponse,
  answered: AnsweredRequest,
): Promise<void> {
  const sink: StreamingSink = {
    start(statusCode, headers) {
      if (statusCode >= 400) answered.why = `answered ${statusCode}`;
      response.writeHead(statusCode, { ...headers, 'apigw-requestid': event.requestContext.requestId });
      // Headers go out now, not with the first body write, so a client sees the stream open at once.
      response.flushHeaders();
    },
    write(text) {
      // A client that went away stops the handler (its stream is cancelled and its event recorded).
      if (response.destroyed) throw new Error('the client closed the connection');
      if (response.write(text)) return;
      // Back-pressure: a slow client slows the stream instead of filling memory.
      return new Promise<void>((resolve) => {
        const done = () => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.once('drain', done);
        response.once('close', done);
      });
    },
    end() {
      response.end();
    },
  };
  await handler(event, sink);
  if (!response.writableEnded) response.end();
}

/** The message of a JSON error answer (`error` of the JSON APIs, `message` of OTLP and the gateway). */
function errorMessageOf(result: APIGatewayProxyStructuredResultV2): string | undefined {
  const type = Object.entries(result.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1];
  if (!String(type ?? '').includes('json') || result.body === undefined || result.isBase64Encoded)
    return undefined;
  try {
    const body = JSON.parse(result.body) as { error?: unknown; message?: unknown };
    const message = body.error ?? body.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the body, giving up (and returning 'too-large') as soon as it passes limit bytes. */
function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    request.once('error', reject);
  });
}

function rejectTooLarge(request: IncomingMessage, response: ServerResponse, answered: AnsweredRequest): void {
  answered.why = `body larger than ${MAX_PAYLOAD_BYTES} bytes`;
  // Answer now, then read and discard the rest of the body so the client, which may still be
  // sending, reads the answer; a body beyond the bounds has its connection cut.
  let discarded = 0;
  const cut = () => {
    clearTimeout(timer);
    request.destroy();
  };
  const timer = setTimeout(cut, TOO_LARGE_DRAIN_MS).unref();
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.byteLength;
    if (discarded > TOO_LARGE_DRAIN_BYTES) cut();
  });
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.resume();
  writeJson(response, 413, { message: 'Request Entity Too Large' });
}

function writeResult(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
  requestId: string,
  cors: boolean,
): void {
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    // With a CORS configuration the API's own CORS headers (set on the response) are the ones sent.
    if (cors && isCorsHeader(name)) continue;
    headers[name.toLowerCase()] = String(value);
  }
  const vary = response.getHeader('vary');
  if (vary !== undefined && headers.vary !== undefined) headers.vary = `${headers.vary}, ${String(vary)}`;
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.byteLength);
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

function writeJson(
  response: ServerResponse,
  statusCode: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(payload);
  response.writeHead(statusCode, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

/** The Lambda context a handler gets for a request that started at `startedAt` (the gRPC server's too). */
export function lambdaContext(functionName: string, requestId: string, startedAt: number): Context {
  const unsupported = () => {
    throw new Error('callback-style Lambda completion is not supported; return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, startedAt + INTEGRATION_TIMEOUT_MS - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
