/**
 * What a function that runs metrics on stored events uses on AWS (METRIC_RUN_VARIABLES): the synced
 * metrics, the read path (Athena, pending updates, full payloads from the event store), Python in
 * the evaluator executor (the project as tenant id) and LLM judges (judge-wiring.ts), with the
 * function's metrics and logs for the judge's counters and lost events. The run-metric,
 * evaluation-worker and backfill-steps handlers start from it (metricRunsFunction).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { FunctionBaseValues } from '../../config/function-environment';
import type { MetricRunValues } from '../../config/metric-runs';
import { createConfigurationLookup } from '../../domain/configurations/lookup';
import {
  createSyncedEvaluatorCatalog,
  type SyncedEvaluatorCatalog,
} from '../../domain/evaluators/definitions/catalog';
import type { CodeMetricRunner, JudgeRunner, ScoreRecord } from '../../domain/evaluators/evaluator';
import type { JudgeCallBounds } from '../../domain/evaluators/judge/call-bounds';
import { publishScoreUpdates } from '../../domain/evaluators/online/score-updates';
import type { EventRecord } from '../../domain/events/event';
import { publishRecords } from '../../domain/ingest/publish-records';
import type { MessageQueue, ObjectStore } from '../../domain/ports';
import { createEventQueryService } from '../../domain/query/event-query-service';
import { withPendingUpdates } from '../../domain/query/pending-merge';
import type { EventQueryService } from '../../domain/query/types';
import { AthenaQueryEngine } from './athena-query-engine';
import { DynamoConfigStore } from './dynamo-config-store';
import { DynamoPendingUpdates } from './dynamo-pending-updates';
import { judgeFromEnvironment } from './judge-wiring';
import { LambdaCodeRunner } from './lambda-code-runner';
import { createObservability, type Observability } from './observability';
import { S3ObjectStore } from './s3-object-store';
import { SqsMessageQueue } from './sqs-message-queue';

export interface MetricRuns {
  dynamo: DynamoDBClient;
  catalog: SyncedEvaluatorCatalog;
  queries: EventQueryService;
  eventStore: ObjectStore;
  eventsQueue: MessageQueue;
  overflowStore: ObjectStore;
  code: CodeMetricRunner;
  judge: JudgeRunner;
  /** Scores as metrics updates and scores-table records on the events queue (score-updates.ts). */
  publishScores(scores: ScoreRecord[]): Promise<void>;
  /** Records on the events queue (a review's update and score). */
  publish(records: EventRecord[], requestId: string): Promise<void>;
}

export function metricRunsFromEnvironment(
  env: MetricRunValues,
  { logger, count, traced }: Pick<Observability, 'logger' | 'count' | 'traced'>,
  judgeBounds: JudgeCallBounds,
): MetricRuns {
  const dynamo = traced(new DynamoDBClient({}));
  const sqs = traced(new SQSClient({}));
  const s3 = traced(new S3Client({}));
  const configStore = new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME);
  const eventsQueue = new SqsMessageQueue(sqs, env.EVENTS_QUEUE_URL);
  const overflowStore = new S3ObjectStore(s3, env.OVERFLOW_BUCKET);
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
    overflowStore,
    configurations: createConfigurationLookup({ configStore }),
    traced,
    // Bedrock is signed with this function's role: the same credentials its AWS SDK clients use.
    credentials: () => sqs.config.credentials(),
    bounds: judgeBounds,
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
  return {
    dynamo,
    catalog: createSyncedEvaluatorCatalog({ configStore }),
    queries,
    eventStore: new S3ObjectStore(s3, env.EVENT_STORE_BUCKET),
    eventsQueue,
    overflowStore,
    code: new LambdaCodeRunner(traced(new LambdaClient({})), env.EVALUATOR_EXECUTOR_FUNCTION_NAME),
    judge,
    publishScores: publishScoreUpdates({ eventsQueue, overflowStore }),
    publish: async (records, requestId) => {
      await publishRecords(records, eventsQueue, overflowStore, { requestId });
    },
  };
}

/** What a metric-running function's handler starts from: its observability and, with it, its metric runs. */
export function metricRunsFunction(
  env: FunctionBaseValues & MetricRunValues,
  judgeBounds: JudgeCallBounds,
): Observability & { runs: MetricRuns } {
  const observability = createObservability(env);
  return { ...observability, runs: metricRunsFromEnvironment(env, observability, judgeBounds) };
}

/** The ScoresWritten and ScoresFailed metrics of a batch of scores. */
export function countScores(count: Observability['count'], scores: readonly ScoreRecord[]): void {
  const failed = scores.filter((score) => score.status === 'error').length;
  count('ScoresWritten', scores.length - failed);
  count('ScoresFailed', failed);
}
