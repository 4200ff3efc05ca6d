/**
 * The local stand-in for API Gateway's HTTP API: a node:http server that turns each request into
 * a payload-v2 event, calls the Lambda handler and writes its structured result back.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { isHttpError } from '../domain/http/errors';
import { buildApiGatewayEvent } from './api-gateway-event';

/** HTTP API's payload limit. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** HTTP API's integration timeout, reported to the handler through getRemainingTimeInMillis. */
const INTEGRATION_TIMEOUT_MS = 30_000;

export type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

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
    response.on('close', () => {
      inFlight--;
      if (closing) {
        // Keep-alive sockets of finished requests would otherwise hold close() open.
        server.closeIdleConnections();
        if (inFlight === 0) for (const resolve of drained) resolve();
      }
    });
    if (closing) response.shouldKeepAlive = false;
    serve(request, response, options, log).catch((error: unknown) => {
      log(`local http: failed to answer ${request.method} ${request.url}: ${describe(error)}`);
      if (!response.headersSent) writeJson(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
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
): Promise<void> {
  const declaredLength = Number(request.headers['content-length'] ?? 0);
  if (declaredLength > MAX_PAYLOAD_BYTES) return rejectTooLarge(request, response);
  const body = await readBody(request, MAX_PAYLOAD_BYTES);
  if (body === 'too-large') return rejectTooLarge(request, response);

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
    if (isHttpError(error) && error.status === 400)
      return writeJson(response, 400, { message: error.message });
    throw error;
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
    return writeJson(response, 500, { message: 'Internal Server Error', requestId });
  }
  writeResult(response, result, requestId);
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

function rejectTooLarge(request: IncomingMessage, response: ServerResponse): void {
  // Stop reading: answer, then close the connection rather than drain megabytes nobody wants.
  response.shouldKeepAlive = false;
  response.once('finish', () => request.destroy());
  writeJson(response, 413, { message: 'Request Entity Too Large' });
}

function writeResult(
  response: ServerResponse,
  result: APIGatewayProxyStructuredResultV2,
  requestId: string,
): void {
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.byteLength);
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

function writeJson(response: ServerResponse, statusCode: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  response.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

function lambdaContext(functionName: string, requestId: string, startedAt: number): Context {
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
