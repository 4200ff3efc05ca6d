/**
 * The experiments API on the data plane: start a server-side experiment, read its state, redrive its
 * failed items (domain/experiments/server/service.ts). Reading needs the `read` scope; starting and
 * redriving need `ingest` (a run writes sessions and calls the project's providers with its keys).
 * No AWS imports: handler.ts wires it on AWS, the local platform with its workflow runner.
 */
import { type DatasetCaller, datasetCallerOf } from '../domain/datasets/caller';
import type { ExperimentService } from '../domain/experiments/server/service';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { parseJsonObject } from '../http/json-object-body';
import { jsonResponse } from '../http/json-response';
import { createHttpApi, type HttpApi, type HttpRequest, type HttpResult } from '../http/router';
import { EXPERIMENTS_ROUTES, type ExperimentsRouteKey } from './routes';

export { EXPERIMENTS_ROUTES } from './routes';

/** An experiment request is a few ids, an endpoint and its headers, and metadata (16 KiB): 64 KiB is plenty. */
export const EXPERIMENTS_BODY_LIMITS = { maxBodyBytes: 64 * 1024, maxDecompressedBytes: 64 * 1024 };

export interface ExperimentsHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  experiments: ExperimentService;
  clock?: () => number;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

type Action = (caller: DatasetCaller, request: HttpRequest) => Promise<HttpResult>;

export function createExperimentsHandler(deps: ExperimentsHandlerDeps): HttpApi {
  const authenticate = createCallerAuthenticator({ ...deps, clock: deps.clock ?? Date.now });
  const { experiments } = deps;
  const actions: Record<ExperimentsRouteKey, Action> = {
    'POST /v1/experiments': async (caller, request) =>
      jsonResponse(202, await experiments.start(caller, parseJsonObject(request))),
    'GET /v1/experiments/{run_id}': async (caller, request) =>
      jsonResponse(200, await experiments.describe(caller, request.params.run_id ?? '')),
    'POST /v1/experiments/{run_id}/redrive': async (caller, request) =>
      jsonResponse(202, await experiments.redrive(caller, request.params.run_id ?? '')),
  };
  return createHttpApi({
    routes: EXPERIMENTS_ROUTES.map((routeKey) => ({
      routeKey,
      handler: async (request) => {
        const principal = await authenticate(request.event, routeKey.startsWith('GET ') ? 'read' : 'ingest');
        const caller = datasetCallerOf(principal);
        return actions[routeKey](caller, request);
      },
    })),
    bodyLimits: EXPERIMENTS_BODY_LIMITS,
    onError: deps.onError,
  });
}
