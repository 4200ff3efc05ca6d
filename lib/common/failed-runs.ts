import { Duration, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { failureQueueAlarm } from './failure-queue-alarm';
import type { WaggleFunction } from './waggle-function';

interface FailedRunsProps {
  /** The scheduled function whose failed runs are kept. */
  readonly function: WaggleFunction;
  /** Lambda's own retries of a failed asynchronous run before it is kept here (0-2). */
  readonly retryAttempts: number;
  /** A run not started within this long (throttling) is dropped to here instead. */
  readonly maxEventAge?: Duration;
}

/**
 * The failure destination of a scheduled (EventBridge-invoked) function. EventBridge invokes Lambda
 * asynchronously and counts the event delivered once Lambda accepts it, so a rule's own dead-letter
 * queue only sees events Lambda refused; a run that fails is Lambda's to handle. Lambda's async
 * invoke config therefore keeps, after its retries, each failed run (the event, the error and the
 * request id) on this queue for 14 days, and an alarm goes off when one arrives. SQS-managed
 * encryption: a run's record holds the schedule event and an error message, no event data.
 */
export class FailedRuns extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: FailedRunsProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the last stop of failed runs (a Lambda on-failure destination, which cdk-nag cannot see as a DLQ): nothing consumes it, an alarm watches it and an operator reads it.',
    });
    props.function.function.configureAsyncInvoke({
      onFailure: new SqsDestination(this.queue),
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge ?? Duration.hours(1),
    });
    this.alarm = failureQueueAlarm(
      this,
      'Alarm',
      this.queue,
      `A scheduled run of ${props.function.function.node.path} failed after its retries: the record (event, error, request id) is on the failed-runs queue. See docs/operations.md, "Failed scheduled runs".`,
    );
  }
}
