/**
 * HoneyHive's datasets, datapoints and experiment runs API on the data plane (domain/datasets/service.ts,
 * domain/experiments/runs.ts). Reads need
 * the `read` scope, writes `ingest`; the API key decides the project. No AWS imports: handler.ts
 * wires it on AWS, the local platform with dynalite.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { DatasetCaller, DatasetService } from '../domain/datasets/service';
import type { RunService } from '../domain/experiments/runs';
import { createCallerAuthenticator, type DataPlaneCallerDeps } from '../http/data-plane-caller';
import { parseJsonObject } from '../http/json-object-body';
import { jsonResponse } from '../http/json-response';
import { createHttpApi, type HttpApi, type HttpRequest, type HttpResult } from '../http/router';
import { DATASETS_ROUTES, unversioned } from './routes';

export { DATASETS_ROUTES } from './routes';

/** A body of up to 1,000 datapoints: within Lambda's 6 MB request payload, with room for base64. */
export const DATASETS_BODY_LIMITS = { maxBodyBytes: 4 * 1024 * 1024, maxDecompressedBytes: 16 * 1024 * 1024 };

export interface DatasetsHandlerDeps extends Omit<DataPlaneCallerDeps, 'clock'> {
  datasets: DatasetService;
  runs: RunService;
  clock?: () => number;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

type Action = (caller: DatasetCaller, request: HttpRequest, query: URLSearchParams) => Promise<HttpResult>;

const ok = (body: unknown = {}) => jsonResponse(200, body);

export function createDatasetsHandler(deps: DatasetsHandlerDeps): HttpApi {
  const authenticate = createCallerAuthenticator({ ...deps, clock: deps.clock ?? Date.now });
  const { datasets, runs } = deps;
  const one = (query: URLSearchParams, name: string) => query.get(name) ?? undefined;
  const actions: Record<ReturnType<typeof unversioned>, Action> = {
    'GET /datasets': async (caller, _request, query) =>
      ok(
        await datasets.getDatasets(caller, {
          project: one(query, 'project'),
          type: one(query, 'type'),
          datasetId: one(query, 'dataset_id'),
        }),
      ),
    'POST /datasets': async (caller, request) =>
      ok(await datasets.createDataset(caller, parseJsonObject(request))),
    'PUT /datasets': async (caller, request) =>
      ok(await datasets.updateDataset(caller, parseJsonObject(request))),
    'DELETE /datasets': async (caller, _request, query) =>
      ok(await datasets.deleteDataset(caller, one(query, 'dataset_id'))),
    'POST /datasets/{dataset_id}/datapoints': async (caller, request) =>
      ok(await datasets.addDatapoints(caller, request.params.dataset_id ?? '', parseJsonObject(request))),
    'GET /datapoints': async (caller, _request, query) => {
      const ids = query
        .getAll('datapoint_ids')
        .flatMap((value) => value.split(','))
        .filter((id) => id !== '');
      return ok(
        await datasets.getDatapoints(caller, {
          project: one(query, 'project'),
          datapointIds: query.has('datapoint_ids') ? ids : undefined,
          datasetName: one(query, 'dataset_name'),
        }),
      );
    },
    'POST /datapoints': async (caller, request) =>
      ok(await datasets.createDatapoint(caller, parseJsonObject(request))),
    'GET /datapoints/{id}': async (caller, request) =>
      ok(await datasets.getDatapoint(caller, request.params.id ?? '')),
    'PUT /datapoints/{id}': async (caller, request) =>
      ok(await datasets.updateDatapoint(caller, request.params.id ?? '', parseJsonObject(request))),
    'DELETE /datapoints/{id}': async (caller, request) =>
      ok(await datasets.deleteDatapoint(caller, request.params.id ?? '')),
    'POST /runs': async (caller, request) => ok(await runs.createRun(caller, parseJsonObject(request))),
    'GET /runs': async (caller, _request, query) => ok(await runs.getRuns(caller, one(query, 'project'))),
    'GET /runs/{run_id}': async (caller, request) =>
      ok(await runs.getRun(caller, request.params.run_id ?? '')),
    'PUT /runs/{run_id}': async (caller, request) =>
      ok(await runs.updateRun(caller, request.params.run_id ?? '', parseJsonObject(request))),
    'DELETE /runs/{run_id}': async (caller, request) =>
      ok(await runs.deleteRun(caller, request.params.run_id ?? '')),
  };
  return createHttpApi({
    routes: DATASETS_ROUTES.map((routeKey) => ({
      routeKey,
      handler: async (request) => {
        const principal = await authenticate(request.event, routeKey.startsWith('GET ') ? 'read' : 'ingest');
        const caller: DatasetCaller = {
          tenant: {
            org_id: principal.org_id,
            workspace_id: principal.workspace_id,
            project_id: principal.project_id,
          },
          projectName: principal.projectName,
        };
        return actions[unversioned(routeKey)](caller, request, queryOf(request.event));
      },
    })),
    bodyLimits: DATASETS_BODY_LIMITS,
    onError: deps.onError,
  });
}

/** The raw query string keeps repeated parameters apart (API Gateway comma-joins them in queryStringParameters). */
function queryOf(event: APIGatewayProxyEventV2): URLSearchParams {
  if (event.rawQueryString) return new URLSearchParams(event.rawQueryString);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {}))
    if (value !== undefined) params.append(name, value);
  return params;
}
