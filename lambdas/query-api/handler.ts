/**
 * AWS Lambda entry point of the query function (the read API): wires createQueryApiHandler to
 * Athena, DynamoDB, SQS and S3, under the standard observability stack (HTTP API requests).
 * Configuration comes from the environment the CDK construct sets (./environment.ts).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoRunStore } from '../adapters/aws/dynamo-dataset-store';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createRunResultService } from '../domain/experiments/run-results';
import { createEventQueryService } from '../domain/query/event-query-service';
import { withPendingUpdates } from '../domain/query/pending-merge';
import { createRunEventsReader } from '../domain/query/run-events';
import { createQueryApiHandler } from './app';
import { readQueryApiEnvironment } from './environment';

const env = readQueryApiEnvironment();
const { logger, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));

const engine = new AthenaQueryEngine(traced(new AthenaClient({})), {
  workGroup: env.ATHENA_WORKGROUP,
  database: env.GLUE_DATABASE,
});

const s3 = traced(new S3Client({}));

const queryApi = createQueryApiHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  // Reads merge the updates still waiting for the writer to fold them (eventually consistent is enough).
  queries: withPendingUpdates(
    createEventQueryService(
      engine,
      env.DEFAULT_READ_WINDOW_DAYS === undefined ? {} : { defaultWindowDays: env.DEFAULT_READ_WINDOW_DAYS },
    ),
    new DynamoPendingUpdates(dynamo, env.PENDING_UPDATES_TABLE_NAME, { consistentReads: false }),
  ),
  runResults: createRunResultService({
    runs: new DynamoRunStore(dynamo, env.DATASETS_TABLE_NAME),
    readRunEvents: createRunEventsReader(engine),
  }),
  eventsQueue: new SqsMessageQueue(traced(new SQSClient({})), env.EVENTS_QUEUE_URL),
  // Tombstones are tiny; the overflow store is the same one ingest uses, for publishRecords' contract.
  overflowStore: new S3ObjectStore(s3, env.RAW_ARCHIVE_BUCKET),
  // Full inputs/outputs that did not fit in their row live beside the Parquet files.
  payloadStore: new S3ObjectStore(s3, env.EVENT_STORE_BUCKET),
  onAnswered: ({ route, status }) => {
    count('RequestsAnswered');
    if (route.startsWith('DELETE ')) count('DeletionsQueued');
    logger.debug('request answered', { route, status });
  },
  onError: (error, context) => {
    count(failureMetric(context));
    logger.error('query failure', { ...context, error: error as Error });
  },
});

export const handler = wrap('http', queryApi);

/** A 503 on an export route is the export gate turning a burst away; on a deletion, the queue is down. */
function failureMetric(context: { routeKey: string; status: number }): string {
  if (context.status !== 503) return 'InternalErrors';
  return ['POST /v1/events/export', 'POST /events/export', 'GET /events'].includes(context.routeKey)
    ? 'ExportsRefused'
    : 'QueueUnavailable';
}
