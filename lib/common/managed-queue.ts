import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface ManagedQueueProps {
  /** A fixed name, for senders in other accounts that address the queue by name. */
  readonly queueName?: string;
  readonly retentionPeriod: Duration;
  /** Six times the consumer's timeout (AWS's advice). */
  readonly visibilityTimeout: Duration;
  /** Receives before a message moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
}

/**
 * A queue whose messages carry ids and figures only, never event contents, so SQS-managed encryption
 * is enough (TLS enforced), and its dead-letter queue, kept 14 days (the longest SQS allows): time
 * to look at why a message kept failing before it is gone. Created in `scope` under the ids Queue
 * and DeadLetterQueue, so the caller keeps their logical ids.
 */
export function createManagedQueue(
  scope: Construct,
  props: ManagedQueueProps,
): { queue: Queue; deadLetterQueue: Queue } {
  const encryption = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
  const deadLetterQueue = new Queue(scope, 'DeadLetterQueue', {
    ...encryption,
    retentionPeriod: Duration.days(14),
  });
  const queue = new Queue(scope, 'Queue', {
    ...encryption,
    queueName: props.queueName,
    retentionPeriod: props.retentionPeriod,
    visibilityTimeout: props.visibilityTimeout,
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}
