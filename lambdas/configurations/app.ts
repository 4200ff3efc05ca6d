/**
 * HoneyHive's configurations, tools and metrics on the data plane. Reads (GET) come from the synced
 * copy (ConfigurationReader and the SyncedEvaluatorCatalog over the ConfigStore the data-plane
 * controller fills), pinned to the caller's project; a metric's version history, which only the
 * control plane keeps, is forwarded like a write. Writes are the control plane's: after checking the caller here (the `ingest`
 * scope: a credential that may send the project's data may write its configurations), the request
 * goes to the control plane's /v1 path unchanged, with the caller's own `Authorization` and the
 * organization and project this plane resolved (x-waggle-org, x-waggle-project); the control plane
 * checks the credential again against its own records and answers. No AWS imports.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RequestPrincipal } from '../domain/auth/authenticate-request';
import { readEnvironment } from '../domain/configurations/configuration-input';
import type { ConfigurationReader } from '../domain/configurations/lookup';
import { configurationWire, toolWire } from '../domain/configurations/wire';
import { ForbiddenError } from '../domain/errors';
import type { SyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { readMetricType } from '../domain/evaluators/definitions/metric-input';
import { metricWire } from '../domain/evaluators/definitions/wire';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { CONTROL_PLANE_BODY_LIMITS } from '../http/json-object-body';
import { jsonResponse } from '../http/json-response';
import { createHttpApi, type HttpApi, type HttpRequest, type HttpResult } from '../http/router';
import { CONFIGURATION_ROUTES, type ConfigurationRouteKey } from './routes';

export { CONFIGURATION_ROUTES } from './routes';

/** A write as the control plane gets it. */
export interface ForwardedWrite {
  /** GET: a read only the control plane can answer (a metric's version history). */
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The control plane's /v1 path and query, e.g. `/v1/configurations/abc` or `/v1/tools?function_id=x`. */
  pathAndQuery: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

/** Sends a write to the control plane; its answer comes back unchanged. Throws only when it cannot be reached. */
export type ControlPlaneForwarder = (write: ForwardedWrite) => Promise<HttpResult>;

export interface ConfigurationsHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  reader: ConfigurationReader;
  /** The synced metrics (GET /metrics). */
  evaluators: SyncedEvaluatorCatalog;
  forward: ControlPlaneForwarder;
  clock?: () => number;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

export function createConfigurationsHandler(deps: ConfigurationsHandlerDeps): HttpApi {
  const authenticate = createCallerAuthenticator({ ...deps, clock: deps.clock ?? Date.now });

  async function read(request: HttpRequest<ConfigurationRouteKey>): Promise<HttpResult> {
    const principal = await authenticate(request.event, 'read');
    const query = new URLSearchParams(request.event.rawQueryString ?? '');
    checkNamedProject(principal, query.get('project'));
    if (request.routeKey.endsWith('/metrics')) {
      // The 1.0.42 client names the project as project_name.
      checkNamedProject(principal, query.get('project_name'));
      const type = query.get('type');
      const id = query.get('id');
      const metrics = await deps.evaluators.list(principal, {
        ...(type !== null && type !== '' && { type: readMetricType(type, 'type') }),
        ...(id !== null && id !== '' && { id }),
      });
      const projectName = principal.projectName ?? principal.project_id;
      return jsonResponse(
        200,
        metrics.map((metric) => metricWire(metric, projectName)),
      );
    }
    if (request.routeKey.endsWith('/tools')) {
      const tools = await deps.reader.tools(principal);
      return jsonResponse(200, tools.map(toolWire));
    }
    const envParam = query.get('env');
    const env = envParam === null || envParam === '' ? undefined : readEnvironment(envParam);
    const nameParam = query.get('name');
    const found = await deps.reader.list(principal, {
      ...(nameParam !== null && nameParam !== '' && { name: nameParam }),
      ...(env !== undefined && { env }),
    });
    return jsonResponse(
      200,
      found.map(({ configuration, createdAt }) => configurationWire(configuration, createdAt)),
    );
  }

  async function write(request: HttpRequest<ConfigurationRouteKey>): Promise<HttpResult> {
    const principal = await authenticate(request.event, 'ingest');
    const event = request.event;
    const [method, template] = request.routeKey.split(' ') as [ForwardedWrite['method'], string];
    const path = template
      .replace(/^\/(?!v1\/)/, '/v1/')
      .replace('{id}', encodeURIComponent(request.params.id ?? ''));
    const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
    const body = method === 'DELETE' || method === 'GET' ? undefined : request.body();
    return deps.forward({
      method,
      pathAndQuery: `${path}${query}`,
      headers: forwardedHeaders(event, principal),
      ...(body !== undefined && { body }),
    });
  }

  return createHttpApi({
    routes: CONFIGURATION_ROUTES.map((routeKey) => ({
      routeKey,
      handler: routeKey.startsWith('GET ') && !routeKey.endsWith('/versions') ? read : write,
    })),
    bodyLimits: CONTROL_PLANE_BODY_LIMITS,
    onError: deps.onError,
  });
}

/** HoneyHive's `project` query parameter may name the caller's project only (id or name). */
function checkNamedProject(principal: RequestPrincipal, named: string | null): void {
  if (named === null || named === '') return;
  if (named !== principal.project_id && named !== principal.projectName)
    throw new ForbiddenError('This credential is not for the named project');
}

function forwardedHeaders(
  event: APIGatewayProxyEventV2,
  principal: RequestPrincipal,
): Record<string, string> {
  return {
    authorization: event.headers.authorization ?? '',
    'content-type': 'application/json',
    'x-waggle-org': principal.org_id,
    'x-waggle-project': principal.project_id,
  };
}
