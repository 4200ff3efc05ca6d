/**
 * The backfills API on the data plane: estimate a backfill, start it (refused over its caps), read
 * its state, redrive its failed items (domain/evaluators/backfill/service.ts). Reading a run needs
 * the `read` scope; estimating, starting and redriving need `ingest`, as metric runs do (a backfill
 * writes scores and may call the project's judge, paid by its provider key). No AWS imports:
 * handler.ts wires it on AWS, the local platform with its backfill runner.
 */
import type { BackfillService } from '../domain/evaluators/backfill/service';
import type { Tenant } from '../domain/events/event';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { parseJsonObject } from '../http/json-object-body';
import { jsonResponse } from '../http/json-response';
import { createHttpApi, type HttpApi, type HttpRequest, type HttpResult } from '../http/router';
import { BACKFILLS_ROUTES, type BackfillsRouteKey } from './routes';

export { BACKFILLS_ROUTES } from './routes';

/** Backfill requests are a few filters: 64 KiB is plenty. */
export const BACKFILLS_BODY_LIMITS = { maxBodyBytes: 64 * 1024, maxDecompressedBytes: 64 * 1024 };

export interface BackfillsHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  backfills: BackfillService;
  clock?: () => number;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

type Action = (tenant: Tenant, request: HttpRequest) => Promise<HttpResult>;

export function createBackfillsHandler(deps: BackfillsHandlerDeps): HttpApi {
  const authenticate = createCallerAuthenticator({ ...deps, clock: deps.clock ?? Date.now });
  const { backfills } = deps;
  const actions: Record<BackfillsRouteKey, Action> = {
    'POST /v1/backfills/estimate': async (tenant, request) =>
      jsonResponse(200, await backfills.estimate(tenant, parseJsonObject(request))),
    'POST /v1/backfills': async (tenant, request) =>
      jsonResponse(202, await backfills.start(tenant, parseJsonObject(request))),
    'GET /v1/backfills/{backfill_id}': async (tenant, request) =>
      jsonResponse(200, await backfills.describe(tenant, request.params.backfill_id ?? '')),
    'POST /v1/backfills/{backfill_id}/redrive': async (tenant, request) =>
      jsonResponse(202, await backfills.redrive(tenant, request.params.backfill_id ?? '')),
  };
  return createHttpApi({
    routes: BACKFILLS_ROUTES.map((routeKey) => ({
      routeKey,
      handler: async (request) => {
        const principal = await authenticate(request.event, routeKey.startsWith('GET ') ? 'read' : 'ingest');
        const tenant: Tenant = {
          org_id: principal.org_id,
          workspace_id: principal.workspace_id,
          project_id: principal.project_id,
        };
        return actions[routeKey](tenant, request);
      },
    })),
    bodyLimits: BACKFILLS_BODY_LIMITS,
    onError: deps.onError,
  });
}
