/**
 * The API client's calls of the datasets, datapoints and experiment runs API (docs/datasets.md), all
 * under /v1 on the data plane, made through the client's data-plane request (`dp`: token, 401 retry,
 * ApiError). Spread into the client by createApiClient.
 */
import type { DataTarget } from './client';
import type {
  AggregateFunction,
  DatapointCreate,
  DatapointMapping,
  DatapointPatch,
  DatapointWire,
  DatasetFileFormat,
  DatasetVersionWire,
  DatasetWire,
  ExperimentResult,
  RunComparison,
  RunWire,
  ServerExperimentRequest,
  ServerExperimentState,
} from './experiments';

type DataPlaneCall = <T>(
  target: DataTarget,
  method: string,
  path: string,
  body?: unknown,
  asText?: boolean,
) => Promise<T>;
type Query = (params: Record<string, string | undefined>) => string;

/** Datapoint ids one `GET /v1/datapoints?datapoint_ids=` names at most: ~2.5 KB of URL, far inside any limit. */
export const DATAPOINTS_PER_READ = 100;

export function experimentCalls(dp: DataPlaneCall, query: Query) {
  const enc = encodeURIComponent;
  return {
    listDatasets: (target: DataTarget) => dp<{ testcases: DatasetWire[] }>(target, 'GET', '/v1/datasets'),
    /** One dataset, or null when the project has none of that id (a query's answer cannot be undefined). */
    getDataset: async (target: DataTarget, id: string): Promise<DatasetWire | null> =>
      (await dp<{ testcases: DatasetWire[] }>(target, 'GET', `/v1/datasets${query({ dataset_id: id })}`))
        .testcases[0] ?? null,
    createDataset: (target: DataTarget, body: { name: string; description?: string }) =>
      dp<{ inserted: boolean; result: { insertedId: string } }>(target, 'POST', '/v1/datasets', body),
    updateDataset: (
      target: DataTarget,
      body: { dataset_id: string; name?: string; description?: string; datapoints?: string[] },
    ) => dp<unknown>(target, 'PUT', '/v1/datasets', body),
    deleteDataset: (target: DataTarget, id: string) =>
      dp<unknown>(target, 'DELETE', `/v1/datasets${query({ dataset_id: id })}`),
    /** A dataset's datapoints in its order (by name: the API's `dataset_name`). */
    datasetDatapoints: (target: DataTarget, datasetName: string) =>
      dp<{ datapoints: DatapointWire[] }>(
        target,
        'GET',
        `/v1/datapoints${query({ dataset_name: datasetName })}`,
      ),
    /** Datapoints by id, DATAPOINTS_PER_READ a request; unknown ids are left out. */
    async datapointsById(target: DataTarget, ids: readonly string[]): Promise<DatapointWire[]> {
      const reads: Promise<{ datapoints: DatapointWire[] }>[] = [];
      for (let start = 0; start < ids.length; start += DATAPOINTS_PER_READ)
        reads.push(
          dp(
            target,
            'GET',
            `/v1/datapoints${query({ datapoint_ids: ids.slice(start, start + DATAPOINTS_PER_READ).join(',') })}`,
          ),
        );
      return (await Promise.all(reads)).flatMap((answer) => answer.datapoints);
    },
    createDatapoint: (target: DataTarget, body: DatapointCreate) =>
      dp<{ result: { insertedId: string } }>(target, 'POST', '/v1/datapoints', body),
    updateDatapoint: (target: DataTarget, id: string, body: DatapointPatch) =>
      dp<unknown>(target, 'PUT', `/v1/datapoints/${enc(id)}`, body),
    deleteDatapoint: (target: DataTarget, id: string) =>
      dp<{ deleted: boolean }>(target, 'DELETE', `/v1/datapoints/${enc(id)}`),
    importDataset: (
      target: DataTarget,
      id: string,
      body: { format: DatasetFileFormat; content: string; mapping?: DatapointMapping },
    ) =>
      dp<{ inserted: boolean; datapoint_ids: string[] }>(
        target,
        'POST',
        `/v1/datasets/${enc(id)}/import`,
        body,
      ),
    /** The dataset (or one of its versions) as a file's text. */
    exportDataset: (target: DataTarget, id: string, format: DatasetFileFormat, version?: number) =>
      dp<string>(
        target,
        'GET',
        `/v1/datasets/${enc(id)}/export${query({ format, version: version === undefined ? undefined : String(version) })}`,
        undefined,
        true,
      ),
    datasetVersions: (target: DataTarget, id: string) =>
      dp<{ versions: DatasetVersionWire[] }>(target, 'GET', `/v1/datasets/${enc(id)}/versions`),
    createDatasetVersion: (target: DataTarget, id: string, description?: string) =>
      dp<{ version: DatasetVersionWire }>(
        target,
        'POST',
        `/v1/datasets/${enc(id)}/versions`,
        description ? { description } : {},
      ),

    listRuns: (target: DataTarget) =>
      dp<{ evaluations: RunWire[] }>(target, 'GET', `/v1/runs${query({ project: target.projectId })}`),
    getRun: (target: DataTarget, runId: string) =>
      dp<{ evaluation: RunWire }>(target, 'GET', `/v1/runs/${enc(runId)}`),
    runResult: (target: DataTarget, runId: string, aggregate: AggregateFunction) =>
      dp<ExperimentResult>(
        target,
        'GET',
        `/v1/runs/${enc(runId)}/result${query({ aggregate_function: aggregate })}`,
      ),
    compareRuns: (target: DataTarget, newRunId: string, oldRunId: string, aggregate: AggregateFunction) =>
      dp<RunComparison>(
        target,
        'GET',
        `/v1/runs/${enc(newRunId)}/compare-with/${enc(oldRunId)}${query({ aggregate_function: aggregate })}`,
      ),

    /** Starts a server-side experiment (202): the run is created at once, its datapoints run by the workflow. */
    startExperiment: (target: DataTarget, body: ServerExperimentRequest) =>
      dp<{ run_id: string; status: string; dataset_id: string; datapoints: number; max_concurrency: number }>(
        target,
        'POST',
        '/v1/experiments',
        body,
      ),
    serverExperiment: (target: DataTarget, runId: string) =>
      dp<ServerExperimentState>(target, 'GET', `/v1/experiments/${enc(runId)}`),
    /** Reruns the failed datapoints of a failed server-side experiment. */
    redriveExperiment: (target: DataTarget, runId: string) =>
      dp<ServerExperimentState>(target, 'POST', `/v1/experiments/${enc(runId)}/redrive`, {}),
  };
}
