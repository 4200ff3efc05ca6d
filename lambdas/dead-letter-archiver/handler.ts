/**
 * AWS Lambda entry point of the dead-letter archiver (SQS event source on the events DLQ with
 * ReportBatchItemFailures): archives every dead letter to the event store bucket.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import { requiredEnv } from '../adapters/aws/required-env';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { createDeadLetterArchiver } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const metrics = new Metrics();

const archiver = createDeadLetterArchiver(
  new S3ObjectStore(tracer.captureAWSv3Client(new S3Client({})), requiredEnv('EVENT_STORE_BUCKET')),
  {
    onArchived: (key) => {
      metrics.addMetric('DeadLettersArchived', MetricUnit.Count, 1);
      // A dead letter is always worth a look: it is data the store does not have yet.
      logger.warn('dead letter archived', { key });
    },
    onFailure: (messageId, error) => {
      metrics.addMetric('DeadLetterArchiveFailures', MetricUnit.Count, 1);
      logger.error('dead letter not archived', { messageId, error: error as Error });
    },
  },
);

export const handler = middy(archiver).use(injectLambdaContext(logger)).use(logMetrics(metrics));
