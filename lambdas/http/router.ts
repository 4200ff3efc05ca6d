/**
 * The HTTP edge of every HTTP function: one router over API Gateway HTTP API (payload v2) events.
 * An app declares `{ routeKey, handler }` for each key of its route table; the router matches the
 * method and path (routes.ts: literal before parameter, parameters percent-decoded, trailing
 * slashes ignored), answers 404 for a path no route has and 405 with `Allow` for a method its path
 * does not have, reads bodies within the API's limits, refuses an answer too large for Lambda, and
 * is the one error boundary: an HttpError or a domain error (lambdas/domain/errors.ts) becomes its
 * status and headers, anything else a 500 that hides the cause and is reported to onError. The body
 * of an error answer is the API's (errorBody): HoneyHive's `{ success: false, error }` by default.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError, httpErrorOf } from './errors';
import { jsonResponse } from './json-response';
import { type BodyLimits, readRequestBodies, readRequestBodiesOffThread } from './request-body';
import { assertFitsLambda } from './response-encoding';
import { allowedMethods, routeRequest } from './routes';

export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What a route handler gets: the event, its route and parameters, the request id, the body. */
export interface HttpRequest<K extends string = string> {
  event: APIGatewayProxyEventV2;
  /** The Lambda context when the function runs in Lambda (the local server gives one too). */
  context: unknown;
  routeKey: K;
  /** Path parameters by name, percent-decoded. */
  params: Record<string, string>;
  /** API Gateway's request id: the correlation id of the request's logs, records and queue messages. */
  requestId: string;
  /** The body as bytes: base64 and content encodings undone, within the API's body limits (413, 415, 400). */
  body(): Uint8Array;
  /**
   * The body as sent (base64 undone) and decoded, content encodings undone on libuv's thread pool so
   * that a large body does not hold up the process's other requests.
   */
  bodiesOffThread(): Promise<{ sent: Uint8Array; decoded: Uint8Array }>;
}

export interface HttpRoute<K extends string = string> {
  routeKey: K;
  handler(request: HttpRequest<K>): Promise<HttpResult>;
}

/** A refusal as the error body formatter gets it. */
export interface HttpRefusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

interface HttpApiOptions<K extends string> {
  routes: readonly HttpRoute<K>[];
  bodyLimits: BodyLimits;
  /**
   * The API's error body; `routeKey` is the matched route, undefined when none matched (404, 405,
   * a malformed path parameter). Default: `{ success: false, error }` as JSON.
   */
  errorBody?: (refusal: HttpRefusal, request: { event: APIGatewayProxyEventV2; routeKey?: K }) => HttpResult;
  /**
   * Unexpected failures (5xx), for logging; `routeKey` is the matched route, else the request's
   * method and path. Never given request bodies or keys.
   */
  onError?: (error: unknown, context: { routeKey: string; status: number; requestId: string }) => void;
}

export type HttpApi = (event: APIGatewayProxyEventV2, context?: unknown) => Promise<HttpResult>;

export function createHttpApi<K extends string>(options: HttpApiOptions<K>): HttpApi {
  const handlers = new Map<string, HttpRoute<K>['handler']>();
  for (const route of options.routes) {
    if (handlers.has(route.routeKey)) throw new Error(`Route ${route.routeKey} is declared twice`);
    handlers.set(route.routeKey, route.handler);
  }
  const routeKeys = [...handlers.keys()];
  const errorBody = options.errorBody ?? jsonErrorBody;

  return async (event, context) => {
    const method = event.requestContext.http.method.toUpperCase();
    const requestId = event.requestContext.requestId;
    let matched: K | undefined;
    try {
      // Inside the try: a badly percent-encoded path parameter is a 400 answer like any other.
      const match = routeRequest(routeKeys, method, event.rawPath);
      if (!match) throw noRoute(routeKeys, method, event.rawPath);
      matched = match.routeKey as K;
      const handler = handlers.get(matched) as HttpRoute<K>['handler'];
      const result = await handler({
        event,
        context,
        routeKey: matched,
        params: match.params,
        requestId,
        body: () => readRequestBodies(rawBodyOf(event), options.bodyLimits).decoded,
        bodiesOffThread: () => readRequestBodiesOffThread(rawBodyOf(event), options.bodyLimits),
      });
      assertFitsLambda(result);
      return result;
    } catch (error) {
      const refusal = httpErrorOf(error);
      const status = refusal?.status ?? 500;
      if (status >= 500) {
        options.onError?.(error, { routeKey: matched ?? `${method} ${event.rawPath}`, status, requestId });
      }
      const message = refusal?.message ?? 'Internal error';
      return errorBody({ status, message, headers: refusal?.headers }, { event, routeKey: matched });
    }
  };
}

/** HoneyHive's error body, which every JSON API of Waggle answers with. */
export function jsonErrorBody(refusal: HttpRefusal): HttpResult {
  return jsonResponse(refusal.status, { success: false, error: refusal.message }, refusal.headers);
}

/** 405 with Allow when the path is a route's with other methods, else 404. */
function noRoute(routeKeys: readonly string[], method: string, rawPath: string): HttpError {
  const allow = allowedMethods(routeKeys, rawPath);
  if (allow.length === 0) return new HttpError(404, `No route for ${method} ${rawPath}`);
  return new HttpError(405, `${method} is not allowed on ${rawPath}; allowed: ${allow.join(', ')}`, {
    Allow: allow.join(', '),
  });
}

function rawBodyOf(event: APIGatewayProxyEventV2) {
  return {
    body: event.body,
    isBase64Encoded: event.isBase64Encoded,
    contentEncoding: event.headers['content-encoding'],
  };
}
