/**
 * AWS Lambda entry point of the writer function (SQS event source on the events queue with
 * ReportBatchItemFailures): wires createWriterHandler to S3 and to the query layer's Athena-backed
 * lookupLatest, under the standard observability stack (SQS batches). Configuration comes from the
 * environment the CDK construct sets (./environment.ts).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { createEventQueryService } from '../domain/query/event-query-service';
import { createWriterHandler } from './app';
import { readWriterEnvironment } from './environment';

const env = readWriterEnvironment();
const { logger, count, traced, forRecord, wrap } = createObservability(env);

const s3 = traced(new S3Client({}));
// Only updates (PUT /events) need the stored newest version; Athena answers those.
const queries = createEventQueryService(
  new AthenaQueryEngine(traced(new AthenaClient({})), {
    workGroup: env.ATHENA_WORKGROUP,
    database: env.GLUE_DATABASE,
  }),
);

const writer = createWriterHandler({
  store: new S3ObjectStore(s3, env.EVENT_STORE_BUCKET),
  overflowStore: new S3ObjectStore(s3, env.OVERFLOW_BUCKET),
  lookupLatest: (tenant, eventIds) => queries.lookupLatest(tenant, eventIds),
  // Updates whose event is not stored yet wait here (strongly consistent reads) instead of retrying.
  pendingUpdates: new DynamoPendingUpdates(traced(new DynamoDBClient({})), env.PENDING_UPDATES_TABLE_NAME),
  onWritten: ({
    messages,
    failed,
    deadLettered,
    files,
    events,
    tombstones,
    pendingKept,
    pendingApplied,
    schemaFiles,
    schemaFilesFailed,
  }) => {
    count('MessagesReceived', messages);
    count('MessagesFailed', failed);
    count('MessagesDeadLettered', deadLettered);
    count('FilesWritten', files);
    count('EventsWritten', events);
    count('TombstonesWritten', tombstones);
    count('UpdatesKeptPending', pendingKept);
    count('PendingUpdatesApplied', pendingApplied);
    // Event-schema files are best effort (store/event-schema.ts): a failure loses no event, only a hint.
    count('SchemaFilesWritten', schemaFiles);
    count('SchemaFilesFailed', schemaFilesFailed);
  },
  onFailure: (failure) => {
    const { error, ...context } = failure;
    logger.warn('writer failure', {
      ...context,
      // A failure of one message correlates to it; one of a file or of pending updates, to the batch.
      ...('messageId' in context ? forRecord(context.messageId) : {}),
      error: error as Error,
    });
  },
});

export const handler = wrap('sqs', writer);
