/**
 * Server-side experiments as the API offers them (`/v1/experiments`): start one (the run recorded
 * through the run service, status `running`, with the dataset's version and datapoint ids, then the
 * workflow started), read its execution's state and counts, and redrive its failed items. The run is
 * an ordinary HoneyHive run: `/runs/{run_id}/result` and comparisons read it like any other.
 */

import type { ConfigurationReader } from '../../configurations/lookup';
import { checkCallerProject, type DatasetCaller } from '../../datasets/caller';
import type { DatasetStore } from '../../datasets/ports';
import { NotFoundError, TooLargeError, ValidationError } from '../../errors';
import type { EvaluatorCatalog } from '../../evaluators/evaluator';
import type { JsonObject } from '../../events/event';
import type { ObjectStore } from '../../ports';
import type { ProxyLimitsStore } from '../../proxy/limit-ports';
import type { WorkflowExecution, WorkflowRunner } from '../../workflows/workflow';
import { MAX_RUN_IDS, type RunRecord, type RunService, type RunStore } from '../runs';
import {
  type ExperimentRun,
  experimentConcurrency,
  type ParseOptions,
  parseExperimentRequest,
  type RunTarget,
} from './request';
import { type ExperimentCounts, headersKeyOf, settleRun } from './steps';

export interface ExperimentServiceDeps {
  runs: Pick<RunService, 'createRun'>;
  runStore: Pick<RunStore, 'getRun' | 'putRun'>;
  datasets: Pick<DatasetStore, 'getDataset' | 'members'>;
  configurations?: Pick<ConfigurationReader, 'list'>;
  catalog: Pick<EvaluatorCatalog, 'get'>;
  limits: Pick<ProxyLimitsStore, 'get'>;
  /** Where endpoint headers are kept for the steps (the items store). */
  items: ObjectStore;
  workflow: WorkflowRunner<ExperimentRun>;
  parse?: ParseOptions;
  clock?: () => number;
}

/** An execution is over and the run did not complete. */
const FAILED_STATUSES = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

