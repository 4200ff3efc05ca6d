import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An alarm on a queue that only ever holds failures (failed runs, dead letters): it goes off when
 * any message is on it in a 5-minute period. Created in `scope` under `id`.
 */
export function failureQueueAlarm(
  scope: Construct,
  id: string,
  queue: IQueue,
  alarmDescription: string,
): Alarm {
  return aboveZeroAlarm(scope, id, {
    alarmDescription,
    metric: queue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(5),
      statistic: 'Maximum',
    }),
  });
}

/**
 * An alarm that goes off when `metric` is above zero in `evaluationPeriods` periods in a row
 * (default 1); a period without data (nothing happened) is not a breach.
 */
export function aboveZeroAlarm(
  scope: Construct,
  id: string,
  props: { alarmDescription: string; metric: IMetric; evaluationPeriods?: number },
): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: props.alarmDescription,
    metric: props.metric,
    threshold: 0,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: props.evaluationPeriods ?? 1,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
