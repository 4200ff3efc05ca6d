import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AccountPrincipal, Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MONITOR_STATE_PARTITION_PREFIXES } from '../../lambdas/adapters/aws/dynamo-monitor-state-board';
import { NOTIFICATION_LOG_PARTITION_PREFIX } from '../../lambdas/adapters/aws/dynamo-notification-log';
import { CHANNEL_SECRET_PURPOSE } from '../../lambdas/domain/alerts/channel-secrets';
import { NOTIFICATION_RETRY } from '../../lambdas/domain/alerts/delivery-queue';
import { environmentForNotificationSender } from '../../lambdas/notification-sender/environment';
import { environmentForNotificationsApi } from '../../lambdas/notifications-api/environment';
import { CHANNEL_ROUTES } from '../../lambdas/notifications-api/routes';
import { createCustomerKey, grantSecretsKey, grantTableAndKey } from '../common/customer-key';
import { failureQueueAlarm } from '../common/failure-queue-alarm';
import { addFunctionRoutes, HTTP_API_FUNCTION_TIMEOUT } from '../common/function-routes';
import { createManagedQueue } from '../common/managed-queue';
import { partitionOf } from '../common/partition';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { monitorEvaluatorRoleName, NOTIFICATION_QUEUE_NAME } from '../config/monitor-names';
import type { DataPlaneRef } from '../config/sync-names';
import type { ControlPlaneApi } from './control-plane-api';
import type { ControlPlaneTable } from './control-plane-table';

export interface NotificationsProps {
  /** The control plane's HTTP API: the channel routes go there, behind its JWT authorizer. */
  readonly api: ControlPlaneApi;
  readonly table: ControlPlaneTable;
  /** The verified SES identity email comes from (controlPlane.notificationEmailFrom); absent: no email. */
  readonly emailFrom?: string;
  /** The data planes whose monitor evaluators send state changes to the delivery queue (from their accounts). */
  readonly dataPlanes?: readonly DataPlaneRef[];
  readonly logLevel?: LogLevel;
}

/** A delivery waits at most 10 s for its receiver; a batch of 10 runs them at once. */
const SENDER_TIMEOUT = Duration.seconds(30);

/**
 * Notifications (docs/alerts.md): the channels API on the control plane's HTTP API, the delivery
 * queue with its dead-letter queue and alarm, the sender on that queue (which writes each attempt
 * to the notification log in the control-plane table, GET …/notifications on the API), and the KMS key that wraps
 * webhook signing secrets (the API may only seal with it, the sender only open). Messages carry
 * monitor names and figures, never event contents, so SQS-managed encryption is enough for the queue.
 */
