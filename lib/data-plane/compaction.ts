import { Duration } from 'aws-cdk-lib';
import { type Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { environmentForCompaction } from '../../lambdas/compaction/environment';
import { FailedRuns } from '../common/failed-runs';
import { aboveZeroAlarm } from '../common/failure-queue-alarm';
import { WAGGLE_METRICS_NAMESPACE, WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import type { EventStore } from './event-store';

interface EventCompactionProps {
  readonly eventStore: EventStore;
  readonly logLevel?: LogLevel;
  /** Minute past every hour (UTC) at which compaction runs; the hour before is then closed. */
  readonly minuteOfHour?: number;
  /** How long after its end an hour counts as closed (COMPACTION_CLOSED_AFTER_MS); absent: the job's default, 1 hour. */
  readonly closedAfter?: Duration;
}

/**
 * Hourly compaction of the event store: rewrites each closed hour of `events/` into few large
 * deduplicated files (newest version of each event, tombstones applied), writing the new file before
 * deleting the old ones so that a reader never misses an event. Runs at minute 15 by default, after
 * the writer's batching window and retries have long delivered the previous hour's stragglers.
 */
export class EventCompaction extends Construct {
  readonly compactionFunction: WaggleFunction;
  readonly schedule: Rule;
  readonly failedRuns: FailedRuns;
  /** Partitions the last run could not compact (the handler's CompactionFailures metric). */
  readonly failuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EventCompactionProps) {
    super(scope, id);
    const minute = props.minuteOfHour ?? 15;
    if (!Number.isInteger(minute) || minute < 0 || minute > 59) {
      throw new Error(`minuteOfHour must be an integer from 0 to 59, got ${minute}`);
    }

    this.compactionFunction = new WaggleFunction(this, 'Compaction', {
      entry: 'lambdas/compaction/handler.ts',
      serviceName: 'waggle-compaction',
      description: 'Waggle compaction: rewrites closed hours of the event store into few large files',
      // Reads and rewrites whole hours of Parquet: the most memory (and CPU) a default account allows.
      memorySize: 3008,
      // The longest Lambda allows; a run that does not finish leaves the old files in place.
      timeout: Duration.minutes(15),
      logLevel: props.logLevel,
      environment: environmentForCompaction({
        EVENT_STORE_BUCKET: props.eventStore.bucket.bucketName,
        COMPACTION_CLOSED_AFTER_MS: props.closedAfter?.toMilliseconds(),
      }),
    });
    props.eventStore.grantCompactEvents(this.compactionFunction.role);

    this.schedule = new Rule(this, 'Hourly', {
      description: `Runs Waggle compaction at minute ${minute} of every hour (UTC)`,
      schedule: Schedule.cron({ minute: String(minute) }),
    });
    this.schedule.addTarget(
      new LambdaFunction(this.compactionFunction.function, {
        // EventBridge's retries of delivering the event; Lambda's retries of a failed run are below.
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      }),
    );
    // Lambda retries a failed run twice; the next hour's run picks up anything missed.
    this.failedRuns = new FailedRuns(this, 'FailedRuns', {
      function: this.compactionFunction,
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
    });
    this.failuresAlarm = aboveZeroAlarm(this, 'FailuresAlarm', {
      alarmDescription:
        'Compaction left partitions uncompacted (reads still work, more slowly). See docs/operations.md, "Compaction failures".',
      metric: new Metric({
        namespace: WAGGLE_METRICS_NAMESPACE,
        metricName: 'CompactionFailures',
        dimensionsMap: { service: 'waggle-compaction' },
        period: Duration.hours(1),
        statistic: 'Sum',
      }),
    });
  }
}
