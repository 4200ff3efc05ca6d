/**
 * The provider-keys function's HTTP surface: set, list and remove the LLM provider keys of the
 * caller's project or workspace, and read and replace the LLM proxy's budgets and rate limits of the
 * caller's project (PROVIDER_KEY_ROUTES; the limits in proxy-limits-routes.ts), behind the shared router. Every route needs
 * the `admin` scope (an API key with it, or a control-plane token of an owner or admin) and works
 * on the credential's own project and workspace only. The secret is sealed before it is stored and
 * never appears in an answer, an error or anything handed to the hooks. No AWS imports: the handler
 * and the local platform (lambdas/local/provider-keys-local.ts) wire their own store and sealer.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RequestPrincipal } from '../domain/auth/authenticate-request';
import { ValidationError } from '../domain/errors';
import { auditView, type ProviderKeyAuditEntry } from '../domain/providers/audit';
import type { ProviderKeyStore, SecretSealer } from '../domain/providers/ports';
import { type ProviderId, parseProvider } from '../domain/providers/providers';
import type { ProviderKeyRef, ProviderKeyScope } from '../domain/providers/record';
import { parseProviderKeyRequest, parseScope } from '../domain/providers/request';
import type { ProjectTenant } from '../domain/providers/resolve';
import { createProviderKeyService } from '../domain/providers/service';
import type { ProxyLimitsStore } from '../domain/proxy/limit-ports';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { parseJsonObject } from '../http/json-object-body';
import { jsonResponse } from '../http/json-response';
import { createHttpApi, type HttpApi, type HttpRequest, type HttpResult } from '../http/router';
import { proxyLimitsRoutes } from './proxy-limits-routes';
import { PROVIDER_KEY_ROUTES, type ProviderKeyRouteKey } from './routes';

export { PROVIDER_KEY_ROUTES } from './routes';

/** A provider key request is a key of at most 8192 characters and two short fields. */
const PROVIDER_KEY_BODY_LIMITS = { maxBodyBytes: 16 * 1024, maxDecompressedBytes: 16 * 1024 };

const DEFAULT_AUDIT_LIMIT = 50;
const MAX_AUDIT_LIMIT = 200;

export interface ProviderKeysHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  store: ProviderKeyStore;
  sealer: SecretSealer;
  /** The LLM proxy's budgets and rate limits (GET and PUT /v1/proxy-limits). */
  proxyLimits: ProxyLimitsStore;
  /** Limits cached by the proxy's guards in the same process (the local platform), forgotten after a PUT. */
  invalidateProxyLimits?: (tenant: ProjectTenant) => void;
  clock?: () => number;
  newId?: () => string;
  /** Local mode: base_url may be http on loopback. */
  allowLoopbackBaseUrl?: boolean;
  /** A cache of opened keys in the same process (the local platform's proxy), emptied for what changes. */
  invalidate?: (ref: ProviderKeyRef) => void;
  /** After each change, for metrics and logs: never the secret. */
  onChanged?: (change: {
    action: 'set' | 'replaced' | 'removed';
    provider: ProviderId;
    scope: ProviderKeyScope;
  }) => void;
  /** Once per answered request (any status but the router's own 404/405 and 5xx). */
  onAnswered?: (summary: { route: ProviderKeyRouteKey; status: number; projectId: string }) => void;
  /** The change was made but its audit entry was not written. */
  onAuditFailure?: (error: unknown, entry: Omit<ProviderKeyAuditEntry, 'id'>) => void;
  /** Unexpected failures (5xx). Never given request bodies, keys or secrets. */
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

interface RouteContext {
  request: HttpRequest<ProviderKeyRouteKey>;
  principal: RequestPrincipal;
  tenant: ProjectTenant;
  actor: string;
}

interface Answer {
  status: number;
  body: unknown;
}