export function createExperimentService(deps: ExperimentServiceDeps) {
  const clock = deps.clock ?? Date.now;

  async function targetOf(
    caller: DatasetCaller,
    target: ReturnType<typeof parseExperimentRequest>['target'],
  ) {
    if (target.type === 'endpoint')
      return {
        url: target.url,
        has_headers: Object.keys(target.headers).length > 0,
        type: 'endpoint',
      } as const;
    const found = deps.configurations
      ? (await deps.configurations.list(caller.tenant, {})).find(
          ({ configuration }) => configuration.id === target.configuration_id,
        )
      : undefined;
    if (!found)
      throw new NotFoundError(`no configuration ${target.configuration_id.slice(0, 64)} in this project`);
    return {
      type: 'configuration',
      configuration_id: found.configuration.id,
      configuration_name: found.configuration.name,
      configuration_version: found.configuration.version,
    } as const;
  }

  async function describe(caller: DatasetCaller, runId: string) {
    const record =
      runId.length <= 128 ? await deps.runStore.getRun(caller.tenant.project_id, runId) : undefined;
    const execution =
      record && /^[A-Za-z0-9_-]{1,80}$/.test(runId) ? await deps.workflow.describe(runId) : undefined;
    if (!record || !execution || execution.run.project_id !== caller.tenant.project_id)
      throw new NotFoundError(`no server-side experiment ${runId.slice(0, 64)} in this project`);
    let status = record.status;
    // The workflow failed past its tolerance (or was stopped): the run says so once anyone looks.
    if (FAILED_STATUSES.has(execution.status) && status === 'running') {
      await settleRun(execution.run, { runs: deps.runStore, clock }, { status: 'failed' });
      status = 'failed';
    }
    return experimentState(record, status, execution);
  }

  return {
    async start(caller: DatasetCaller, body: unknown) {
      const request = parseExperimentRequest(body, deps.parse);
      checkCallerProject(caller, request.project);
      const dataset = await deps.datasets.getDataset(caller.tenant.project_id, request.datasetId);
      if (!dataset) throw new NotFoundError(`no dataset ${request.datasetId.slice(0, 64)} in this project`);
      const datapoints = await deps.datasets.members(caller.tenant.project_id, dataset.id);
      if (datapoints.length === 0) throw new ValidationError(`dataset ${dataset.id} has no datapoints`);
      if (datapoints.length > MAX_RUN_IDS)
        throw new TooLargeError(
          `dataset ${dataset.id} has ${datapoints.length} datapoints; a run holds at most ${MAX_RUN_IDS} (one DynamoDB item, 400 KB)`,
        );
      const target: RunTarget = await targetOf(caller, request.target);
      const metrics: ExperimentRun['metrics'] = [];
      for (const metricId of request.metricIds) {
        const metric = await deps.catalog.get(caller.tenant, metricId);
        if (!metric) throw new NotFoundError(`no metric ${metricId.slice(0, 64)} in this project`);
        if (metric.type === 'human')
          throw new ValidationError(`metric ${metricId.slice(0, 64)} is a human metric: reviewers score it`);
        metrics.push({ id: metric.id, version: metric.version });
      }
      const limits = await deps.limits.get(caller.tenant);
      const maxConcurrency = experimentConcurrency(
        limits?.limits.project.requests_per_minute,
        request.maxConcurrency,
      );
      const configuration: JsonObject = {
        ...target,
        metric_ids: request.metricIds,
        max_concurrency: maxConcurrency,
      };
      const created = await deps.runs.createRun(caller, {
        name: request.name,
        event_ids: [],
        dataset_id: dataset.id,
        datapoint_ids: datapoints,
        configuration,
        metadata: { ...request.metadata, server_side: { datapoints: datapoints.length } },
        status: 'running',
      });
      const run: ExperimentRun = {
        ...caller.tenant,
        run_id: created.run_id,
        name: request.name,
        project_name: caller.projectName,
        dataset_id: dataset.id,
        target,
        metrics,
        max_concurrency: maxConcurrency,
        requested_at: clock(),
      };
      try {
        if (request.target.type === 'endpoint' && target.type === 'endpoint' && target.has_headers)
          await deps.items.put(
            headersKeyOf(run),
            new TextEncoder().encode(JSON.stringify(request.target.headers)),
            {
              contentType: 'application/json',
            },
          );
        await deps.workflow.start(run.run_id, run);
      } catch (error) {
        await settleRun(run, { runs: deps.runStore, clock }, { status: 'failed' });
        throw error;
      }
      return {
        run_id: run.run_id,
        status: 'running' as const,
        dataset_id: dataset.id,
        datapoints: datapoints.length,
        max_concurrency: maxConcurrency,
      };
    },

    describe,

    async redrive(caller: DatasetCaller, runId: string) {
      const before = await describe(caller, runId);
      await deps.workflow.redrive(runId);
      const record = await deps.runStore.getRun(caller.tenant.project_id, runId);
      if (record) await deps.runStore.putRun({ ...record, status: 'running', updated_at: clock() });
      return { ...before, ...(await describe(caller, runId)) };
    },
  };
}

export type ExperimentService = ReturnType<typeof createExperimentService>;

function experimentState(
  record: RunRecord,
  status: RunRecord['status'],
  execution: WorkflowExecution<ExperimentRun>,
) {
  const server = record.metadata.server_side as { counts?: ExperimentCounts } | undefined;
  const counts = (execution.output as ExperimentCounts | undefined) ?? server?.counts;
  return {
    run_id: record.run_id,
    name: record.name,
    status,
    dataset_id: record.dataset_id,
    dataset_version: record.dataset_version ?? null,
    datapoints: record.datapoint_ids.length,
    sessions: record.event_ids.length,
    execution: {
      status: execution.status,
      started_at: execution.started_at,
      ...(execution.stopped_at !== undefined && { stopped_at: execution.stopped_at }),
      redrive_count: execution.redrive_count,
      ...(execution.items && { items: execution.items }),
      ...(execution.error !== undefined && { error: execution.error }),
    },
    ...(counts && { counts }),
  };
}
