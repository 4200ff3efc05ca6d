/**
 * AWS Lambda entry point of the compaction job (an EventBridge schedule, hourly): compacts closed
 * hour partitions of the event store bucket within the invocation's time.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { requiredEnv } from '../adapters/aws/required-env';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { createCompactionJob } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const metrics = new Metrics();

const closedAfterMs = process.env.COMPACTION_CLOSED_AFTER_MS
  ? Number(process.env.COMPACTION_CLOSED_AFTER_MS)
  : undefined;

const compact = createCompactionJob(
  new S3ObjectStore(tracer.captureAWSv3Client(new S3Client({})), requiredEnv('EVENT_STORE_BUCKET')),
  {
    closedAfterMs,
    onCompacted: (result) => {
      metrics.addMetric('PartitionsCompacted', MetricUnit.Count, 1);
      // An hour holding more than one compaction's bytes is compacted in chunks, one file each.
      if (result.chunks > 1) metrics.addMetric('PartitionsChunked', MetricUnit.Count, 1);
      metrics.addMetric('RowsDropped', MetricUnit.Count, result.rowsRead - result.rowsKept);
      logger.info('partition compacted', {
        ...result,
        written: result.written.length,
        deleted: result.deleted.length,
      });
    },
    onFailure: (partition, error) => {
      metrics.addMetric('CompactionFailures', MetricUnit.Count, 1);
      logger.error('partition not compacted', { partition, error: error as Error });
    },
  },
);

export const handler = middy(async (_event: unknown, context: Context) => {
  const summary = await compact({ remainingMs: () => context.getRemainingTimeInMillis() });
  logger.info('compaction run', { ...summary });
  return summary;
})
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics));