export function createProviderKeysHandler(deps: ProviderKeysHandlerDeps): HttpApi {
  const clock = deps.clock ?? Date.now;
  const authenticate = createCallerAuthenticator({ ...deps, clock });
  const service = createProviderKeyService({
    store: deps.store,
    sealer: deps.sealer,
    clock,
    newId: deps.newId ?? randomUUID,
    onChanged: deps.invalidate,
    onAuditFailure: (error, { id: _id, ...entry }) => deps.onAuditFailure?.(error, entry),
  });
  const limits = proxyLimitsRoutes({
    store: deps.proxyLimits,
    clock,
    invalidate: deps.invalidateProxyLimits,
  });

  const ROUTES: Record<ProviderKeyRouteKey, (ctx: RouteContext) => Promise<Answer>> = {
    'PUT /v1/provider-keys/{provider}': async (ctx) => {
      const provider = parseProvider(ctx.request.params.provider);
      const request = parseProviderKeyRequest(provider, parseJsonObject(ctx.request), {
        allowLoopbackBaseUrl: deps.allowLoopbackBaseUrl,
      });
      const { view, created } = await service.set(ctx.actor, ctx.tenant, request);
      deps.onChanged?.({ action: created ? 'set' : 'replaced', provider, scope: view.scope });
      return { status: created ? 201 : 200, body: view };
    },
    'GET /v1/provider-keys': async (ctx) => ({
      status: 200,
      body: { provider_keys: await service.list(ctx.tenant) },
    }),
    'DELETE /v1/provider-keys/{provider}': async (ctx) => {
      const provider = parseProvider(ctx.request.params.provider);
      const scope = parseScope(singleParameter(ctx.request.event, 'scope'), 'the scope parameter');
      await service.remove(ctx.actor, ctx.tenant, provider, scope);
      deps.onChanged?.({ action: 'removed', provider, scope });
      return { status: 200, body: { success: true, deleted: provider, scope } };
    },
    'GET /v1/provider-keys/audit': async (ctx) => {
      const limit = parseLimit(singleParameter(ctx.request.event, 'limit'));
      const entries = await service.audit(ctx.tenant, limit);
      return { status: 200, body: { entries: entries.map(auditView) } };
    },
    'GET /v1/proxy-limits': (ctx) => limits.get(ctx.tenant),
    'PUT /v1/proxy-limits': (ctx) => limits.put(ctx.tenant, ctx.actor, parseJsonObject(ctx.request)),
  };

  async function serve(
    request: HttpRequest<ProviderKeyRouteKey>,
    route: (ctx: RouteContext) => Promise<Answer>,
  ): Promise<HttpResult> {
    // First, before the path or body is looked at: a caller without admin learns nothing else.
    const principal = await authenticate(request.event, 'admin');
    const tenant = {
      org_id: principal.org_id,
      workspace_id: principal.workspace_id,
      project_id: principal.project_id,
    };
    const answer = await route({ request, principal, tenant, actor: actorOf(principal) });
    deps.onAnswered?.({ route: request.routeKey, status: answer.status, projectId: principal.project_id });
    return jsonResponse(answer.status, answer.body);
  }

  return createHttpApi<ProviderKeyRouteKey>({
    routes: PROVIDER_KEY_ROUTES.map((routeKey) => ({
      routeKey,
      handler: (request) => serve(request, ROUTES[routeKey]),
    })),
    bodyLimits: PROVIDER_KEY_BODY_LIMITS,
    onError: deps.onError,
  });
}

/** Who changed a key, as the record and the audit trail name them. */
function actorOf(principal: RequestPrincipal): string {
  // A prefix of the key's SHA-256 tells keys apart without being usable as a credential.
  return principal.via === 'token'
    ? `user:${principal.subject}`
    : `api-key:${principal.keyHash.slice(0, 16)}`;
}

function singleParameter(event: APIGatewayProxyEventV2, name: string): string | undefined {
  if (event.rawQueryString) {
    const values = new URLSearchParams(event.rawQueryString).getAll(name);
    if (values.length > 1) throw new ValidationError(`${name} is given more than once`);
    return values[0];
  }
  return event.queryStringParameters?.[name];
}

function parseLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_AUDIT_LIMIT;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_LIMIT) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_AUDIT_LIMIT}`);
  }
  return limit;
}
