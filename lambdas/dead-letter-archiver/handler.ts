/**
 * AWS Lambda entry point of the dead-letter archiver (SQS event source on the events DLQ with
 * ReportBatchItemFailures): archives every dead letter to the event store bucket, under the standard
 * observability stack (SQS batches).
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { createDeadLetterArchiver } from './app';
import { readDeadLetterArchiverEnvironment } from './environment';

const env = readDeadLetterArchiverEnvironment();
const { logger, count, traced, forRecord, wrap } = createObservability(env);

const archiver = createDeadLetterArchiver(
  new S3ObjectStore(traced(new S3Client({})), env.EVENT_STORE_BUCKET),
  {
    onArchived: (key) => {
      count('DeadLettersArchived');
      // A dead letter is always worth a look: it is data the store does not have yet.
      logger.warn('dead letter archived', { key });
    },
    onFailure: (messageId, error) => {
      count('DeadLetterArchiveFailures');
      logger.error('dead letter not archived', { ...forRecord(messageId), error: error as Error });
    },
  },
);

export const handler = wrap('sqs', archiver);
