/** AWS Lambda entry point of the datasets function (HTTP API): datasets, datapoints, versions and runs in DynamoDB. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoDatasetStore, DynamoRunStore } from '../adapters/aws/dynamo-dataset-store';
import { createObservability } from '../adapters/aws/observability';
import { createDatasetService } from '../domain/datasets/service';
import { createDatasetVersionService } from '../domain/datasets/versions';
import { createRunService } from '../domain/experiments/runs';
import { createDatasetsHandler } from './app';
import { readDatasetsApiEnvironment } from './environment';

const env = readDatasetsApiEnvironment();
const { logger, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const store = new DynamoDatasetStore(dynamo, env.DATASETS_TABLE_NAME);

const versions = createDatasetVersionService({ store, versions: store });

const app = createDatasetsHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  datasets: createDatasetService({ store }),
  versions,
  runs: createRunService({
    runs: new DynamoRunStore(dynamo, env.DATASETS_TABLE_NAME),
    datasets: store,
    datasetVersion: versions.versionForRun,
  }),
  onError: (error, context) => {
    count('InternalErrors');
    logger.error('datasets failure', { ...context, error: error as Error });
  },
});

export const handler = wrap('http', async (event: Parameters<typeof app>[0]) => {
  const response = await app(event);
  count('RequestsAnswered');
  return response;
});
