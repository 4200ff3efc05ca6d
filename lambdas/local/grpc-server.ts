/**
 * OTLP/gRPC for the local platform: `opentelemetry.proto.collector.trace.v1.TraceService/Export`
 * served by grpc-js, through the same ingest handler as `POST /v1/traces`. The method is registered
 * with pass-through (de)serializers, so the ExportTraceServiceRequest bytes (which grpc-js has
 * already inflated when the message came with `grpc-encoding: gzip`) reach the handler unchanged, as
 * the body of an API Gateway event for `POST /v1/traces` with `content-type: application/x-protobuf`
 * and the call's metadata as headers (`authorization`, `x-waggle-project`...). The handler's
 * ExportTraceServiceResponse, partial_success included, is the reply; a failed answer becomes the
 * gRPC status of grpc-status.ts with the handler's error message.
 */
import { randomUUID } from 'node:crypto';
import {
  type handleUnaryCall,
  Metadata,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { buildApiGatewayEvent } from './api-gateway-event';
import { encodeStatusWithRetryInfo, errorMessageOf, GrpcCode, grpcFailureFor, headerOf } from './grpc-status';
import { type AnsweredRequest, type HttpApiHandler, lambdaContext, MAX_PAYLOAD_BYTES } from './http-server';
import { withRequestNotes } from './request-notes';

export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** The ingest route the calls are handed to. */
const INGEST_ROUTE = 'POST /v1/traces';
/** The log line's method, shown as `GRPC /opentelemetry.proto.collector.trace.v1.TraceService/Export`. */
const LOG_METHOD = 'GRPC';
/** gRPC transport metadata, and HTTP headers that describe the HTTP/2 message rather than the request. */
const NOT_HEADERS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'transfer-encoding',
  'te',
  'host',
  'connection',
]);

interface GrpcServerOptions {
  port: number;
  host: string;
  /** The ingest handler (the same function the HTTP server calls for `POST /v1/traces`). */
  handler: HttpApiHandler;
  functionName?: string;
  log?: (line: string) => void;
  /**
   * Largest message grpc-js accepts, compressed and after inflating; a larger one is answered
   * RESOURCE_EXHAUSTED before the handler sees it. Default MAX_PAYLOAD_BYTES, the HTTP API's limit.
   */
  maxMessageBytes?: number;
  /** Longest wait for in-flight calls on close before they are cut. */
  drainTimeoutMs?: number;
  /** Called once per call with its status (the request log). */
  onAnswered?: (request: AnsweredRequest) => void;
}

interface RunningGrpcServer {
  /** `http://host:port`: what an OTLP gRPC exporter takes as its endpoint (http: no TLS). */
  url: string;
  port: number;
  /** Stops accepting calls and resolves once in-flight calls have been answered (or cut). */
  close(): Promise<void>;
}

/** Bytes in, bytes out: the handler reads and writes the protobuf messages itself. */
const passThrough = (bytes: Buffer): Buffer => bytes;

const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: passThrough,
    requestDeserialize: passThrough,
    responseSerialize: passThrough,
    responseDeserialize: passThrough,
    originalName: 'export',
  },
};

