/**
 * The LLM proxy's HTTP surface: POST /v1/chat/completions, OpenAI-compatible. Authenticates the
 * caller (an API key with the `ingest` scope, or a token whose role may ingest: every call becomes
 * a model event in the project, as if the caller had sent it), hands the body to the proxy service
 * and writes the answer to a ResponseSink, streaming server-sent events as chunks arrive. Errors
 * are answered in OpenAI's shape, {error: {message, type, param, code}}, which the openai client
 * reads. No AWS imports: the handler writes to Lambda's response stream, the local platform to a
 * node:http response.
 */
import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { classifyProviderFailure } from '../adapters/providers/provider-failures';
import type { ConfigurationLookup } from '../domain/configurations/configuration';
import { isDomainError, ValidationError } from '../domain/errors';
import type { ProviderKeyResolver } from '../domain/providers/resolve';
import type { ProxyGuards, ResponseCache } from '../domain/proxy/guards';
import type { ModelFactory } from '../domain/proxy/provider-models';
import { ProviderCallError } from '../domain/proxy/proxy-errors';
import {
  createProxyService,
  type ProxyCallSummary,
  type ProxyServiceDeps,
} from '../domain/proxy/proxy-service';
import type { RetryPolicy } from '../domain/proxy/retry';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { DOMAIN_ERROR_STATUS } from '../http/errors';

/** Where the answer goes: headers once, then text, then the end. */
export interface ResponseSink {
  start(statusCode: number, headers: Record<string, string>): void;
  write(text: string): void | Promise<void>;
  end(): void | Promise<void>;
}

export type LlmProxyApp = (event: APIGatewayProxyEventV2, sink: ResponseSink) => Promise<void>;

export interface LlmProxyDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  providerKeys: Pick<ProviderKeyResolver, 'resolve'>;
  models: ModelFactory;
  /** Publishes model events to the events queue. */
  publish: ProxyServiceDeps['publish'];
  configurations?: ConfigurationLookup;
  guards?: ProxyGuards;
  cache?: ResponseCache;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  attemptTimeoutMs?: number;
  onCall?: (summary: ProxyCallSummary) => void;
  onEventLost?: (error: unknown) => void;
  /** Unexpected failures (500s) and provider failures (502/504), for logging: messages carry no secret. */
  onError?: (error: unknown, context: { status: number }) => void;
}

/** Lambda's synchronous request payload limit (6 MB), which a function URL request shares. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
/** The longest cache TTL accepted in x-waggle-cache: one day (the response cache keeps nothing longer). */
export const MAX_CACHE_TTL_SECONDS = 86_400;
const CHAT_PATH = '/v1/chat/completions';

export function createLlmProxyApp(deps: LlmProxyDeps): LlmProxyApp {
  const clock = deps.clock ?? Date.now;
  const authenticate = createCallerAuthenticator({ ...deps, clock });
  const service = createProxyService({
    keys: deps.providerKeys,
    models: deps.models,
    classifyFailure: classifyProviderFailure,
    configurations: deps.configurations,
    guards: deps.guards,
    cache: deps.cache,
    publish: deps.publish,
    clock,
    sleep: deps.sleep,
    retry: deps.retry,
    attemptTimeoutMs: deps.attemptTimeoutMs,
    onCall: deps.onCall,
    onEventLost: deps.onEventLost,
  });

  return async (event, sink) => {
    let started = false;
    const guardedSink: ResponseSink = {
      start: (status, headers) => {
        started = true;
        sink.start(status, headers);
      },
      write: (text) => sink.write(text),
      end: () => sink.end(),
    };
    try {
      await serve(event, guardedSink);
    } catch (error) {
      const { status, body, headers } = openAIError(error);
      if (status >= 500) deps.onError?.(error, { status });
      try {
        if (!started) {
          guardedSink.start(status, { 'content-type': 'application/json', ...headers });
          await guardedSink.write(JSON.stringify(body));
        } else {
          // The stream had begun: the openai client raises an APIError on an `error` event.
          await guardedSink.write(`data: ${JSON.stringify(body)}\n\n`);
        }
        await guardedSink.end();
      } catch {
        // The client is gone: there is no one left to tell.
      }
    }
  };

  async function serve(event: APIGatewayProxyEventV2, sink: ResponseSink): Promise<void> {
    const method = event.requestContext.http.method;
    const path = event.rawPath.replace(/\/+$/, '');
    if (path !== CHAT_PATH)
      throw new RouteError(404, `No route ${method} ${event.rawPath}; the proxy serves POST ${CHAT_PATH}`);
    if (method !== 'POST') throw new RouteError(405, `${method} is not allowed on ${CHAT_PATH}; use POST`);
    const principal = await authenticate(event, 'ingest');
    const body = readJsonBody(event);
    const caller = {
      tenant: {
        org_id: principal.org_id,
        workspace_id: principal.workspace_id,
        project_id: principal.project_id,
      },
      projectName: principal.projectName,
      credentialId:
        principal.via === 'api-key'
          ? `api-key:${principal.keyHash.slice(0, 16)}`
          : `user:${principal.subject}`,
    };
    const headers = event.headers;
    const result = await service.handle({
      caller,
      body,
      requestId: event.requestContext.requestId,
      ...(headers['x-waggle-environment'] !== undefined && {
        environment: headers['x-waggle-environment'].trim(),
      }),
      ...cacheTtlOf(headers['x-waggle-cache']),
    });
    if (result.kind === 'completion') {
      sink.start(200, {
        'content-type': 'application/json',
        'x-waggle-event-id': result.eventId,
        ...(result.costUsd !== undefined && { 'x-waggle-cost-usd': String(result.costUsd) }),
        ...(headers['x-waggle-cache'] !== undefined && {
          'x-waggle-cache': result.cacheHit ? 'hit' : 'miss',
        }),
      });
      await sink.write(JSON.stringify(result.completion));
      await sink.end();
      // Answered: the event, the budgets and the cache are written after, within the invocation.
      await result.recorded;
      return;
    }
    sink.start(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // Known now: the event is stored when the stream ends, under this id.
      'x-waggle-event-id': result.eventId,
    });
    try {
      for await (const chunk of result.chunks) await sink.write(`data: ${JSON.stringify(chunk)}\n\n`);
      await sink.write('data: [DONE]\n\n');
    } finally {
      await result.chunks.return();
    }
    await sink.end();
  }
}

