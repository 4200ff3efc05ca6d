/**
 * The query function's HTTP surface (the HoneyHive-compatible read API): one handler per route of
 * QUERY_ROUTES behind the shared router (lambdas/http/router.ts): authenticate, parse the request
 * into a query, ask the EventQueryService within the read's deadline, shape the spec's answer
 * (gzip when asked). Deletions queue a tombstone. No AWS imports: the handler and the local
 * platform both call createQueryApiHandler with their own adapters.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Principal } from '../domain/auth/principal';
import type { ConcurrencyGate } from '../domain/concurrency-gate';
import { NotFoundError, UnavailableError } from '../domain/errors';
import type { WaggleTombstone } from '../domain/events/event';
import type { RunResultService } from '../domain/experiments/run-results';
import { parseJsonBody } from '../domain/ingest/json-body';
import { publishRecords } from '../domain/ingest/publish-records';
import type { MessageQueue, ObjectStore } from '../domain/ports';
import type {
  EventQueryService,
  ExportQuery,
  ExportResult,
  ReadContext,
  SessionResult,
} from '../domain/query/types';
import { parseChartQuery } from '../domain/read-api/chart-request';
import { parsePathId, tombstoneRecord } from '../domain/read-api/deletion';
import { parseEventSchemaQuery } from '../domain/read-api/event-schema-request';
import { createExportGate, runExport } from '../domain/read-api/export-gate';
import { exportBody } from '../domain/read-api/export-page-cut';
import { parseExportBody, parseGetEventsQuery } from '../domain/read-api/export-request';
import { eventWithFullPayloads, sessionWithFullPayloads } from '../domain/read-api/full-payloads';
import { tenantOf } from '../domain/read-api/project-scope';
import { parseQueryString, type QueryParameters } from '../domain/read-api/query-string';
import { DEFAULT_READ_BUDGET_MS, readDeadline, withinDeadline } from '../domain/read-api/read-deadline';
import { RESPONSE_BODY_BUDGET_BYTES, responseCost } from '../domain/read-api/response-budget';
import {
  chartResponse,
  deletionResponse,
  eventNodeResponse,
  sessionResponse,
} from '../domain/read-api/responses';
import { parseSessionSearchBody } from '../domain/read-api/session-search-request';
import { sessionSearchBody } from '../domain/read-api/session-search-response';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { jsonResponse as json } from '../http/json-response';
import { encodeResponse } from '../http/response-encoding';
import { createHttpApi, type HttpApi, type HttpRequest, type HttpResult } from '../http/router';
import { QUERY_ROUTES, type QueryRouteKey } from './routes';

export { QUERY_ROUTES } from './routes';

/** A filter request is small; anything near these limits is not one. */
const BODY_LIMITS = { maxBodyBytes: 256 * 1024, maxDecompressedBytes: 1024 * 1024 };

/** keys, auth, tokens and projectName: who may read (lambdas/http/data-plane-caller.ts). */
export interface QueryApiHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  queries: EventQueryService;
  /**
   * Experiment results and comparisons (runs from the datasets table, their events from the same
   * engine as `queries`); the deployed function and the local platform always set it. Omitted (unit
   * tests of the other routes), the result routes answer 404.
   */
  runResults?: RunResultService;
  eventsQueue: MessageQueue;
  /** Where publishRecords puts a record too large for a message (never for a tombstone in practice). */
  overflowStore: ObjectStore;
  /** The event store's objects, to put back inputs/outputs kept outside their row; omit to return the truncated copies. */
  payloadStore?: ObjectStore;
  clock?: () => number;
  /**
   * Bounds the export work this instance does at once (POST /v1/events/export and /events/export, GET /events);
   * defaults to createExportGate()'s limits, one gate per handler.
   */
  exportGate?: ConcurrencyGate;
  /**
   * How long a read may take from the gateway's receipt of the request (requestContext.timeEpoch)
   * before it answers 504; default 27 s (API Gateway's usable 29 s less a margin to answer).
   */
  readBudgetMs?: number;
  /** Called once per answered request, for metrics. */
  onAnswered?: (summary: { route: QueryRouteKey; status: number; projectId: string }) => void;
  /** Called for unexpected failures (5xx), for logging. Never given request bodies or keys. */
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

export type QueryApiHandler = HttpApi;

interface RouteContext {
  request: HttpRequest<QueryRouteKey>;
  principal: Principal;
  now: number;
  /** The read's deadline, handed to every statement it runs. */
  read: ReadContext;
}

interface Answer {
  status: number;
  body?: unknown;
  /** The body already serialized (an export page cut to the response budget). */
  json?: string;
}

