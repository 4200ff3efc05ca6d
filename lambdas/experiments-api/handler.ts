/**
 * AWS Lambda entry point of the experiments function (HTTP API). Runs, datasets and datapoints come
 * from the datasets table, configurations and metrics from the sync-state table, the project's rate
 * limit from the proxy limits table; runs are executions of the experiment state machine
 * (adapters/aws/sfn-workflow.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoDatasetStore, DynamoRunStore } from '../adapters/aws/dynamo-dataset-store';
import { DynamoProxyLimitsStore } from '../adapters/aws/dynamo-proxy-guards';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SfnWorkflow } from '../adapters/aws/sfn-workflow';
import { createConfigurationLookup } from '../domain/configurations/lookup';
import { createDatasetVersionService } from '../domain/datasets/versions';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { createRunService } from '../domain/experiments/runs';
import { createExperimentService } from '../domain/experiments/server/service';
import { createExperimentsHandler } from './app';
import { readExperimentsApiEnvironment } from './environment';

const env = readExperimentsApiEnvironment();
const { traced, internalError, httpHandler } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const datasets = new DynamoDatasetStore(dynamo, env.DATASETS_TABLE_NAME);
const runStore = new DynamoRunStore(dynamo, env.DATASETS_TABLE_NAME);
const configStore = new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME);
const versions = createDatasetVersionService({ store: datasets, versions: datasets });

const app = createExperimentsHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  experiments: createExperimentService({
    runs: createRunService({ runs: runStore, datasets, datasetVersion: versions.versionForRun }),
    runStore,
    datasets,
    configurations: createConfigurationLookup({ configStore }),
    catalog: createSyncedEvaluatorCatalog({ configStore }),
    limits: new DynamoProxyLimitsStore(dynamo, env.PROXY_LIMITS_TABLE_NAME),
    items: new S3ObjectStore(traced(new S3Client({})), env.EXPERIMENT_ITEMS_BUCKET),
    workflow: new SfnWorkflow(traced(new SFNClient({})), env.EXPERIMENT_STATE_MACHINE_ARN),
  }),
  onError: internalError('experiments failure'),
});

export const handler = httpHandler(app);
