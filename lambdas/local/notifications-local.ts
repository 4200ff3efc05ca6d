/**
 * Notifications on the local platform: the channels API's routes (served by the local control
 * plane), the delivery queue as a durable folder queue (queues/notifications) with the same retry
 * policy and dead-letter queue (queues/notifications-dlq) as on AWS, and the sender on a poller.
 * Webhooks and Slack go to their URLs through the same pinned transport; in local mode (the
 * default here, `allowLoopback`) http and https to localhost are allowed, so a test receiver on
 * 127.0.0.1 gets them. Email is written to the outbox folder (<data>/outbox, one .eml file each)
 * instead of SES. Each attempt is logged in the control-plane table (dynalite), as on AWS, and the
 * monitors' reported state changes are kept there too (the state board the monitors API reads).
 * Webhook secrets are sealed with the local key (provider-keys/master.key).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoMonitorStateBoard } from '../adapters/aws/dynamo-monitor-state-board';
import { DynamoNotificationLog } from '../adapters/aws/dynamo-notification-log';
import { dnsHostResolver } from '../adapters/dns-host-resolver';
import { LocalQueue } from '../adapters/local/local-queue';
import { startQueuePoller } from '../adapters/local/local-queue-poller';
import { localSecretSealer } from '../adapters/local/local-secret-sealer';
import { createPinnedWebhookTransport } from '../adapters/pinned-webhook-transport';
import type { EmailSender } from '../domain/alerts/deliver';
import { NOTIFICATION_RETRY, type RetryPolicy } from '../domain/alerts/delivery-queue';
import type { HostResolver } from '../domain/alerts/delivery-target';
import type { MonitorStateBoard } from '../domain/alerts/monitors/transition-report';
import { controlPlaneContext } from '../domain/control-plane/context';
import type { ControlPlaneStore } from '../domain/control-plane/store';
import type { ActorFrom } from '../http/jwt-authorizer-actor';
import type { HttpRoute } from '../http/router';
import { createNotificationSender } from '../notification-sender/app';
import { channelRoutes } from '../notifications-api/app';
import type { ChannelRouteKey } from '../notifications-api/routes';
import type { Logger } from './logger';

/** The local platform's notification settings (LocalPlatformOptions.controlPlane.notifications). */
export interface LocalNotificationSettings {
  /** Local mode: URLs to localhost / 127.0.0.1 / [::1] allowed, over http too. Default true. */
  allowLoopback?: boolean;
  /** The retry policy; default the one used on AWS (NOTIFICATION_RETRY). Tests shorten the waits. */
  retry?: RetryPolicy;
  /** The resolver of the SSRF checks; default the system's (tests inject a stub). */
  resolver?: HostResolver;
}

export interface LocalNotifications {
  routes(actorFrom: ActorFrom): HttpRoute<ChannelRouteKey>[];
  queue: LocalQueue;
  deadLetterQueue: LocalQueue;
  /** Where email notifications are written. */
  outboxDir: string;
  /** Monitors' states and history as the data plane reported them (read by the monitors API). */
  states: MonitorStateBoard;
  close(): Promise<void>;
}

export async function startLocalNotifications(options: {
  dataDir: string;
  store: ControlPlaneStore;
  /** The control-plane table's DynamoDB (dynalite): the notification log lives there too. */
  dynamo: DynamoDBClient;
  tableName: string;
  logger: Logger;
  settings?: LocalNotificationSettings;
}): Promise<LocalNotifications> {
  const { dataDir, store, logger, settings = {} } = options;
  const log = new DynamoNotificationLog(options.dynamo, options.tableName);
  const states = new DynamoMonitorStateBoard(options.dynamo, options.tableName);
  const retry = settings.retry ?? NOTIFICATION_RETRY;
  const policy = { allowLoopback: settings.allowLoopback ?? true };
  const resolver = settings.resolver ?? dnsHostResolver;
  const sealer = await localSecretSealer(dataDir);
  const deadLetterQueue = await LocalQueue.open(join(dataDir, 'queues', 'notifications-dlq'), {
    name: 'waggle-notifications-dlq',
  });
  const queue = await LocalQueue.open(join(dataDir, 'queues', 'notifications'), {
    name: 'waggle-notifications',
    redrive: { deadLetterQueue, maxReceiveCount: retry.maxAttempts },
  });
  const outboxDir = join(dataDir, 'outbox');
  const sender = createNotificationSender({
    delivery: {
      channels: store,
      sealer,
      resolver,
      policy,
      transport: createPinnedWebhookTransport(),
      email: outboxEmailSender(outboxDir),
      clock: Date.now,
    },
    retry,
    log,
    onLogFailure: ({ error }) =>
      logger.warn(`notifications: log entry not written (${(error as Error).message})`),
    retryLater: async (receiptHandle, seconds) => {
      queue.changeVisibility(receiptHandle, seconds * 1000);
    },
    onDelivered: ({ notificationId, channelType }) =>
      logger.info(`notifications: ${notificationId} delivered (${channelType})`),
    onRetry: ({ attempt, delaySeconds, reason }) =>
      logger.warn(`notifications: attempt ${attempt} failed (${reason}); next in ${delaySeconds} s`),
    onDropped: ({ reason }) => logger.warn(`notifications: dropped (${reason})`),
    onNotRouted: ({ reason }) => logger.info(`notifications: not sent to a channel (${reason})`),
    states,
    onTransitionFailure: ({ error }) =>
      logger.warn(`notifications: monitor state not recorded (${(error as Error).message}); retried`),
  });
  const poller = startQueuePoller(queue, sender, {
    batchSize: 10,
    // Longer than a delivery's deadline, as the AWS queue's visibility timeout is.
    visibilityTimeoutMs: 60_000,
    log: (line) => logger.warn(line),
  });
  const context = controlPlaneContext({ store, changes: { publish: async () => {} } });
  return {
    routes: (actorFrom) =>
      channelRoutes({ context, sealer, resolver, policy, queue, emailEnabled: true, log, actorFrom }),
    queue,
    deadLetterQueue,
    outboxDir,
    states,
    close: () => poller.stop(),
  };
}

/** SES's stand-in: each email a file `<time>-<id>.eml` in the outbox (headers, blank line, text). */
function outboxEmailSender(outboxDir: string): EmailSender {
  return async (email) => {
    await mkdir(outboxDir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    const message = [
      'From: waggle@localhost',
      `To: ${email.to}`,
      `Subject: ${email.subject}`,
      'Content-Type: text/plain; charset=UTF-8',
      '',
      email.text,
    ].join('\r\n');
    await writeFile(join(outboxDir, name), message, { mode: 0o600 });
  };
}
