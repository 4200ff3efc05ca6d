/**
 * AWS Lambda entry point of the query function (the read API): wires createQueryApiHandler to
 * Athena, DynamoDB, SQS and S3, with Powertools logging and metrics under middy. Configuration
 * comes from the environment the CDK construct sets.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { requiredEnv } from '../adapters/aws/required-env';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createEventQueryService } from '../domain/query/event-query-service';
import { withPendingUpdates } from '../domain/query/pending-merge';
import { createQueryApiHandler } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const metrics = new Metrics();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));

const engine = new AthenaQueryEngine(tracer.captureAWSv3Client(new AthenaClient({})), {
  workGroup: requiredEnv('ATHENA_WORKGROUP'),
  database: requiredEnv('GLUE_DATABASE'),
});

const s3 = tracer.captureAWSv3Client(new S3Client({}));

const queryApi = createQueryApiHandler({
  ...callerAuthFromEnvironment(dynamo),
  // Reads merge the updates still waiting for the writer to fold them (eventually consistent is enough).
  queries: withPendingUpdates(
    createEventQueryService(engine, defaultWindowFromEnvironment()),
    new DynamoPendingUpdates(dynamo, requiredEnv('PENDING_UPDATES_TABLE_NAME'), { consistentReads: false }),
  ),
  eventsQueue: new SqsMessageQueue(
    tracer.captureAWSv3Client(new SQSClient({})),
    requiredEnv('EVENTS_QUEUE_URL'),
  ),
  // Tombstones are tiny; the overflow store is the same one ingest uses, for publishRecords' contract.
  overflowStore: new S3ObjectStore(s3, requiredEnv('RAW_ARCHIVE_BUCKET')),
  // Full inputs/outputs that did not fit in their row live beside the Parquet files.
  payloadStore: new S3ObjectStore(s3, requiredEnv('EVENT_STORE_BUCKET')),
  onAnswered: ({ route, status }) => {
    metrics.addMetric('RequestsAnswered', MetricUnit.Count, 1);
    if (route.startsWith('DELETE ')) metrics.addMetric('DeletionsQueued', MetricUnit.Count, 1);
    logger.debug('request answered', { route, status });
  },
  onError: (error, context) => {
    metrics.addMetric(failureMetric(context), MetricUnit.Count, 1);
    logger.error('query failure', { ...context, error: error as Error });
  },
});

export const handler = middy(queryApi)
  .use(injectLambdaContext(logger, { correlationIdPath: 'requestContext.requestId' }))
  .use(logMetrics(metrics));

/** A 503 on an export route is the export gate turning a burst away; on a deletion, the queue is down. */
function failureMetric(context: { routeKey: string; status: number }): string {
  if (context.status !== 503) return 'InternalErrors';
  return ['POST /v1/events/export', 'POST /events/export', 'GET /events'].includes(context.routeKey)
    ? 'ExportsRefused'
    : 'QueueUnavailable';
}

/** The deployment's default read window (dataPlanes[].defaultReadWindowDays), when it sets one. */
function defaultWindowFromEnvironment(): { defaultWindowDays?: number } {
  const days = process.env.DEFAULT_READ_WINDOW_DAYS;
  return days === undefined || days === '' ? {} : { defaultWindowDays: Number(days) };
}
