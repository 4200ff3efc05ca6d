import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_RECEIVE_COUNT, SQS_MAX_MESSAGE_BYTES } from '../../lambdas/domain/queue-limits';
import { createCustomerKey, viaService } from '../common/customer-key';
import { aboveZeroAlarm } from '../common/failure-queue-alarm';

interface EventsQueueProps {
  /** Deliveries of a message before it is moved to the dead-letter queue. */
  readonly maxReceiveCount?: number;
  /**
   * Must cover the consumer's timeout (AWS advises six times it, plus the batching window): the
   * data-plane stack derives it from the writer's settings (see EventWriter.requiredVisibilityTimeout).
   */
  readonly visibilityTimeout?: Duration;
  /** Same rule for the dead-letter queue's consumer, the dead-letter archiver. */
  readonly deadLetterVisibilityTimeout?: Duration;
  /** Alarm when the oldest message on the events queue has waited this long: the writer is behind. */
  readonly maxMessageAge?: Duration;
}

/**
 * The queue between ingest and the writer, its dead-letter queue and the alarms on both.
 *
 * Encrypted with a customer key this construct owns rather than SQS-managed keys: messages carry
 * prompts and completions, so the key policy is a second gate beside IAM, every use of the key is in
 * CloudTrail, and disabling the key makes queued data unreadable at once. The data key is cached for
 * an hour, so KMS is called a few times an hour, not per message.
 */
export class EventsQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly key: Key;
  readonly deadLetterAlarm: Alarm;
  readonly deadLetterArrivalAlarm: Alarm;
  readonly oldestMessageAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EventsQueueProps = {}) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
    const maxMessageAge = props.maxMessageAge ?? Duration.minutes(15);

    this.key = createCustomerKey(
      this,
      'Key',
      'Waggle events queue: encrypts normalized events between ingest and the writer',
    );

    const encryption = {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
    };

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...encryption,
      // As large as the source queue's messages, so every message it moves here fits.
      maxMessageSizeBytes: SQS_MAX_MESSAGE_BYTES,
      // The longest SQS allows: time to archive poison events (or look at them) before they are gone.
      retentionPeriod: Duration.days(14),
      visibilityTimeout: props.deadLetterVisibilityTimeout ?? Duration.seconds(30),
    });

    this.queue = new Queue(this, 'Queue', {
      ...encryption,
      // The SQS maximum, which ingest packs to (a raw request rides in one message): the default is 256 KiB.
      maxMessageSizeBytes: SQS_MAX_MESSAGE_BYTES,
      retentionPeriod: Duration.days(4),
      visibilityTimeout: props.visibilityTimeout ?? Duration.minutes(15),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    // The dead-letter archiver empties the queue within seconds, so the visible count alone would
    // rarely see a poison event: this alarm counts arrivals (receives by the archiver) instead.
    this.deadLetterArrivalAlarm = aboveZeroAlarm(this, 'DeadLetterArrivalAlarm', {
      alarmDescription:
        'Events reached the dead-letter queue: the writer rejected them repeatedly (archived under dead-letters/ in the event store).',
      metric: this.deadLetterQueue.metricNumberOfMessagesReceived({
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
    });

    this.deadLetterAlarm = aboveZeroAlarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Messages have waited on the dead-letter queue for 5 minutes: the dead-letter archiver is failing to store them.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      evaluationPeriods: 5,
    });

    this.oldestMessageAlarm = new Alarm(this, 'OldestMessageAlarm', {
      alarmDescription: `The oldest event has waited more than ${maxMessageAge.toHumanString()}: the writer is falling behind.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: maxMessageAge.toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /**
   * Lets the grantee send messages to the events queue only. A producer to a KMS-encrypted queue
   * needs kms:GenerateDataKey and kms:Decrypt (to reuse the cached data key), only through SQS.
   */
  grantSendEvents(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendEvents',
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EncryptEvents',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: viaService(this, 'sqs'),
      }),
    );
  }
}
