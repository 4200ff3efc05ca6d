/**
 * AWS Lambda entry point of the heartbeat receiver (SQS event source on every heartbeat queue):
 * stores each data plane's newest report in the control-plane table (CONTROL_PLANE_TABLE_NAME);
 * HEARTBEAT_QUEUES maps each queue name to its data plane. Under the standard observability stack
 * (SQS batches; each report's lines carry its message id).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoHeartbeatStore } from '../adapters/aws/dynamo-heartbeat-store';
import { createObservability } from '../adapters/aws/observability';
import { createHeartbeatReceiver } from './app';
import { readHeartbeatReceiverEnvironment } from './environment';

const env = readHeartbeatReceiverEnvironment();
const { logger, count, traced, forRecord, wrap } = createObservability(env);

const receive = createHeartbeatReceiver({
  store: new DynamoHeartbeatStore(traced(new DynamoDBClient({})), env.CONTROL_PLANE_TABLE_NAME),
  queues: env.HEARTBEAT_QUEUES,
  onRefused: (info) => {
    count('HeartbeatsRefused');
    logger.warn('heartbeat refused', { ...info, ...forRecord(info.messageId) });
  },
  onStored: ({ messageId, report, stored }) => {
    // Not stored: an older report than the one the table holds (delivered out of order).
    count(stored ? 'HeartbeatsStored' : 'HeartbeatsSuperseded');
    logger.info('heartbeat', {
      ...forRecord(messageId),
      stored,
      type: report.type,
      dataPlaneId: report.dataPlaneId,
      queueDepth: report.queueDepth,
      errors: report.errors,
      lagMs: report.lagMs,
      appliedSeq: report.appliedSeq,
    });
  },
  onFailure: ({ messageId, error }) => {
    count('HeartbeatStoreFailures');
    logger.error('heartbeat not stored', { ...forRecord(messageId), error: error as Error });
  },
});

export const handler = wrap('sqs', receive);
