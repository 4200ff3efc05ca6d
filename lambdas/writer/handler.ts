/**
 * AWS Lambda entry point of the writer function (SQS event source on the events queue with
 * ReportBatchItemFailures): wires createWriterHandler to S3 and to the query layer's Athena-backed
 * lookupLatest, and queues the online evaluation tasks of each batch's new events (the metrics
 * enabled in production, from the sync-state table), under the standard observability stack (SQS
 * batches). Configuration comes from the environment the CDK construct sets (./environment.ts).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { cacheEnabledEvaluators } from '../domain/evaluators/online/enabled-cache';
import { enqueueEvaluations } from '../domain/evaluators/online/enqueue';
import { OnlineSelector } from '../domain/evaluators/online/select';
import { createEventQueryService } from '../domain/query/event-query-service';
import { createWriterHandler } from './app';
import { readWriterEnvironment } from './environment';

const env = readWriterEnvironment();
const { logger, count, traced, forRecord, wrap } = createObservability(env);

const s3 = traced(new S3Client({}));
const dynamo = traced(new DynamoDBClient({}));
// Online evaluation: the tasks each batch's new events call for (a failure costs scores, never events).
const evaluations = {
  queue: new SqsMessageQueue(traced(new SQSClient({})), env.EVALUATIONS_QUEUE_URL),
  catalog: cacheEnabledEvaluators(
    createSyncedEvaluatorCatalog({ configStore: new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME) }),
  ),
  selector: new OnlineSelector(),
};
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
  pendingUpdates: new DynamoPendingUpdates(dynamo, env.PENDING_UPDATES_TABLE_NAME),
  onEventsStored: async (events) => {
    const queued = await enqueueEvaluations(events, {
      ...evaluations,
      onFailure: (error) => {
        count('EvaluationTasksNotQueued');
        logger.error('evaluation tasks not queued', { error: error as Error });
      },
      onSkipped: (evaluatorId, reason) =>
        logger.warn('evaluator skipped', { evaluator_id: evaluatorId, reason }),
    });
    count('EvaluationTasksQueued', queued);
  },
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