export function createQueryApiHandler(deps: QueryApiHandlerDeps): QueryApiHandler {
  const clock = deps.clock ?? Date.now;
  const authenticate = createCallerAuthenticator({ ...deps, clock });
  const { queries } = deps;
  const exportGate = deps.exportGate ?? createExportGate();
  const readBudgetMs = deps.readBudgetMs ?? DEFAULT_READ_BUDGET_MS;

  function exportPage(ctx: RouteContext, query: ExportQuery): Promise<ExportResult> {
    return runExport(exportGate, query.limit, () =>
      queries.exportEvents(tenantOf(ctx.principal), query, ctx.read),
    );
  }

  /** The session with full payloads put back while its answer stays within the response budget. */
  async function fullSession(ctx: RouteContext, id: string): Promise<SessionResult | undefined> {
    const tenant = tenantOf(ctx.principal);
    const session = await queries.getSession(tenant, id, ctx.read);
    if (!session || !deps.payloadStore) return session;
    const room =
      RESPONSE_BODY_BUDGET_BYTES - responseCost(JSON.stringify(sessionResponse(session, ctx.principal)));
    return sessionWithFullPayloads(session, deps.payloadStore, tenant, { maxAddedBytes: room });
  }

  async function deleteTarget(
    ctx: RouteContext,
    target: WaggleTombstone['target'],
    id: string,
  ): Promise<Answer> {
    const record = tombstoneRecord(ctx.principal, target, id, ctx.now);
    try {
      await publishRecords([record], deps.eventsQueue, deps.overflowStore, {
        requestId: ctx.request.requestId,
      });
    } catch (error) {
      deps.onError?.(error, { routeKey: `queue:${target}-delete`, status: 503 });
      throw new UnavailableError('The events queue is unavailable; retry the deletion');
    }
    return { status: 200, body: deletionResponse(id) };
  }

  const exportRoute = async (ctx: RouteContext): Promise<Answer> => {
    const query = parseExportBody(readJsonBody(ctx.request), ctx.principal, ctx.now);
    const result = await exportPage(ctx, query);
    return { status: 200, json: exportBody(result, ctx.principal, query) };
  };
  const runResults = (): RunResultService => {
    if (!deps.runResults) throw new NotFoundError('experiment results are not served by this deployment');
    return deps.runResults;
  };
  const runCaller = (ctx: RouteContext) => ({
    tenant: tenantOf(ctx.principal),
    projectName: ctx.principal.projectName,
  });
  const runResultRoute = async (ctx: RouteContext): Promise<Answer> => ({
    status: 200,
    body: await runResults().result(
      runCaller(ctx),
      ctx.request.params.run_id ?? '',
      runResultQuery(ctx.request.event),
      ctx.read,
    ),
  });
  const runCompareRoute = async (ctx: RouteContext): Promise<Answer> => ({
    status: 200,
    body: await runResults().compare(
      runCaller(ctx),
      ctx.request.params.run_id ?? '',
      ctx.request.params.old_run_id ?? '',
      runResultQuery(ctx.request.event),
      ctx.read,
    ),
  });
  const sessionRoute = async (ctx: RouteContext): Promise<Answer> => {
    const id = parsePathId(ctx.request.params.session_id, 'session_id');
    const session = await fullSession(ctx, id);
    if (!session) throw new NotFoundError(`No session with id "${id}"`);
    return { status: 200, body: sessionResponse(session, ctx.principal) };
  };

  const ROUTES: Record<QueryRouteKey, (ctx: RouteContext) => Promise<Answer>> = {
    'POST /v1/events/export': exportRoute,
    'POST /events/export': exportRoute,
    'GET /events': async (ctx) => {
      const query = parseGetEventsQuery(queryParameters(ctx.request.event), ctx.principal, ctx.now);
      const result = await exportPage(ctx, query);
      return { status: 200, json: exportBody(result, ctx.principal, query) };
    },
    'GET /v1/events/chart': async (ctx) => {
      const query = parseChartQuery(queryParameters(ctx.request.event), ctx.principal, ctx.now);
      return {
        status: 200,
        body: chartResponse(await queries.chart(tenantOf(ctx.principal), query, ctx.read)),
      };
    },
    // The spec reads this id as a session id (the session's tree); an event id that is not a
    // session is answered with that event alone, in the same node shape.
    'GET /v1/events/{id}': async (ctx) => {
      const id = parsePathId(ctx.request.params.id, 'id');
      const tenant = tenantOf(ctx.principal);
      const session = await fullSession(ctx, id);
      if (session) return { status: 200, body: sessionResponse(session, ctx.principal) };
      const event = await queries.getEvent(tenant, id, ctx.read);
      if (!event) throw new NotFoundError(`No event or session with id "${id}"`);
      const room =
        RESPONSE_BODY_BUDGET_BYTES - responseCost(JSON.stringify(eventNodeResponse(event, ctx.principal)));
      const full = deps.payloadStore
        ? await eventWithFullPayloads(event, deps.payloadStore, tenant, { maxAddedBytes: room })
        : event;
      return { status: 200, body: eventNodeResponse(full, ctx.principal) };
    },
    'POST /v1/sessions/search': async (ctx) => {
      const query = parseSessionSearchBody(readJsonBody(ctx.request), ctx.principal, ctx.now);
      const result = await queries.searchSessions(tenantOf(ctx.principal), query, ctx.read);
      return { status: 200, json: sessionSearchBody(result) };
    },
    'GET /v1/events/schema': async (ctx) => {
      const query = parseEventSchemaQuery(queryParameters(ctx.request.event), ctx.principal);
      return { status: 200, body: await queries.eventSchema(tenantOf(ctx.principal), query, ctx.read) };
    },
    // A Waggle read: every evaluation of the event, from the scores table (query/score-history.ts).
    'GET /v1/events/{id}/scores': async (ctx) => {
      const id = parsePathId(ctx.request.params.id, 'id');
      const scores = await queries.scoreHistory(tenantOf(ctx.principal), id, ctx.read);
      if (!scores) throw new NotFoundError(`No event with id "${id}"`);
      return { status: 200, body: { event_id: id, scores } };
    },
    'GET /v1/sessions/{session_id}': sessionRoute,
    'GET /session/{session_id}': sessionRoute,
    'GET /runs/{run_id}/result': runResultRoute,
    'GET /v1/runs/{run_id}/result': runResultRoute,
    'GET /runs/{run_id}/compare-with/{old_run_id}': runCompareRoute,
    'GET /v1/runs/{run_id}/compare-with/{old_run_id}': runCompareRoute,
    'DELETE /v1/events/{id}': (ctx) => deleteTarget(ctx, 'event', parsePathId(ctx.request.params.id, 'id')),
    'DELETE /v1/sessions/{session_id}': (ctx) =>
      deleteTarget(ctx, 'session', parsePathId(ctx.request.params.session_id, 'session_id')),
  };

  async function serve(
    request: HttpRequest<QueryRouteKey>,
    route: (ctx: RouteContext) => Promise<Answer>,
  ): Promise<HttpResult> {
    const { event } = request;
    // Wall-clock time, not deps.clock: the deadline is about the gateway's real 30 s.
    const deadline = readDeadline({
      arrivedAt: event.requestContext.timeEpoch,
      now: Date.now(),
      budgetMs: readBudgetMs,
      invocationRemainingMs: invocationRemainingMs(request.context),
    });
    // Deleting is writing: it takes the same scope as sending events, which every SDK key has.
    const principal = await authenticate(event, request.routeKey.startsWith('DELETE ') ? 'ingest' : 'read');
    const work = route({ request, principal, now: clock(), read: { deadline } });
    const answer = await withinDeadline(work, deadline, readBudgetMs);
    deps.onAnswered?.({ route: request.routeKey, status: answer.status, projectId: principal.project_id });
    const plain =
      answer.json === undefined
        ? json(answer.status, answer.body)
        : { ...json(answer.status, null), body: answer.json };
    return encodeResponse(plain, event.headers['accept-encoding']);
  }

  return createHttpApi<QueryRouteKey>({
    routes: QUERY_ROUTES.map((routeKey) => ({
      routeKey,
      handler: (request) => serve(request, ROUTES[routeKey]),
    })),
    bodyLimits: BODY_LIMITS,
    onError: deps.onError,
  });
}

