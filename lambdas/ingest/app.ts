/**
 * The ingest function's HTTP surface: one handler per route of INGEST_ROUTES behind the shared
 * router (lambdas/http/router.ts): authenticate, decode the body, hand it to the ingest service,
 * and shape the reply (OTLP ExportTraceServiceResponse or HoneyHive JSON); failures on the OTLP
 * routes are answered with a google.rpc.Status. No AWS imports: the handler and the local platform
 * both call createIngestHandler with their own adapters.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mediaTypeOf } from '../domain/ingest/convert-request';
import { createIngestService, type IngestLimits, type IngestOutcome } from '../domain/ingest/ingest-service';
import type { ArchivedRoute } from '../domain/ingest/raw-archive';
import { encodeTraceResponseJson, encodeTraceResponseProtobuf } from '../domain/otlp/encode-response';
import type { MessageQueue, ObjectStore } from '../domain/ports';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { jsonResponse as json, lowerCaseHeaders } from '../http/json-response';
import {
  createHttpApi,
  type HttpApi,
  type HttpRefusal,
  type HttpRequest,
  type HttpResult,
  jsonErrorBody,
} from '../http/router';
import { encodeOtlpStatus } from './otlp-status';
import { INGEST_ROUTES, type IngestRouteKey } from './routes';

export { INGEST_ROUTES } from './routes';

/** What each ingest route stores its requests as (GET /healthz stores nothing). */
const ROUTE_TARGETS: Record<Exclude<IngestRouteKey, 'GET /healthz'>, ArchivedRoute> = {
  'POST /v1/traces': 'otlp-traces',
  'POST /opentelemetry/v1/traces': 'otlp-traces',
  'POST /session/start': 'session-start',
  'POST /events': 'events',
  'PUT /events': 'events-update',
  'POST /events/batch': 'events-batch',
  'POST /events/model': 'events-model',
  'POST /events/model/batch': 'events-model-batch',
};

interface IngestSummary {
  route: ArchivedRoute;
  projectId: string;
  acceptedRecords: number;
  rejectedSpans: number;
  /** Values dropped from accepted spans because the store cannot keep them. */
  droppedValues: number;
  bodyBytes: number;
}

/** keys, auth, tokens and projectName: who may send (lambdas/http/data-plane-caller.ts). */
interface IngestHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  rawArchive: ObjectStore;
  overflowStore: ObjectStore;
  eventsQueue: MessageQueue;
  clock?: () => number;
  limits?: Partial<IngestLimits>;
  /** Called once per accepted request, for metrics. */
  onIngested?: (summary: IngestSummary) => void;
  /** Called for unexpected failures (5xx), for logging. Never given request bodies or keys. */
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

export type IngestHandler = HttpApi;

export function createIngestHandler(deps: IngestHandlerDeps): IngestHandler {
  const clock = deps.clock ?? Date.now;
  const authenticate = createCallerAuthenticator({ ...deps, clock });
  const service = createIngestService({
    ...deps,
    onStorageError: (stage, error) => deps.onError?.(error, { routeKey: `storage:${stage}`, status: 503 }),
  });

  async function ingest(route: ArchivedRoute, request: HttpRequest<IngestRouteKey>): Promise<HttpResult> {
    const principal = await authenticate(request.event, 'ingest');
    const { body, rawBody, rawIsGzip } = await decodeBodies(request);
    const outcome = await service.ingest({
      route,
      principal,
      requestId: request.requestId,
      receivedAt: clock(),
      contentType: contentTypeOf(request.event),
      body,
      rawBody,
      rawIsGzip,
    });
    deps.onIngested?.({
      route,
      projectId: principal.project_id,
      acceptedRecords: outcome.records.length,
      rejectedSpans: outcome.route === 'otlp-traces' ? outcome.rejectedSpans : 0,
      droppedValues: outcome.route === 'otlp-traces' ? outcome.droppedValues : 0,
      bodyBytes: body.byteLength,
    });
    return reply(outcome);
  }

  return createHttpApi<IngestRouteKey>({
    routes: INGEST_ROUTES.map((routeKey) => ({
      routeKey,
      handler: async (request) => {
        if (routeKey === 'GET /healthz') return json(200, { status: 'ok' });
        return ingest(ROUTE_TARGETS[routeKey], request);
      },
    })),
    bodyLimits: service.limits,
    // OTLP/HTTP clients read a google.rpc.Status; the HoneyHive routes and the router's own 404/405 JSON.
    errorBody: (refusal, { event, routeKey }) =>
      routeKey !== undefined && routeKey !== 'GET /healthz' && ROUTE_TARGETS[routeKey] === 'otlp-traces'
        ? otlpError(refusal, contentTypeOf(event))
        : jsonErrorBody(refusal),
    onError: deps.onError,
  });
}

function contentTypeOf(event: APIGatewayProxyEventV2): string {
  return event.headers['content-type'] ?? '';
}

async function decodeBodies(
  request: HttpRequest,
): Promise<{ body: Uint8Array; rawBody: Uint8Array; rawIsGzip: boolean }> {
  // Inflated off the event loop: up to 32 MiB takes long enough to hold up the process's other requests.
  const { sent, decoded } = await request.bodiesOffThread();
  // A gzip body is archived as it came (validated by the decode above), so it is not compressed again.
  const rawIsGzip = request.event.headers['content-encoding']?.trim().toLowerCase() === 'gzip';
  return { body: decoded, rawBody: rawIsGzip ? sent : decoded, rawIsGzip };
}

function reply(outcome: IngestOutcome): HttpResult {
  // A batch only partly accepted is the spec's 500 (with success: true and the refused items' errors).
  if (outcome.route !== 'otlp-traces') return json(outcome.partial ? 500 : 200, outcome.response);
  // With no span rejected, a message is a warning (values dropped): OTLP allows rejected_spans 0 then.
  const partial =
    outcome.rejectedSpans > 0 || outcome.rejectionMessage !== ''
      ? { rejectedSpans: outcome.rejectedSpans, errorMessage: outcome.rejectionMessage }
      : undefined;
  if (outcome.format === 'json') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: encodeTraceResponseJson(partial),
    };
  }
  return protobuf(200, encodeTraceResponseProtobuf(partial));
}

/**
 * OTLP/HTTP failures carry a google.rpc.Status in the encoding of the request when that is protobuf
 * or JSON; for any other content type (text/plain, none) JSON, which a client can read at least.
 */
function otlpError({ status, message, headers }: HttpRefusal, contentType: string): HttpResult {
  const code = grpcCodeFor(status);
  if (mediaTypeOf(contentType) === 'application/x-protobuf') {
    return protobuf(status, encodeOtlpStatus(code, message), headers);
  }
  return json(status, { code, message }, headers);
}

/** The google.rpc.Code that best matches an HTTP status. */
function grpcCodeFor(status: number): number {
  if (status === 400 || status === 413 || status === 415) return 3; // INVALID_ARGUMENT
  if (status === 401) return 16; // UNAUTHENTICATED
  if (status === 403) return 7; // PERMISSION_DENIED
  if (status === 404) return 12; // UNIMPLEMENTED
  if (status === 429) return 8; // RESOURCE_EXHAUSTED
  if (status === 503) return 14; // UNAVAILABLE
  return 13; // INTERNAL
}

function protobuf(status: number, bytes: Uint8Array, headers?: Record<string, string>): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/x-protobuf', ...lowerCaseHeaders(headers) },
    body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    isBase64Encoded: true,
  };
}
