/**
 * HoneyHive's datasets, datapoints and experiment runs API on the data plane (domain/datasets/service.ts,
 * domain/experiments/runs.ts). Reads need
 * the `read` scope, writes `ingest`; the API key decides the project. No AWS imports: handler.ts
 * wires it on AWS, the local platform with dynalite.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { datasetCallerOf } from '../domain/datasets/caller';
import { FILE_CONTENT_TYPES } from '../domain/datasets/file-formats';
import type { DatasetCaller, DatasetService } from '../domain/datasets/service';
import { type DatasetVersionService, parseVersionNumber } from '../domain/datasets/versions';
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
  versions: DatasetVersionService;
  runs: RunService;
  clock?: () => number;
  onError?: (error: unknown, context: { routeKey: string; status: number }) => void;
}

type Action = (caller: DatasetCaller, request: HttpRequest, query: URLSearchParams) => Promise<HttpResult>;

const ok = (body: unknown = {}) => jsonResponse(200, body);

/** An action given the request's JSON object body. */
const withBody =
  (action: (caller: DatasetCaller, body: unknown) => Promise<unknown>): Action =>
  async (caller, request) =>
    ok(await action(caller, parseJsonObject(request)));

/** An action on the record that the path parameter `param` names. */
const byPathId =
  (param: string, action: (caller: DatasetCaller, id: string) => Promise<unknown>): Action =>
  async (caller, request) =>
    ok(await action(caller, request.params[param] ?? ''));

/** An action on the record that the path parameter `param` names, given the request's JSON object body. */
const byPathIdWithBody =
  (param: string, action: (caller: DatasetCaller, id: string, body: unknown) => Promise<unknown>): Action =>
  async (caller, request) =>
    ok(await action(caller, request.params[param] ?? '', parseJsonObject(request)));

export function createDatasetsHandler(deps: DatasetsHandlerDeps): HttpApi {
  const authenticate = createCallerAuthenticator({ ...deps, clock: deps.clock ?? Date.now });
  const { datasets, versions, runs } = deps;
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
    'POST /datasets': withBody(datasets.createDataset),
    'PUT /datasets': withBody(datasets.updateDataset),
    'DELETE /datasets': async (caller, _request, query) =>
      ok(await datasets.deleteDataset(caller, one(query, 'dataset_id'))),
    'POST /datasets/{dataset_id}/datapoints': byPathIdWithBody('dataset_id', datasets.addDatapoints),
    'POST /datasets/{dataset_id}/import': byPathIdWithBody('dataset_id', datasets.importFile),
    'GET /datasets/{dataset_id}/export': async (caller, request, query) => {
      const file = await versions.exportDataset(caller, request.params.dataset_id ?? '', {
        format: one(query, 'format'),
        version: one(query, 'version'),
      });
      return {
        statusCode: 200,
        headers: {
          'content-type': FILE_CONTENT_TYPES[file.format],
          'content-disposition': `attachment; filename="${file.fileName}"`,
          'x-content-type-options': 'nosniff',
        },
        body: file.content,
      };
    },
    'POST /datasets/{dataset_id}/versions': byPathIdWithBody('dataset_id', versions.createVersion),
    'GET /datasets/{dataset_id}/versions': byPathId('dataset_id', versions.listVersions),
    'GET /datapoints': async (caller, _request, query) => {
      const version = parseVersionNumber(one(query, 'version'));
      if (version !== undefined)
        return ok(
          await versions.versionDatapoints(caller, { datasetName: one(query, 'dataset_name'), version }),
        );
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
    'POST /datapoints': withBody(datasets.createDatapoint),
    'GET /datapoints/{id}': byPathId('id', datasets.getDatapoint),
    'PUT /datapoints/{id}': byPathIdWithBody('id', datasets.updateDatapoint),
    'DELETE /datapoints/{id}': byPathId('id', datasets.deleteDatapoint),
    'POST /runs': withBody(runs.createRun),
    'GET /runs': async (caller, _request, query) => ok(await runs.getRuns(caller, one(query, 'project'))),
    'GET /runs/{run_id}': byPathId('run_id', runs.getRun),
    'PUT /runs/{run_id}': byPathIdWithBody('run_id', runs.updateRun),
    'DELETE /runs/{run_id}': byPathId('run_id', runs.deleteRun),
  };
  return createHttpApi({
    routes: DATASETS_ROUTES.map((routeKey) => ({
      routeKey,
      handler: async (request) => {
        const principal = await authenticate(request.event, routeKey.startsWith('GET ') ? 'read' : 'ingest');
        const caller = datasetCallerOf(principal);
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
