import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../lambdas/domain/queue-limits';
import { createManagedQueue } from '../common/managed-queue';

/** The evaluation worker's timeout; the queue's visibility timeout is six times it (AWS's advice). */
export const EVALUATION_WORKER_TIMEOUT = Duration.minutes(5);

/**
 * The queue between the writer and the evaluation worker: one task per event and evaluator chosen
 * online (domain/evaluators/online/tasks.ts), its dead-letter queue and the alarms on both.
 *
 * A task carries ids only (tenant, event, session, evaluator and version, start time), never event
 * contents, so SQS-managed encryption is enough here, unlike the events queue's customer key.
 */
export class EvaluationsQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;
  readonly oldestTaskAlarm: Alarm;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = createManagedQueue(this, {
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(6 * EVALUATION_WORKER_TIMEOUT.toSeconds()),
      maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
    }));

    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Evaluation tasks reached the dead-letter queue: their events got no score (the event could not be read, or the sandbox or the scores write kept failing). See docs/evaluators.md.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.oldestTaskAlarm = new Alarm(this, 'OldestTaskAlarm', {
      alarmDescription:
        'The oldest evaluation task has waited more than 15 minutes: online evaluation is falling behind (worker concurrency, judge rate limits).',
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: Duration.minutes(15).toSeconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** Lets the grantee (the writer) put tasks on the queue, and do nothing else with it. */
  grantSendTasks(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendEvaluationTasks',
        actions: ['sqs:SendMessage'],
        resources: [this.queue.queueArn],
      }),
    );
  }
}
