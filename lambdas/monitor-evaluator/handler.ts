/**
 * AWS Lambda entry point of the monitor evaluator: every minute (EventBridge Scheduler), the
 * monitors synced to this data plane evaluated over the minute_rollups table through Athena,
 * states in MONITOR_STATUS_TABLE_NAME, notifications queued on the control plane's delivery queue
 * (NOTIFICATION_QUEUE_URL in NOTIFICATION_QUEUE_REGION). Under the standard observability stack
 * (scheduled events).
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AthenaQueryEngine } from '../adapters/aws/athena-query-engine';
import { DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoMonitorStatusStore } from '../adapters/aws/dynamo-monitor-status-store';
import { createObservability } from '../adapters/aws/observability';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { queueOutbox } from '../domain/alerts/monitors/outbox';
import { engineRollupReader } from '../domain/alerts/monitors/rollup-query';
import { createMonitorEvaluator } from './app';
import { readMonitorEvaluatorEnvironment } from './environment';

const env = readMonitorEvaluatorEnvironment();
const { logger, count, traced, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const engine = new AthenaQueryEngine(traced(new AthenaClient({})), {
  workGroup: env.ATHENA_WORKGROUP,
  database: env.GLUE_DATABASE,
});

const run = createMonitorEvaluator({
  configStore: new DynamoConfigStore(dynamo, env.SYNC_STATE_TABLE_NAME),
  // A run ends well inside the minute: each statement gets 40 s at most.
  readRollups: engineRollupReader(engine, () => Date.now() + 40_000),
  statuses: new DynamoMonitorStatusStore(dynamo, env.MONITOR_STATUS_TABLE_NAME),
  outbox: queueOutbox(
    new SqsMessageQueue(
      traced(new SQSClient({ region: env.NOTIFICATION_QUEUE_REGION })),
      env.NOTIFICATION_QUEUE_URL,
    ),
  ),
  onFailure: ({ monitorIds, error }) => {
    count('MonitorEvaluationsFailed', monitorIds.length);
    logger.error('monitor evaluation failed', { monitorIds, error: error as Error });
  },
  onUnreadable: ({ monitorId, error }) => {
    count('MonitorsUnreadable');
    logger.error('synced monitor unreadable', { monitorId, error: error as Error });
  },
});

export const handler = wrap('schedule', async () => {
  const result = await run();
  count('MonitorsEvaluated', result.evaluated);
  count('MonitorNotificationsQueued', result.notified);
  count('MonitorStatements', result.statements);
  return result;
});
