/**
 * Datasets, datapoints and experiment runs on the local platform: the datasets function's own handler over the same
 * DynamoDB store as on AWS, on the local dynalite (a table `waggle-datasets`, created when missing).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DATASETS_TABLE, DynamoDatasetStore, DynamoRunStore } from '../adapters/aws/dynamo-dataset-store';
import { createDatasetsHandler, DATASETS_ROUTES } from '../datasets-api/app';
import { createDatasetService } from '../domain/datasets/service';
import { createDatasetVersionService } from '../domain/datasets/versions';
import { createRunService } from '../domain/experiments/runs';
import type { DataPlaneCallerDeps } from '../http/data-plane-caller';
import type { HttpApi } from '../http/router';
import { ensureTable } from './dynamo-local';
import type { Logger } from './logger';

export const LOCAL_DATASETS_TABLE = 'waggle-datasets';

export interface DatasetsLocal {
  routes: readonly string[];
  handler: HttpApi;
}

export async function startDatasetsLocal(options: {
  dynamo: DynamoDBClient;
  callerAuth: Omit<DataPlaneCallerDeps, 'clock'>;
  logger: Logger;
}): Promise<DatasetsLocal> {
  await ensureTable(options.dynamo, LOCAL_DATASETS_TABLE, [
    DATASETS_TABLE.partitionKey,
    DATASETS_TABLE.sortKey,
  ]);
  const store = new DynamoDatasetStore(options.dynamo, LOCAL_DATASETS_TABLE);
  const versions = createDatasetVersionService({ store, versions: store });
  const handler = createDatasetsHandler({
    ...options.callerAuth,
    datasets: createDatasetService({ store }),
    versions,
    runs: createRunService({
      runs: new DynamoRunStore(options.dynamo, LOCAL_DATASETS_TABLE),
      datasets: store,
      datasetVersion: versions.versionForRun,
    }),
    onError: (error, context) =>
      options.logger.error(`datasets: ${context.routeKey} answered ${context.status}`, {
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  return { routes: DATASETS_ROUTES, handler };
}
