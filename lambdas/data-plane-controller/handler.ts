/**
 * AWS Lambda entry point of the data-plane controller (the FIFO inbox queue's consumer; its one
 * message group means one invocation at a time): opens each signed message with the control plane's JWKS and applies it to the key
 * registry and the sync-state table. Returns batch item failures for outages only.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoAppliedStateStore, DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoKeyRegistry } from '../adapters/aws/dynamo-key-registry';
import { requiredEnv } from '../adapters/aws/required-env';
import { createDataPlaneController } from './app';
import { createJwksMessageVerifier, fetchJwksOverHttps } from './jwks-verifier';

const logger = new Logger();
// X-Ray subsegments for every AWS SDK call (active tracing alone records only the invocation).
const tracer = new Tracer();
const metrics = new Metrics();

const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
const stateTable = requiredEnv('SYNC_STATE_TABLE_NAME');
const jwksUrl = requiredEnv('CONTROL_PLANE_JWKS_URL');

const controller = createDataPlaneController({
  dataPlaneId: requiredEnv('DATA_PLANE_ID'),
  verifier: createJwksMessageVerifier({ fetchJwks: () => fetchJwksOverHttps(jwksUrl) }),
  keyRegistry: new DynamoKeyRegistry(dynamo, requiredEnv('KEY_TABLE_NAME')),
  configStore: new DynamoConfigStore(dynamo, stateTable),
  appliedState: new DynamoAppliedStateStore(dynamo, stateTable),
  onRejected: (info) => {
    metrics.addMetric('SyncMessagesRejected', MetricUnit.Count, 1);
    logger.warn('sync message rejected', info);
  },
  onApplied: (info) => {
    metrics.addMetric(
      info.status === 'applied' ? 'SyncMessagesApplied' : 'SyncMessagesSkipped',
      MetricUnit.Count,
      1,
    );
    logger.info('sync message handled', info);
  },
  onFailure: ({ messageId, error }) => {
    metrics.addMetric('SyncMessageFailures', MetricUnit.Count, 1);
    logger.error('sync message failed', { messageId, error: error as Error });
  },
});

export const handler = middy(controller).use(injectLambdaContext(logger)).use(logMetrics(metrics));
