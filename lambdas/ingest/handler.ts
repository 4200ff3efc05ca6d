/**
 * AWS Lambda entry point of the ingest function: wires createIngestHandler to S3, SQS and DynamoDB,
 * under the standard observability stack (HTTP API requests). Configuration comes from the
 * environment the CDK construct sets (./environment.ts).
 */

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createIngestHandler } from './app';
import { readIngestEnvironment } from './environment';

const env = readIngestEnvironment();
const { logger, metrics, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));

const archive = new S3ObjectStore(traced(new S3Client({})), env.RAW_ARCHIVE_BUCKET);

const ingest = createIngestHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  rawArchive: archive,
  overflowStore: archive,
  eventsQueue: new SqsMessageQueue(traced(new SQSClient({})), env.EVENTS_QUEUE_URL),
  onIngested: ({ route, acceptedRecords, rejectedSpans, droppedValues, bodyBytes }) => {
    count('RequestsAccepted');
    count('RecordsQueued', acceptedRecords);
    count('SpansRejected', rejectedSpans);
    count('ValuesDropped', droppedValues);
    metrics.addMetric('BodyBytes', MetricUnit.Bytes, bodyBytes);
    logger.debug('request accepted', { route, acceptedRecords, rejectedSpans, droppedValues });
  },
  onError: (error, context) => {
    count(context.status === 503 ? 'StorageUnavailable' : 'InternalErrors');
    logger.error('ingest failure', { ...context, error: error as Error });
  },
});

export const handler = wrap('http', ingest);
