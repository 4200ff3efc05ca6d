/**
 * AWS Lambda entry point of the run-metric function: HoneyHive's `POST /metrics/run_metric`. Stored
 * metrics come from the sync-state table (the DynamoConfigStore the data-plane controller writes),
 * events through the read path (Athena, pending updates, full payloads from the event store), and
 * Python metrics run in the evaluator executor (LambdaCodeRunner, the project as tenant id), and model
 * metrics through an LLM judge as the proxy calls providers (adapters/aws/judge-wiring.ts), its model
 * event on the events queue. Under the standard observability stack (HTTP API requests).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { judgeFromEnvironment } from '../adapters/aws/judge-wiring';
import { LambdaCodeRunner } from '../adapters/aws/lambda-code-runner';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createConfigurationLookup } from '../domain/configurations/lookup';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { runEventReader } from '../domain/evaluators/definitions/run-metric';
import { createEventQueryService } from '../domain/query/event-query-service';
import { withPendingUpdates } from '../domain/query/pending-merge';
import { createRunMetricHandler } from './app';
import { readRunMetricEnvironment } from './environment';

const env = readRunMetricEnvironment();
const { logger, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const sqs = traced(new SQSClient({}));
const configStore = new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME);
const judge = judgeFromEnvironment({
  dynamo,
  env,
  eventsQueue: new SqsMessageQueue(sqs, env.EVENTS_QUEUE_URL),
  overflowStore: new S3ObjectStore(traced(new S3Client({})), env.OVERFLOW_BUCKET),
  configurations: createConfigurationLookup({ configStore }),
  traced,
  // Bedrock is signed with this function's role: the same credentials its AWS SDK clients use.
  credentials: () => sqs.config.credentials(),
  hooks: {
    onCall: (call) => count(call.ok ? 'JudgeCallsAnswered' : 'JudgeCallsFailed'),
    onEventLost: (error) => {
      count('JudgeEventsLost');
      logger.error('judge model event not queued', { error: error as Error });
    },
    onCounterFailure: (error, context) => {
      count('CounterFailures');
      logger.error('judge usage counter not corrected', { ...context, error: error as Error });
    },
  },
});
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
  catalog: createSyncedEvaluatorCatalog({ configStore }),
  readEvent: runEventReader(queries, new S3ObjectStore(traced(new S3Client({})), env.EVENT_STORE_BUCKET)),
  code: new LambdaCodeRunner(traced(new LambdaClient({})), env.EVALUATOR_EXECUTOR_FUNCTION_NAME),
  judge,
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
