/**
 * AWS Lambda entry point of the ingest function: wires createIngestHandler to S3, SQS and DynamoDB,
 * with Powertools logging and metrics under middy. Configuration comes from the environment the
 * CDK construct sets.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { requiredEnv } from '../adapters/aws/required-env';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createIngestHandler } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const metrics = new Metrics();
const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));

const archive = new S3ObjectStore(
  tracer.captureAWSv3Client(new S3Client({})),
  requiredEnv('RAW_ARCHIVE_BUCKET'),
);

const ingest = createIngestHandler({
  ...callerAuthFromEnvironment(dynamo),
  rawArchive: archive,
  overflowStore: archive,
  eventsQueue: new SqsMessageQueue(
    tracer.captureAWSv3Client(new SQSClient({})),
    requiredEnv('EVENTS_QUEUE_URL'),
  ),
  onIngested: ({ route, acceptedRecords, rejectedSpans, droppedValues, bodyBytes }) => {
    metrics.addMetric('RequestsAccepted', MetricUnit.Count, 1);
    metrics.addMetric('RecordsQueued', MetricUnit.Count, acceptedRecords);
    metrics.addMetric('SpansRejected', MetricUnit.Count, rejectedSpans);
    metrics.addMetric('ValuesDropped', MetricUnit.Count, droppedValues);
    metrics.addMetric('BodyBytes', MetricUnit.Bytes, bodyBytes);
    logger.debug('request accepted', { route, acceptedRecords, rejectedSpans, droppedValues });
  },
  onError: (error, context) => {
    metrics.addMetric(context.status === 503 ? 'StorageUnavailable' : 'InternalErrors', MetricUnit.Count, 1);
    logger.error('ingest failure', { ...context, error: error as Error });
  },
});

export const handler = middy(ingest)
  .use(injectLambdaContext(logger, { correlationIdPath: 'requestContext.requestId' }))
  .use(logMetrics(metrics));