export class Notifications extends Construct {
  readonly secretsKey: Key;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly apiFunction: WaggleFunction;
  readonly senderFunction: WaggleFunction;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const { table } = props;
    this.secretsKey = createCustomerKey(
      this,
      'SecretsKey',
      'Waggle notifications: wraps the data keys of webhook signing secrets (Encryption SDK)',
    );
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = createManagedQueue(this, {
      // Named: each data plane's monitor evaluator sends to it by name (lib/config/monitor-names.ts).
      queueName: NOTIFICATION_QUEUE_NAME,
      // A notification older than a day is news to nobody.
      retentionPeriod: Duration.days(1),
      visibilityTimeout: Duration.seconds(6 * SENDER_TIMEOUT.toSeconds()),
      maxReceiveCount: NOTIFICATION_RETRY.maxAttempts,
    }));
    // Each data plane's monitor evaluator, by its fixed role name in its own account, may send; SQS-managed
    // encryption needs no key grant across accounts. Same-account senders (the test route) use IAM.
    for (const dataPlane of props.dataPlanes ?? []) {
      const partition = partitionOf(this);
      this.queue.addToResourcePolicy(
        new PolicyStatement({
          sid: `MonitorsOf${dataPlane.name.replace(/[^A-Za-z0-9]/g, '')}${dataPlane.region.replace(/-/g, '')}`,
          effect: Effect.ALLOW,
          principals: [new AccountPrincipal(dataPlane.account)],
          actions: ['sqs:SendMessage'],
          resources: [this.queue.queueArn],
          conditions: {
            ArnEquals: {
              'aws:PrincipalArn': `arn:${partition}:iam::${dataPlane.account}:role/${monitorEvaluatorRoleName(dataPlane)}`,
            },
          },
        }),
      );
    }
    const environment = {
      CONTROL_PLANE_TABLE_NAME: table.table.tableName,
      CHANNEL_SECRETS_KEY_ARN: this.secretsKey.keyArn,
      NOTIFICATION_QUEUE_URL: this.queue.queueUrl,
      NOTIFICATION_EMAIL_FROM: props.emailFrom,
    };

    this.apiFunction = new WaggleFunction(this, 'ApiFunction', {
      entry: 'lambdas/notifications-api/handler.ts',
      serviceName: 'waggle-notifications-api',
      description: 'Waggle notification channels: create (SSRF-checked), list, delete, rotate secrets, test',
      timeout: HTTP_API_FUNCTION_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForNotificationsApi(environment),
    });
    table.grantReadWriteRecords(this.apiFunction.role);
    this.grantSecrets(this.apiFunction.role, 'SealChannelSecrets', 'kms:GenerateDataKey');
    this.apiFunction.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'QueueTestNotifications',
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
    addFunctionRoutes(
      props.api.api,
      'NotificationsIntegration',
      this.apiFunction.function,
      CHANNEL_ROUTES,
      props.api.authorizer,
    );

    this.senderFunction = new WaggleFunction(this, 'Sender', {
      entry: 'lambdas/notification-sender/handler.ts',
      serviceName: 'waggle-notification-sender',
      description: 'Waggle notification sender: delivery queue -> signed webhooks, Slack, SES email',
      timeout: SENDER_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForNotificationSender(environment),
    });
    table.grantReadRecords(this.senderFunction.role);
    // The notification log and the monitor state board: PutItem on their own partitions only, never on a record.
    grantTableAndKey(this, this.senderFunction.role, {
      sid: 'WriteNotificationLogAndMonitorStates',
      actions: ['dynamodb:PutItem'],
      resources: [table.table.tableArn],
      conditions: {
        'ForAllValues:StringLike': {
          'dynamodb:LeadingKeys': [
            NOTIFICATION_LOG_PARTITION_PREFIX,
            ...MONITOR_STATE_PARTITION_PREFIXES,
          ].map((prefix) => `${prefix}*`),
        },
      },
      keySid: 'WriteNotificationLogAndMonitorStatesKey',
      keyActions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      keyArn: table.key.keyArn,
    });
    this.grantSecrets(this.senderFunction.role, 'OpenChannelSecrets', 'kms:Decrypt');
    if (props.emailFrom !== undefined) this.grantSendEmail(this.senderFunction.role, props.emailFrom);
    // Grants the consumer calls: receive, delete and change visibility (the retry backoff).
    this.senderFunction.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );

    this.deadLetterAlarm = failureQueueAlarm(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      'Notifications failed every delivery attempt and reached the dead-letter queue: a receiver, Slack or SES kept failing. See docs/alerts.md, "Delivery".',
    );
  }

  private grantSecrets(grantee: IGrantable, sid: string, action: string): void {
    grantSecretsKey(grantee, sid, action, this.secretsKey.keyArn, CHANNEL_SECRET_PURPOSE);
  }

  /** SendEmail from the configured address only, as its own identity or its domain's. */
  private grantSendEmail(grantee: IGrantable, from: string): void {
    const { region, account } = Stack.of(this);
    const identity = (name: string) => `arn:${partitionOf(this)}:ses:${region}:${account}:identity/${name}`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendNotificationEmail',
        actions: ['ses:SendEmail'],
        resources: [identity(from), identity(from.slice(from.indexOf('@') + 1))],
        conditions: { StringEquals: { 'ses:FromAddress': from } },
      }),
    );
  }
}
