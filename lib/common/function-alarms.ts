import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { aboveZeroAlarm } from './failure-queue-alarm';

/**
 * The two alarms every function of a plane has (the operations test holds each plane to it): any
 * failed invocation in 5 minutes, and throttling for 15 minutes in a row. `description` names the
 * function; `throttled` says what throttling means for it, where that is worth saying.
 */
export function functionAlarms(
  scope: Construct,
  fn: IFunction,
  description: string,
  throttled?: string,
): { errorsAlarm: Alarm; throttlesAlarm: Alarm } {
  const period = Duration.minutes(5);
  const errorsAlarm = aboveZeroAlarm(scope, 'ErrorsAlarm', {
    alarmDescription: `${description}: invocations failed (an exception or a timeout). See docs/operations.md, "Function errors".`,
    metric: fn.metricErrors({ period, statistic: 'Sum' }),
  });
  const throttlesAlarm = aboveZeroAlarm(scope, 'ThrottlesAlarm', {
    alarmDescription: `${description}: invocations throttled for 15 minutes${throttled ? ` (${throttled})` : ''}. See docs/operations.md, "Function throttles".`,
    metric: fn.metricThrottles({ period, statistic: 'Sum' }),
    evaluationPeriods: 3,
  });
  return { errorsAlarm, throttlesAlarm };
}
