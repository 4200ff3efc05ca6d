import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

interface HttpApiAlarmsProps {
  readonly api: HttpApi;
  /** Names the API in the alarm descriptions, e.g. "data plane acme". */
  readonly label: string;
  /** Share of requests answered 5xx (percent) that sets the alarm off; default 5. */
  readonly serverErrorPercent?: number;
  /** p99 latency that sets the alarm off; default 25 s (HTTP APIs give up on an integration at 30 s). */
  readonly p99Latency?: Duration;
}

/**
 * The two alarms every HTTP API gets: the share of 5xx answers, and p99 latency close to the 30 s
 * integration limit (past which clients get 503 from API Gateway itself). Both need two 5-minute
 * periods in a row, so one slow or failed burst does not page anyone.
 */
export class HttpApiAlarms extends Construct {
  readonly serverErrorAlarm: Alarm;
  readonly latencyAlarm: Alarm;

  constructor(scope: Construct, id: string, props: HttpApiAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const percent = props.serverErrorPercent ?? 5;
    const latency = props.p99Latency ?? Duration.seconds(25);

    this.serverErrorAlarm = new Alarm(this, 'ServerErrorAlarm', {
      alarmDescription: `More than ${percent}% of the requests to the ${props.label} API were answered 5xx, two 5-minute periods in a row. See docs/operations.md, "API 5xx".`,
      metric: new MathExpression({
        label: '5xx %',
        expression: 'IF(requests > 0, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: props.api.metricServerError({ period, statistic: 'Sum' }),
          requests: props.api.metricCount({ period, statistic: 'Sum' }),
        },
        period,
      }),
      threshold: percent,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.latencyAlarm = new Alarm(this, 'LatencyAlarm', {
      alarmDescription: `p99 latency of the ${props.label} API is over ${latency.toSeconds()} s (the integration limit is 30 s), two 5-minute periods in a row. See docs/operations.md, "API latency".`,
      metric: props.api.metricLatency({ period, statistic: 'p99' }),
      threshold: latency.toMilliseconds(),
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