export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const log = options.log ?? (() => {});
  const calls = new WeakMap<Metadata, AnsweredRequest>();
  const server = new Server({
    'grpc.max_receive_message_length': options.maxMessageBytes ?? MAX_PAYLOAD_BYTES,
    interceptors: [requestLog(calls, options.onAnswered)],
  });
  const exportTraces: handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const answered = calls.get(call.metadata) ?? newAnswer(TRACE_EXPORT_PATH);
    withRequestNotes(answered.notes, () => answer(call, callback, options, answered)).catch(
      (error: unknown) => {
        log(`local grpc: failed to answer ${TRACE_EXPORT_PATH}: ${describe(error)}`);
        answered.why = 'internal error';
        callback({ code: GrpcCode.INTERNAL, details: 'Internal Server Error' });
      },
    );
  };
  server.addService(TRACE_SERVICE, { Export: exportTraces });

  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const address = `${hostForUrl}:${options.port}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, boundPort) => {
      if (error) {
        server.forceShutdown();
        reject(new Error(`cannot serve OTLP/gRPC on ${address}: ${error.message}`));
      } else resolve(boundPort);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, options.drainTimeoutMs ?? 35_000);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      return closed;
    },
  };
}

/** Hands one call to the ingest handler and answers it with what the handler answered. */
async function answer(
  call: ServerUnaryCall<Buffer, Buffer>,
  callback: sendUnaryData<Buffer>,
  options: GrpcServerOptions,
  answered: AnsweredRequest,
): Promise<void> {
  const requestId = randomUUID();
  const startedAt = Date.now();
  const event = buildApiGatewayEvent(
    {
      method: 'POST',
      target: '/v1/traces',
      rawHeaders: [...headersOf(call.metadata), 'content-type', 'application/x-protobuf'],
      body: call.request,
      sourceIp: peerAddress(call.getPeer()),
      protocol: 'HTTP/2.0',
      domainName: call.getHost() || 'localhost',
      requestId,
      timeEpoch: startedAt,
    },
    [INGEST_ROUTE],
  );
  let result: Awaited<ReturnType<HttpApiHandler>>;
  try {
    result = await options.handler(
      event,
      lambdaContext(options.functionName ?? 'waggle-local', requestId, startedAt),
    );
  } catch (error) {
    // As over HTTP: a handler that throws is a failed invocation; the server keeps serving.
    options.log?.(
      `local grpc: handler failed for ${INGEST_ROUTE} (request ${requestId}): ${describe(error)}`,
    );
    answered.why = 'handler failed';
    callback({ code: GrpcCode.INTERNAL, details: 'Internal Server Error' });
    return;
  }

  const status = result.statusCode ?? 200;
  answered.status = status;
  const body =
    result.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  if (status < 300) {
    if (!String(headerOf(result, 'content-type') ?? '').includes('application/x-protobuf')) {
      answered.why = 'the ingest handler did not answer in protobuf';
      callback({ code: GrpcCode.INTERNAL, details: answered.why });
      return;
    }
    callback(null, body);
    return;
  }
  const failure = grpcFailureFor(status, headerOf(result, 'retry-after'));
  const message = errorMessageOf(result);
  answered.why = message;
  const trailers = new Metadata();
  if (failure.retryDelaySeconds !== undefined) {
    trailers.set(
      'grpc-status-details-bin',
      encodeStatusWithRetryInfo(failure.code, message, failure.retryDelaySeconds),
    );
  }
  callback({ code: failure.code, details: message, metadata: trailers });
}

/**
 * One log line per call, written when its status goes out. Calls grpc-js answers itself before any
 * handler runs (a message over the size limit, one that does not inflate, an unknown grpc-encoding,
 * a deadline already past) never reach an interceptor's responder: grpc-js sends their status from
 * its innermost call object, so that object's sendStatus is wrapped to see every status.
 */
function requestLog(
  calls: WeakMap<Metadata, AnsweredRequest>,
  onAnswered: ((request: AnsweredRequest) => void) | undefined,
): ServerInterceptor {
  return (method, call) => {
    const startedAt = performance.now();
    const answered = newAnswer(method.path);
    let logged = false;
    const finish = (code: GrpcCode, details: string | undefined) => {
      if (logged) return;
      logged = true;
      answered.grpcStatus = GrpcCode[code] ?? String(code);
      answered.ms = Math.round(performance.now() - startedAt);
      if (code !== GrpcCode.OK) answered.why ??= details || undefined;
      onAnswered?.(answered);
    };
    const sendStatus = call.sendStatus.bind(call);
    call.sendStatus = (status: Parameters<ServerInterceptingCallInterface['sendStatus']>[0]) => {
      finish(status.code, status.details);
      sendStatus(status);
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            // The handler finds its call's log entry by the metadata object grpc-js hands it.
            calls.set(metadata, answered);
            nextMetadata(metadata);
          },
          // After every status too; a call the client gave up on gets its line here.
          onCancel: () => {
            if (!logged) answered.why ??= 'cancelled by the client before an answer';
            finish(GrpcCode.CANCELLED, undefined);
          },
        }),
    });
  };
}

function newAnswer(path: string): AnsweredRequest {
  return { method: LOG_METHOD, path, status: 0, ms: 0, notes: {} };
}

/** The call's text metadata as HTTP header pairs (binary `-bin` and `grpc-` entries are transport). */
function headersOf(metadata: Metadata): string[] {
  const pairs: string[] = [];
  for (const [name, values] of Object.entries(metadata.toJSON())) {
    if (name.endsWith('-bin') || name.startsWith('grpc-') || NOT_HEADERS.has(name)) continue;
    for (const value of values) if (typeof value === 'string') pairs.push(name, value);
  }
  return pairs;
}

/** grpc-js names the peer `<address>:<port>`; the address is the source the brute-force limit counts. */
function peerAddress(peer: string): string {
  const address = peer.replace(/:\d+$/, '');
  return address === '' || address === 'unknown' ? '127.0.0.1' : address;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
