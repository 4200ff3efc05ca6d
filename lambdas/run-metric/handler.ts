/**
 * AWS Lambda entry point of the run-metric function: HoneyHive's `POST /metrics/run_metric`. Stored
 * metrics come from the sync-state table (the DynamoConfigStore the data-plane controller writes),
 * events through the read path (Athena, pending updates, full payloads from the event store), and
 * Python metrics run in the evaluator executor (LambdaCodeRunner, the project as tenant id). No judge
 * is wired on AWS yet: model metrics are refused with a 400 saying so. Under the standard
 * observability stack (HTTP API requests).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { LambdaCodeRunner } from '../adapters/aws/lambda-code-runner';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { runEventReader } from '../domain/evaluators/definitions/run-metric';
import { createEventQueryService } from '../domain/query/event-query-service';
import { withPendingUpdates } from '../domain/query/pending-merge';
import { createRunMetricHandler } from './app';
import { readRunMetricEnvironment } from './environment';

const env = readRunMetricEnvironment();
const { logger, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const engine = new AthenaQueryEngine(traced(new AthenaClient({})), {
  workGroup: env.ATHENA_WORKGROUP,
  database: env.GLUE_DATABASE,
});
const queries = withPendingUpdates(
  createEventQueryService(
    engine,
    env.DEFAULT_READ_WINDOW_DAYS === undefined ? {} : { defaultWindowDays: env.DEFAULT_READ_WINDOW_DAYS },
  ),
  new DynamoPendingUpdates(dynamo, env.PENDING_UPDATES_TABLE_NAME, { consistentReads: false }),
);

const app = createRunMetricHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  catalog: createSyncedEvaluatorCatalog({
    configStore: new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME),
  }),
  readEvent: runEventReader(queries, new S3ObjectStore(traced(new S3Client({})), env.EVENT_STORE_BUCKET)),
  code: new LambdaCodeRunner(traced(new LambdaClient({})), env.EVALUATOR_EXECUTOR_FUNCTION_NAME),
  onRun: ({ status }) => count(status === 'ok' ? 'MetricsScored' : 'MetricsFailed'),
  onError: (error, context) => {
    count('InternalErrors');
    logger.error('run_metric failure', { ...context, error: error as Error });
  },
});

export const handler = wrap('http', async (event: Parameters<typeof app>[0]) => {
  const response = await app(event);
  count('RequestsAnswered');
  return response;
});
