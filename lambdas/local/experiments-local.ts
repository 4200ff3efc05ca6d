/**
 * Server-side experiments on the local platform: the experiments API (lambdas/experiments-api/) over
 * the local workflow runner (workflow-runner.ts) running the experiment workflow's own definition,
 * its steps calling providers through the proxy's service as the local proxy does (the project's
 * keys, rate limits, loopback model servers allowed) or POSTing to an endpoint (http allowed to
 * loopback), and publishing sessions and model events on the events queue, as on AWS. Runs are the
 * datasets table's, on dynalite.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDatasetStore, DynamoRunStore } from '../adapters/aws/dynamo-dataset-store';
import { FileObjectStore } from '../adapters/local/file-object-store';
import { createLocalProviderFetch } from '../adapters/providers/guarded-fetch';
import { createProviderProxy } from '../adapters/providers/provider-proxy';
import type { ConfigurationReader } from '../domain/configurations/lookup';
import { createDatasetVersionService } from '../domain/datasets/versions';
import type { CodeMetricRunner, EvaluatorCatalog, JudgeRunner } from '../domain/evaluators/evaluator';
import { childrenFromCatalog } from '../domain/evaluators/online/evaluate-event';
import { publishScoreUpdates } from '../domain/evaluators/online/score-updates';
import { createRunService } from '../domain/experiments/runs';
import { experimentTarget } from '../domain/experiments/server/datapoint-target';
import type { ExperimentRun } from '../domain/experiments/server/request';
import { createExperimentService } from '../domain/experiments/server/service';
import { getJson, headersKeyOf } from '../domain/experiments/server/steps';
import { publishRecords } from '../domain/ingest/publish-records';
import type { MessageQueue, ObjectStore } from '../domain/ports';
import type { ProviderKeyResolver } from '../domain/providers/resolve';
import type { ProxyGuards } from '../domain/proxy/guards';
import type { ProxyLimitsStore } from '../domain/proxy/limit-ports';
import { createExperimentSteps } from '../experiment-steps/app';
import { experimentDefinition } from '../experiment-steps/definition';
import { createExperimentsHandler, EXPERIMENTS_ROUTES } from '../experiments-api/app';
import type { DataPlaneCallerDeps } from '../http/data-plane-caller';
import type { HttpApi } from '../http/router';
import { LOCAL_DATASETS_TABLE } from './datasets-local';
import type { Logger } from './logger';
import { type LocalWorkflow, openLocalWorkflow, type WorkflowShape } from './workflow-runner';

export const EXPERIMENT_SHAPE: WorkflowShape = {
  definition: experimentDefinition,
  prepareState: 'Prepare',
  mapState: 'RunBatches',
  itemState: 'RunBatch',
};

export interface ExperimentsLocalOptions {
  runsDir: string;
  itemsDir: string;
  dynamo: DynamoDBClient;
  callerAuth: Omit<DataPlaneCallerDeps, 'clock'>;
  /** The metrics a run names, and how they run (the local sandbox, the judge): as online evaluation runs them. */
  catalog: EvaluatorCatalog;
  code: CodeMetricRunner;
  judge: JudgeRunner;
  configurations?: ConfigurationReader;
  providerKeys: Pick<ProviderKeyResolver, 'resolve'>;
  guards: ProxyGuards;
  limits: Pick<ProxyLimitsStore, 'get'>;
  eventsQueue: MessageQueue;
  overflowStore: ObjectStore;
  logger: Logger;
  /** Milliseconds each retry of a state waits (the definition's intervals when absent). */
  retryIntervalMs?: number;
}

export interface ExperimentsLocal {
  routes: readonly string[];
  handler: HttpApi;
  workflow: LocalWorkflow<ExperimentRun>;
}

export async function startExperimentsLocal(options: ExperimentsLocalOptions): Promise<ExperimentsLocal> {
  const { logger } = options;
  const items = new FileObjectStore(options.itemsDir);
  const datasets = new DynamoDatasetStore(options.dynamo, LOCAL_DATASETS_TABLE);
  const runStore = new DynamoRunStore(options.dynamo, LOCAL_DATASETS_TABLE);
  const publish = async (records: Parameters<typeof publishRecords>[0], requestId: string) => {
    await publishRecords(records, options.eventsQueue, options.overflowStore, { requestId });
  };
  const fetch = createLocalProviderFetch();
  const steps = createExperimentSteps({
    runs: runStore,
    datapoints: datasets,
    items,
    publish,
    metrics: {
      catalog: options.catalog,
      evaluate: { code: options.code, judge: options.judge, child: childrenFromCatalog(options.catalog) },
      saveScores: publishScoreUpdates({
        eventsQueue: options.eventsQueue,
        overflowStore: options.overflowStore,
      }),
    },
    target: experimentTarget({
      proxy: createProviderProxy({
        keys: options.providerKeys,
        models: { fetch },
        publish: (records, requestId) => publish(records, `experiment-${requestId}`),
        guards: options.guards,
        configurations: options.configurations,
        onEventLost: (error) =>
          logger.error('experiments: model event not queued', { error: (error as Error).message }),
      }),
      fetch,
      endpointHeaders: async (run) => (await getJson<Record<string, string>>(items, headersKeyOf(run))) ?? {},
    }),
  });
  const workflow = await openLocalWorkflow<ExperimentRun>({
    shape: EXPERIMENT_SHAPE,
    dir: options.runsDir,
    steps: steps as (input: never) => Promise<unknown>,
    items,
    ...(options.retryIntervalMs !== undefined && { retryIntervalMs: options.retryIntervalMs }),
    onFinished: (execution) =>
      (execution.status === 'SUCCEEDED' ? logger.info : logger.warn)(
        `experiments: ${execution.id} ${execution.status}`,
        execution.error === undefined ? {} : { error: execution.error },
      ),
  });
  const versions = createDatasetVersionService({ store: datasets, versions: datasets });
  const handler = createExperimentsHandler({
    ...options.callerAuth,
    experiments: createExperimentService({
      runs: createRunService({ runs: runStore, datasets, datasetVersion: versions.versionForRun }),
      runStore,
      datasets,
      ...(options.configurations && { configurations: options.configurations }),
      catalog: options.catalog,
      limits: options.limits,
      items,
      workflow,
      parse: { allowLoopbackEndpoints: true },
    }),
    onError: (error, context) =>
      logger.error(`experiments: ${context.routeKey} answered ${context.status}`, {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  return { routes: EXPERIMENTS_ROUTES, handler, workflow };
}
