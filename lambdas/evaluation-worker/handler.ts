/**
 * AWS Lambda entry point of the evaluation-worker function (SQS event source on the evaluations
 * queue with ReportBatchItemFailures). Evaluators come from the sync-state table (the metrics the
 * control plane synced), events through the read path (Athena, pending updates, full payloads from
 * the event store), Python metrics run in the evaluator executor (LambdaCodeRunner, the project as
 * tenant id), and LLM judges call providers as the LLM proxy does: its provider keys (DynamoDB +
 * KMS Decrypt), budgets and rate limits, the address-checked fetch, model events on the events
 * queue. Scores go back to their events as metrics updates on the events queue.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoPendingUpdates } from '../adapters/aws/dynamo-pending-updates';
import { judgeFromEnvironment } from '../adapters/aws/judge-wiring';
import { LambdaCodeRunner } from '../adapters/aws/lambda-code-runner';
import { createObservability } from '../adapters/aws/observability';
import { S3ObjectStore } from '../adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { createConfigurationLookup } from '../domain/configurations/lookup';
import { createSyncedEvaluatorCatalog } from '../domain/evaluators/definitions/catalog';
import { publishScoreUpdates } from '../domain/evaluators/online/score-updates';
import { createEventQueryService } from '../domain/query/event-query-service';
import { withPendingUpdates } from '../domain/query/pending-merge';
import { createEvaluationWorkerHandler } from './app';
import { readEvaluationWorkerEnvironment } from './environment';

const env = readEvaluationWorkerEnvironment();
const { logger, count, traced, forRecord, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const sqs = traced(new SQSClient({}));
const overflow = new S3ObjectStore(traced(new S3Client({})), env.OVERFLOW_BUCKET);
const eventsQueue = new SqsMessageQueue(sqs, env.EVENTS_QUEUE_URL);
const configStore = new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME);

const queries = withPendingUpdates(
  createEventQueryService(
    new AthenaQueryEngine(traced(new AthenaClient({})), {
      workGroup: env.ATHENA_WORKGROUP,
      database: env.GLUE_DATABASE,
    }),
    env.DEFAULT_READ_WINDOW_DAYS === undefined ? {} : { defaultWindowDays: env.DEFAULT_READ_WINDOW_DAYS },
  ),
  new DynamoPendingUpdates(dynamo, env.PENDING_UPDATES_TABLE_NAME, { consistentReads: false }),
);

const judge = judgeFromEnvironment({
  dynamo,
  env,
  eventsQueue,
  overflowStore: overflow,
  configurations: createConfigurationLookup({ configStore }),
  traced,
  // Bedrock is signed with this function's role: the same credentials its AWS SDK clients use.
  credentials: () => sqs.config.credentials(),
  hooks: {
    onCall: (call) => count(call.ok ? 'JudgeCallsAnswered' : 'JudgeCallsFailed'),
    onEventLost: (error) => {
      count('JudgeEventsLost');
      logger.error('judge model event not queued', { error: error as Error });
    },
    onCounterFailure: (error, context) => {
      count('CounterFailures');
      logger.error('judge usage counter not corrected', { ...context, error: error as Error });
    },
  },
});

const publishScores = publishScoreUpdates({ eventsQueue, overflowStore: overflow });

const app = createEvaluationWorkerHandler({
  catalog: createSyncedEvaluatorCatalog({ configStore }),
  queries,
  code: new LambdaCodeRunner(traced(new LambdaClient({})), env.EVALUATOR_EXECUTOR_FUNCTION_NAME),
  judge,
  saveScores: async (scores) => {
    for (const score of scores)
      if (score.status === 'error')
        logger.warn('evaluator could not score its event', {
          evaluator_id: score.evaluator_id,
          evaluator_version: score.evaluator_version,
          event_id: score.event_id,
          error: score.error ?? undefined,
        });
    await publishScores(scores);
  },
  onScored: (scores) => {
    const failed = scores.filter((score) => score.status === 'error').length;
    count('ScoresWritten', scores.length - failed);
    count('ScoresFailed', failed);
  },
  onTaskFailed: ({ messageId, error }) => {
    count('TasksFailed');
    logger.warn('evaluation task failed, to be retried', { ...forRecord(messageId), error: error as Error });
  },
  onTaskSkipped: ({ messageId, reason }) => {
    count('TasksSkipped');
    logger.info('evaluation task skipped', { ...forRecord(messageId), reason });
  },
});

export const handler = wrap('sqs', app);
