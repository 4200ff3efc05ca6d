/**
 * AWS Lambda entry point of the writer function (SQS event source on the events queue with
 * ReportBatchItemFailures): wires createWriterHandler to S3 and to the query layer's Athena-backed
 * lookupLatest, with Powertools logging and metrics under middy. Configuration comes from the
 * environment the CDK construct sets.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { requiredEnv } from '../adapters/aws/required-env';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { createEventQueryService } from '../domain/query/event-query-service';
import { createWriterHandler } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const metrics = new Metrics();

const s3 = tracer.captureAWSv3Client(new S3Client({}));
// Only updates (PUT /events) need the stored newest version; Athena answers those.
const queries = createEventQueryService(
  new AthenaQueryEngine(tracer.captureAWSv3Client(new AthenaClient({})), {
    workGroup: requiredEnv('ATHENA_WORKGROUP'),
    database: requiredEnv('GLUE_DATABASE'),
  }),
);

const writer = createWriterHandler({
  store: new S3ObjectStore(s3, requiredEnv('EVENT_STORE_BUCKET')),
  overflowStore: new S3ObjectStore(s3, requiredEnv('OVERFLOW_BUCKET')),
  lookupLatest: (tenant, eventIds) => queries.lookupLatest(tenant, eventIds),
  // Updates whose event is not stored yet wait here (strongly consistent reads) instead of retrying.
  pendingUpdates: new DynamoPendingUpdates(
    tracer.captureAWSv3Client(new DynamoDBClient({})),
    requiredEnv('PENDING_UPDATES_TABLE_NAME'),
  ),
  onWritten: ({ messages, failed, deadLettered, files, events, tombstones, pendingKept, pendingApplied }) => {
    metrics.addMetric('MessagesReceived', MetricUnit.Count, messages);
    metrics.addMetric('MessagesFailed', MetricUnit.Count, failed);
    metrics.addMetric('MessagesDeadLettered', MetricUnit.Count, deadLettered);
    metrics.addMetric('FilesWritten', MetricUnit.Count, files);
    metrics.addMetric('EventsWritten', MetricUnit.Count, events);
    metrics.addMetric('TombstonesWritten', MetricUnit.Count, tombstones);
    metrics.addMetric('UpdatesKeptPending', MetricUnit.Count, pendingKept);
    metrics.addMetric('PendingUpdatesApplied', MetricUnit.Count, pendingApplied);
  },
  onFailure: (failure) => {
    const { error, ...context } = failure;
    logger.warn('writer failure', { ...context, error: error as Error });
  },
});

export const handler = middy(writer).use(injectLambdaContext(logger)).use(logMetrics(metrics));
