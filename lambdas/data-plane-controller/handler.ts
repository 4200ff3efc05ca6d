/**
 * AWS Lambda entry point of the data-plane controller (the FIFO inbox queue's consumer; its one
 * message group means one invocation at a time): opens each signed message with the control plane's JWKS and applies it to the key
 * registry and the sync-state table. Returns batch item failures for outages only. Under the
 * standard observability stack (SQS batches; each message's lines carry its id).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAppliedStateStore, DynamoConfigStore } from '../adapters/aws/dynamo-config-store';
import { DynamoKeyRegistry } from '../adapters/aws/dynamo-key-registry';
import { createObservability } from '../adapters/aws/observability';
import { createDataPlaneController } from './app';
import { readDataPlaneControllerEnvironment } from './environment';
import { createJwksMessageVerifier, fetchJwksOverHttps } from './jwks-verifier';

const env = readDataPlaneControllerEnvironment();
const { logger, count, traced, forRecord, wrap } = createObservability(env);

const dynamo = traced(new DynamoDBClient({}));
const stateTable = env.SYNC_STATE_TABLE_NAME;
const jwksUrl = env.CONTROL_PLANE_JWKS_URL;

const controller = createDataPlaneController({
  dataPlaneId: env.DATA_PLANE_ID,
  verifier: createJwksMessageVerifier({ fetchJwks: () => fetchJwksOverHttps(jwksUrl) }),
  keyRegistry: new DynamoKeyRegistry(dynamo, env.KEY_TABLE_NAME),
  configStore: new DynamoConfigStore(dynamo, stateTable),
  appliedState: new DynamoAppliedStateStore(dynamo, stateTable),
  onRejected: (info) => {
    count('SyncMessagesRejected');
    logger.warn('sync message rejected', { ...info, ...forRecord(info.messageId) });
  },
  onApplied: (info) => {
    count(info.status === 'applied' ? 'SyncMessagesApplied' : 'SyncMessagesSkipped');
    logger.info('sync message handled', { ...info, ...forRecord(info.messageId) });
  },
  onFailure: ({ messageId, error }) => {
    count('SyncMessageFailures');
    logger.error('sync message failed', { ...forRecord(messageId), error: error as Error });
  },
});

export const handler = wrap('sqs', controller);
