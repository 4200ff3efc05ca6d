/**
 * AWS Lambda entry point of the heartbeat receiver (SQS event source on every heartbeat queue):
 * stores each data plane's newest report in the control-plane table (CONTROL_PLANE_TABLE_NAME);
 * HEARTBEAT_QUEUES maps each queue name to its data plane.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoHeartbeatStore } from '../adapters/aws/dynamo-heartbeat-store';
import { requiredEnv } from '../adapters/aws/required-env';
import { createHeartbeatReceiver, parseHeartbeatQueues } from './app';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();

const receive = createHeartbeatReceiver({
  store: new DynamoHeartbeatStore(
    tracer.captureAWSv3Client(new DynamoDBClient({})),
    requiredEnv('CONTROL_PLANE_TABLE_NAME'),
  ),
  queues: parseHeartbeatQueues(requiredEnv('HEARTBEAT_QUEUES')),
  onRefused: (info) => logger.warn('heartbeat refused', info),
  onStored: ({ messageId, report, stored }) =>
    logger.info('heartbeat', {
      messageId,
      stored,
      type: report.type,
      dataPlaneId: report.dataPlaneId,
      queueDepth: report.queueDepth,
      errors: report.errors,
      lagMs: report.lagMs,
      appliedSeq: report.appliedSeq,
    }),
  onFailure: ({ messageId, error }) =>
    logger.error('heartbeat not stored', { messageId, error: error as Error }),
});

export const handler = middy(receive).use(injectLambdaContext(logger));