/** The Lambda invocation's remaining time, when the handler runs in Lambda (its context says). */
function invocationRemainingMs(context: unknown): number | undefined {
  const remaining = (context as { getRemainingTimeInMillis?: unknown } | undefined)?.getRemainingTimeInMillis;
  return typeof remaining === 'function' ? Number(remaining.call(context)) : undefined;
}

/** The export body; an empty body is an empty request (every default). */
function readJsonBody(request: HttpRequest): unknown {
  const bytes = request.body();
  return bytes.byteLength === 0 ? {} : parseJsonBody(bytes);
}

/** The result routes' query: the aggregate function, the project (checked against the key's), filters. */
function runResultQuery(event: APIGatewayProxyEventV2) {
  const query = new URLSearchParams(event.rawQueryString ?? '');
  const one = (name: string) => query.get(name) ?? undefined;
  return {
    aggregate_function: one('aggregate_function'),
    project_id: one('project_id'),
    filters: one('filters'),
  };
}

/**
 * The raw query string keeps repeated and bracketed parameters apart; API Gateway always sends it,
 * and queryStringParameters (repeats comma-joined) is only the fallback for callers that do not.
 */
function queryParameters(event: APIGatewayProxyEventV2): QueryParameters {
  if (event.rawQueryString) return parseQueryString(event.rawQueryString);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) params.append(name, value);
  }
  return parseQueryString(params.toString());
}
