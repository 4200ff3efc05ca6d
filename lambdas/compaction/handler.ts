/**
 * AWS Lambda entry point of the compaction job (an EventBridge schedule, hourly): compacts closed
 * hour partitions of the event store bucket within the invocation's time, under the standard
 * observability stack (scheduled events).
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { createCompactionJob } from './app';
import { readCompactionEnvironment } from './environment';

const env = readCompactionEnvironment();
const { logger, count, traced, wrap } = createObservability(env);

const compact = createCompactionJob(new S3ObjectStore(traced(new S3Client({})), env.EVENT_STORE_BUCKET), {
  closedAfterMs: env.COMPACTION_CLOSED_AFTER_MS,
  onCompacted: (result) => {
    count('PartitionsCompacted');
    // An hour holding more than one compaction's bytes is compacted in chunks, one file each.
    if (result.chunks > 1) count('PartitionsChunked');
    count('RowsDropped', result.rowsRead - result.rowsKept);
    logger.info('partition compacted', {
      ...result,
      written: result.written.length,
      deleted: result.deleted.length,
    });
  },
  onFailure: (partition, error) => {
    count('CompactionFailures');
    logger.error('partition not compacted', { partition, error: error as Error });
  },
});

export const handler = wrap('schedule', async (_event: unknown, context: Context) => {
  const summary = await compact({ remainingMs: () => context.getRemainingTimeInMillis() });
  logger.info('compaction run', { ...summary });
  return summary;
});
