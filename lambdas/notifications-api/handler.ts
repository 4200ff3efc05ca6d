/**
 * AWS Lambda entry point of the channels API (routes on the control plane's HTTP API, behind its JWT
 * authorizer): channels in the control-plane table, webhook secrets sealed with the channel-secrets
 * KMS key (GenerateDataKey only: this function never opens one), URLs resolved and checked before
 * they are saved, test notifications queued on the delivery queue, the notification log read from the same table. Under the standard observability
 * stack (HTTP API requests).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { DynamoNotificationLog } from '../adapters/aws/dynamo-notification-log';
import { kmsSecretSealer } from '../adapters/aws/esdk-secret-sealer';
import { createObservability } from '../adapters/aws/observability';
import { SqsMessageQueue } from '../adapters/aws/sqs-message-queue';
import { dnsHostResolver } from '../adapters/dns-host-resolver';
import { AWS_URL_POLICY } from '../domain/alerts/delivery-target';
import { controlPlaneContext } from '../domain/control-plane/context';
import { jwtAuthorizerActor } from '../http/jwt-authorizer-actor';
import { createNotificationsApi } from './app';
import { readNotificationsApiEnvironment } from './environment';

const env = readNotificationsApiEnvironment();
const { logger, count, traced, wrap, internalError } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));
const store = new DynamoControlPlaneStore(dynamo, env.CONTROL_PLANE_TABLE_NAME);

const api = createNotificationsApi({
  // Channels are not synced to data planes: nothing is published.
  context: controlPlaneContext({ store, changes: { publish: async () => {} } }),
  sealer: kmsSecretSealer(traced(new KMS({})), env.CHANNEL_SECRETS_KEY_ARN),
  resolver: dnsHostResolver,
  policy: AWS_URL_POLICY,
  queue: new SqsMessageQueue(traced(new SQSClient({})), env.NOTIFICATION_QUEUE_URL),
  emailEnabled: env.NOTIFICATION_EMAIL_FROM !== undefined,
  log: new DynamoNotificationLog(dynamo, env.CONTROL_PLANE_TABLE_NAME),
  actorFrom: jwtAuthorizerActor(store),
  onError: internalError('notifications-api failure'),
});

export const handler = wrap('http', async (event: APIGatewayProxyEventV2) => {
  const response = await api(event);
  count('RequestsAnswered');
  logger.debug('request answered', { routeKey: event.routeKey, status: response.statusCode });
  return response;
});
