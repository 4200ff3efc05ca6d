/**
 * AWS Lambda entry point of the notification sender (SQS event source on the delivery queue):
 * channels from the control-plane table, webhook secrets opened with the channel-secrets KMS key,
 * webhooks and Slack over the pinned HTTPS transport, email through SES, retries delayed with
 * ChangeMessageVisibility, each attempt's outcome written to the notification log (the same table),
 * monitors' reported state changes onto the state board (the same table). Under the standard
 * observability stack (SQS batches).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoControlPlaneStore } from '../adapters/aws/control-plane-store';
import { DynamoMonitorStateBoard } from '../adapters/aws/dynamo-monitor-state-board';
import { DynamoNotificationLog } from '../adapters/aws/dynamo-notification-log';
import { kmsSecretSealer } from '../adapters/aws/esdk-secret-sealer';
import { createObservability } from '../adapters/aws/observability';
import { sesEmailSender } from '../adapters/aws/ses-email-sender';
import { sqsRetryLater } from '../adapters/aws/sqs-retry-later';
import { dnsHostResolver } from '../adapters/dns-host-resolver';
import { createPinnedWebhookTransport } from '../adapters/pinned-webhook-transport';
import { AWS_URL_POLICY } from '../domain/alerts/delivery-target';
import { createNotificationSender } from './app';
import { readNotificationSenderEnvironment } from './environment';

const env = readNotificationSenderEnvironment();
const { logger, count, traced, forRecord, wrap } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));

const send = createNotificationSender({
  delivery: {
    channels: new DynamoControlPlaneStore(dynamo, env.CONTROL_PLANE_TABLE_NAME),
    sealer: kmsSecretSealer(traced(new KMS({})), env.CHANNEL_SECRETS_KEY_ARN),
    resolver: dnsHostResolver,
    policy: AWS_URL_POLICY,
    transport: createPinnedWebhookTransport(),
    email:
      env.NOTIFICATION_EMAIL_FROM === undefined
        ? undefined
        : sesEmailSender(traced(new SESv2Client({})), env.NOTIFICATION_EMAIL_FROM),
    clock: Date.now,
  },
  log: new DynamoNotificationLog(dynamo, env.CONTROL_PLANE_TABLE_NAME),
  onLogFailure: ({ messageId, error }) => {
    count('NotificationLogFailures');
    logger.error('notification log entry not written', { ...forRecord(messageId), error: error as Error });
  },
  retryLater: sqsRetryLater(traced(new SQSClient({})), env.NOTIFICATION_QUEUE_URL),
  onDelivered: ({ messageId, notificationId, channelType }) => {
    count('NotificationsDelivered');
    logger.info('notification delivered', { ...forRecord(messageId), notificationId, channelType });
  },
  onRetry: ({ messageId, attempt, delaySeconds, reason }) => {
    count('NotificationRetries');
    logger.warn('notification not delivered, to be retried', {
      ...forRecord(messageId),
      attempt,
      delaySeconds,
      reason,
    });
  },
  onDropped: ({ messageId, reason }) => {
    count('NotificationsDropped');
    logger.warn('notification dropped', { ...forRecord(messageId), reason });
  },
  onNotRouted: ({ messageId, reason }) => {
    count('NotificationsNotRouted');
    logger.info('notification not sent to a channel that does not take its severity', {
      ...forRecord(messageId),
      reason,
    });
  },
  states: new DynamoMonitorStateBoard(dynamo, env.CONTROL_PLANE_TABLE_NAME),
  onTransition: ({ messageId, report }) => {
    count('MonitorTransitionsRecorded');
    logger.info('monitor state recorded', {
      ...forRecord(messageId),
      monitorId: report.monitor_id,
      state: report.status.state,
    });
  },
  onTransitionFailure: ({ messageId, error }) => {
    count('MonitorTransitionFailures');
    logger.error('monitor state not recorded; retried', { ...forRecord(messageId), error: error as Error });
  },
});

export const handler = wrap('sqs', send);