class RouteError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readJsonBody(event: APIGatewayProxyEventV2): Record<string, unknown> {
  if (event.body === undefined || event.body === '')
    throw new ValidationError('The request has no body; send the chat request as JSON');
  let bytes = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (event.headers['content-encoding']?.trim().toLowerCase() === 'gzip') {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: MAX_REQUEST_BYTES });
    } catch {
      throw new ValidationError(`The gzip body is corrupt or inflates beyond ${MAX_REQUEST_BYTES} bytes`);
    }
  }
  if (bytes.byteLength > MAX_REQUEST_BYTES)
    throw new RouteError(413, `The body is larger than ${MAX_REQUEST_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ValidationError('The body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError('The body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function cacheTtlOf(header: string | undefined): { cacheTtlSeconds?: number } {
  if (header === undefined || header.trim() === '') return {};
  const ttl = Number(header.trim());
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_CACHE_TTL_SECONDS) {
    throw new ValidationError(`x-waggle-cache must be a TTL in seconds from 1 to ${MAX_CACHE_TTL_SECONDS}`);
  }
  return { cacheTtlSeconds: ttl };
}

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'authentication_error', code: 'invalid_api_key' },
  403: { type: 'permission_error', code: null },
  404: { type: 'not_found_error', code: 'model_not_found' },
  405: { type: 'invalid_request_error', code: 'method_not_allowed' },
  413: { type: 'invalid_request_error', code: 'request_too_large' },
  429: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  503: { type: 'service_unavailable', code: null },
};

/** OpenAI's error body for any failure; unexpected ones say nothing of their cause. */
/** A refused request is the caller's to fix (400); a provider that failed or was silent is a gateway error. */
const PROVIDER_FAILURE_STATUS: Record<ProviderCallError['code'], number> = {
  provider_refused: 400,
  provider_unavailable: 502,
  provider_timeout: 504,
};

export function openAIError(error: unknown): {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
  headers: Record<string, string>;
} {
  let status = 500;
  let message = 'Internal error in the Waggle proxy';
  let code: string | null = null;
  let type = 'api_error';
  const headers: Record<string, string> = {};
  if (error instanceof ProviderCallError) {
    status = PROVIDER_FAILURE_STATUS[error.code];
    message = error.message;
    code = error.code;
    type = status === 400 ? 'invalid_request_error' : 'provider_error';
  } else if (error instanceof RouteError) {
    status = error.status;
    message = error.message;
  } else if (isDomainError(error)) {
    status = DOMAIN_ERROR_STATUS[error.kind];
    message = error.message;
    if (error.retryAfterSeconds !== undefined)
      headers['retry-after'] = String(Math.ceil(error.retryAfterSeconds));
    if (status === 401) headers['www-authenticate'] = 'Bearer';
  }
  if (status !== 500 && !(error instanceof ProviderCallError)) {
    const known = ERROR_TYPES[status];
    type = known?.type ?? 'invalid_request_error';
    code = known?.code ?? null;
    if (status === 429 && /budget/i.test(message)) code = 'budget_exceeded';
  }
  return { status, body: { error: { message, type, param: null, code } }, headers };
}
