import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { AccountPrincipal, AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { DeduplicationScope, FifoThroughputLimit, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../lambdas/domain/queue-limits';
import { allowCrossAccountSqsSenders, kmsQueueEncryption } from '../common/cross-account-queue-key';
import { createCustomerKey } from '../common/customer-key';
import { failureQueueAlarm } from '../common/failure-queue-alarm';
import { partitionOf } from '../common/partition';
import type { ControlPlaneConfig, DataPlaneConfig } from '../config/deployment-config';
import {
  controlPlaneSyncRoleArns,
  inboxDeadLetterQueueName,
  inboxKeyAlias,
  inboxQueueName,
} from '../config/sync-names';

interface InboxProps {
  readonly dataPlane: DataPlaneConfig;
  /** The control plane, from the deployment config: its account and its two sender roles are trusted. */
  readonly controlPlane: ControlPlaneConfig;
  /** Must cover the controller's timeout (six times it, by AWS's advice). */
  readonly visibilityTimeout: Duration;
  readonly maxReceiveCount?: number;
}

/**
 * The data plane's inbox: the FIFO queue the control plane sends signed config messages to, from its
 * own account. Its name and key alias are derived from the config (sync-names), so the control plane
 * addresses it without a stack reference. Trust is granted twice, by resource policies that name the
 * control plane's account and its two sender roles: the queue policy (SendMessage) and the key
 * policy (encrypting through SQS). An explicit deny refuses SendMessage to every other principal,
 * including this account's own roles. Messages are signed, so the policy is defence in depth.
 */
export class Inbox extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly key: Key;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: InboxProps) {
    super(scope, id);
    const { dataPlane, controlPlane } = props;
    const senders = controlPlaneSyncRoleArns(controlPlane, partitionOf(this));

    this.key = createCustomerKey(
      this,
      'Key',
      `Waggle inbox of data plane ${dataPlane.name}: encrypts config messages from the control plane`,
    );
    this.key.addAlias(inboxKeyAlias(dataPlane));
    allowCrossAccountSqsSenders(this.key, {
      sid: 'ControlPlaneSendsThroughSqs',
      accounts: [controlPlane.account],
      region: dataPlane.region,
      senderArns: senders,
    });

    const encryption = kmsQueueEncryption(this.key);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...encryption,
      queueName: inboxDeadLetterQueueName(dataPlane),
      fifo: true,
      retentionPeriod: Duration.days(14),
    });
    // FIFO: the control plane sends every message to one group (the data plane's id), so SQS hands
    // the controller one batch at a time, in order, and holds the rest of the group while a batch
    // is in flight or being retried. Deduplication is by the message's seq (MessageDeduplicationId).
    this.queue = new Queue(this, 'Queue', {
      ...encryption,
      queueName: inboxQueueName(dataPlane),
      fifo: true,
      contentBasedDeduplication: false,
      deduplicationScope: DeduplicationScope.QUEUE,
      fifoThroughputLimit: FifoThroughputLimit.PER_QUEUE,
      // Messages older than 14 days are refused as replays anyway (DEFAULT_MAX_AGE_MS).
      retentionPeriod: Duration.days(14),
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      },
    });

    this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'ControlPlaneSends',
        effect: Effect.ALLOW,
        principals: [new AccountPrincipal(controlPlane.account)],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnEquals: { 'aws:PrincipalArn': senders } },
      }),
    );
    this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyControlPlaneSends',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': senders } },
      }),
    );

    this.deadLetterAlarm = failureQueueAlarm(
      this,
      'DeadLetterAlarm',
      this.deadLetterQueue,
      `Config messages for data plane ${dataPlane.name} failed five times (a store outage): they are on the inbox dead-letter queue; the next reconciliation republishes them.`,
    );
  }
}
