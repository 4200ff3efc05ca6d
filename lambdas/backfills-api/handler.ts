/**
 * AWS Lambda entry point of the backfills function (HTTP API). Metrics come from the sync-state
 * table, the estimate's count from Athena, and runs are executions of the backfill state machine
 * (adapters/aws/sfn-backfill-runner.ts).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { createObservability } from '../adapters/aws/observability';
import { SfnBackfillRunner } from '../adapters/aws/sfn-backfill-runner';
import { createBackfillService } from '../domain/evaluators/backfill/service';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { createEventQueryService } from '../domain/query/event-query-service';
import { createBackfillsHandler } from './app';
import { readBackfillsApiEnvironment } from './environment';

const env = readBackfillsApiEnvironment();
const { traced, internalError, httpHandler } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));

const app = createBackfillsHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  backfills: createBackfillService({
    catalog: createSyncedEvaluatorCatalog({
      configStore: new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME),
    }),
    queries: createEventQueryService(
      new AthenaQueryEngine(traced(new AthenaClient({})), {
        workGroup: env.ATHENA_WORKGROUP,
        database: env.GLUE_DATABASE,
      }),
      env.DEFAULT_READ_WINDOW_DAYS === undefined ? {} : { defaultWindowDays: env.DEFAULT_READ_WINDOW_DAYS },
    ),
    runner: new SfnBackfillRunner(traced(new SFNClient({})), env.BACKFILL_STATE_MACHINE_ARN),
  }),
  onError: internalError('backfills failure'),
});

export const handler = httpHandler(app);
