/**
 * The ingest function's HTTP surface: route, authenticate, decode the body, hand it to the ingest
 * service, and shape the reply (OTLP ExportTraceServiceResponse or HoneyHive JSON). Errors become
 * HTTP answers here and nowhere else. No AWS imports: the handler and the local platform both
 * call createIngestHandler with their own adapters.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAuthenticator } from '../domain/auth/authenticate';
import { createRequestAuthenticator, type DataPlaneAuthOptions } from '../domain/auth/authenticate-request';
import type { TokenVerifier } from '../domain/auth/token-verifier';
import { mediaTypeOf } from '../domain/ingest/convert-request';
import { createIngestService, type IngestLimits, type IngestOutcome } from '../domain/ingest/ingest-service';
import type { ArchivedRoute } from '../domain/ingest/raw-archive';
import { encodeTraceResponseJson, encodeTraceResponseProtobuf } from '../domain/otlp/encode-response';
import type { KeyRegistry, MessageQueue, ObjectStore } from '../domain/ports';
import { HttpError, httpErrorOf } from '../http/errors';
import { jsonResponse as json, lowerCaseHeaders } from '../http/json-response';
import { readRequestBodiesOffThread } from '../http/request-body';
import { encodeOtlpStatus } from './otlp-status';

export { INGEST_ROUTES } from './routes';

const ROUTE_TARGETS: Record<string, ArchivedRoute> = {
  'POST /v1/traces': 'otlp-traces',
  'POST /opentelemetry/v1/traces': 'otlp-traces',
  'POST /session/start': 'session-start',
  'POST /events': 'events',
  'PUT /events': 'events-update',
  'POST /events/batch': 'events-batch',
  'POST /events/model': 'events-model',
  'POST /events/model/batch': 'events-model-batch',
};

export interface IngestSummary {
  route: ArchivedRoute;
  projectId: string;
  acceptedRecords: number;
  rejectedSpans: number;
  /** Values dropped from accepted spans because the store cannot keep them. */
  droppedValues: number;
  bodyBytes: number;
}

export interface IngestHandlerDeps {
  keys: KeyRegistry;
  rawArchive: ObjectStore;
  overflowStore: ObjectStore;
  eventsQueue: MessageQueue;
  clock?: () => number;
  limits?: Partial<IngestLimits>;
  /** Key cache and brute-force limit; give ingest and query one rateLimiter so they share the budget. */
  auth?: DataPlaneAuthOptions;
  /** Control-plane tokens (JWTs) are accepted only with a verifier; API keys always are. */
  tokens?: TokenVerifier;
  /** A token's project id -> the project's name as clients know it (ingest records carry it). */
  projectName?: (projectId: string) => Promise<string | undefined>;
  /** Called once per accepted request, for metrics. */
  onIngested?: (summary: IngestSummary) => void;
  /** Called for unexpected failures (5xx), for logging. Never given request bodies or keys. */
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

export type IngestHandler = (
  event: APIGatewayProxyEventV2,
  context?: unknown,
) => Promise<APIGatewayProxyStructuredResultV2>;

export function createIngestHandler(deps: IngestHandlerDeps): IngestHandler {
  const clock = deps.clock ?? Date.now;
  const authenticate = createRequestAuthenticator({
    apiKeys: createAuthenticator(deps.keys, { clock, ...deps.auth }),
    failures: { clock, ...deps.auth },
    tokens: deps.tokens,
    projectName: deps.projectName,
  });
  const service = createIngestService({
    ...deps,
    onStorageError: (stage, error) => deps.onError?.(error, { routeKey: `storage:${stage}`, status: 503 }),
  });

  return async (event) => {
    const routeKey = resolveRouteKey(event);
    const contentType = event.headers['content-type'] ?? '';
    try {
      if (routeKey === 'GET /healthz') return json(200, { status: 'ok' });
      const route = ROUTE_TARGETS[routeKey];
      if (!route) throw new HttpError(404, `No route for ${routeKey}`);
      const principal = await authenticate(event.headers.authorization, {
        scope: 'ingest',
        projectId: requestedProject(event),
        clientId: event.requestContext.http.sourceIp,
      });
      const { body, rawBody, rawIsGzip } = await decodeBodies(event, service.limits);
      const outcome = await service.ingest({
        route,
        principal,
        requestId: event.requestContext.requestId,
        receivedAt: clock(),
        contentType,
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
    } catch (error) {
      const refusal = httpErrorOf(error);
      const status = refusal?.status ?? 500;
      if (status >= 500) deps.onError?.(error, { routeKey, status });
      const message = refusal?.message ?? 'Internal error';
      const headers = refusal?.headers;
      return ROUTE_TARGETS[routeKey] === 'otlp-traces'
        ? otlpError(status, message, contentType, headers)
        : json(status, { success: false, error: message }, headers);
    }
  };
}

function resolveRouteKey(event: APIGatewayProxyEventV2): string {
  if (event.routeKey && event.routeKey !== '$default') return event.routeKey;
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath;
  return `${event.requestContext.http.method.toUpperCase()} ${path}`;
}

async function decodeBodies(
  event: APIGatewayProxyEventV2,
  limits: IngestLimits,
): Promise<{ body: Uint8Array; rawBody: Uint8Array; rawIsGzip: boolean }> {
  const contentEncoding = event.headers['content-encoding'];
  // Inflated off the event loop: up to 32 MiB takes long enough to hold up the process's other requests.
  const { sent, decoded } = await readRequestBodiesOffThread(
    { body: event.body, isBase64Encoded: event.isBase64Encoded, contentEncoding },
    limits,
  );
  // A gzip body is archived as it came (validated by the decode above), so it is not compressed again.
  const rawIsGzip = contentEncoding?.trim().toLowerCase() === 'gzip';
  return { body: decoded, rawBody: rawIsGzip ? sent : decoded, rawIsGzip };
}

function reply(outcome: IngestOutcome): APIGatewayProxyStructuredResultV2 {
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
function otlpError(
  status: number,
  message: string,
  contentType: string,
  headers: Record<string, string> | undefined,
): APIGatewayProxyStructuredResultV2 {
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

function protobuf(
  status: number,
  bytes: Uint8Array,
  headers?: Record<string, string>,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/x-protobuf', ...lowerCaseHeaders(headers) },
    body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    isBase64Encoded: true,
  };
}

/**
 * The project a request addresses (`x-waggle-project`: a project id, or for API keys also its
 * name). Needed only with a token that lists several projects; when sent it must be the
 * credential's project, else 403, so a credential never reaches another project's data.
 */
const PROJECT_HEADER = 'x-waggle-project';

function requestedProject(event: APIGatewayProxyEventV2): string | undefined {
  const value = event.headers[PROJECT_HEADER]?.trim();
  return value === undefined || value === '' ? undefined : value;
}
