import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { MONITOR_STATUS_TABLE } from '../../lambdas/adapters/aws/dynamo-monitor-status-store';
import { environmentForMonitorEvaluator } from '../../lambdas/monitor-evaluator/environment';
import { grantTableAndKey, KeptTableWithKey } from '../common/customer-key';
import { FailedRuns } from '../common/failed-runs';
import { aboveZeroAlarm } from '../common/failure-queue-alarm';
import { partitionOf, urlSuffixOf } from '../common/partition';
import { WAGGLE_METRICS_NAMESPACE, WaggleFunction } from '../common/waggle-function';
import type { ControlPlaneConfig, DataPlaneConfig } from '../config/deployment-config';
import {
  monitorEvaluatorRoleName,
  notificationQueueArn,
  notificationQueueUrl,
} from '../config/monitor-names';
import type { SyncController } from './data-plane-controller';
import type { EventStore } from './event-store';
import type { EventTables } from './event-tables';

/** Powertools' service name, also the `service` dimension of the evaluator's metrics. */
const SERVICE_NAME = 'waggle-monitor-evaluator';

interface MonitorEvaluatorProps {
  readonly dataPlane: DataPlaneConfig;
  readonly controlPlane: ControlPlaneConfig;
  readonly syncController: SyncController;
  readonly eventStore: EventStore;
  readonly eventTables: EventTables;
  readonly interval?: Duration;
}

/**
 * Monitors in the data plane: an EventBridge Scheduler schedule runs the evaluator every minute; it
 * reads the synced monitors, queries the minute_rollups table through Athena (one statement per
 * group of monitors sharing a query), keeps states and history in its own table (customer key,
 * point-in-time recovery, a TTL on history), and sends notifications (figures only) to the control
 * plane's delivery queue. Its role has a fixed name, which the control plane's queue policy names.
 */
export class MonitorEvaluator extends Construct {
  readonly evaluatorFunction: WaggleFunction;
  readonly statusTable: KeptTableWithKey;
  readonly schedule: Schedule;
  readonly failedRuns: FailedRuns;
  /** Evaluations that failed (Athena, the state table, or the delivery queue refused). */
  readonly failuresAlarm: Alarm;

  constructor(scope: Construct, id: string, props: MonitorEvaluatorProps) {
    super(scope, id);
    const { dataPlane, controlPlane } = props;
    const partition = partitionOf(this);
    this.statusTable = new KeptTableWithKey(this, 'States', `Waggle monitor states (${dataPlane.name})`, {
      partitionKey: MONITOR_STATUS_TABLE.partitionKey,
      sortKey: MONITOR_STATUS_TABLE.sortKey,
      timeToLiveAttribute: MONITOR_STATUS_TABLE.ttl,
    });
    this.evaluatorFunction = new WaggleFunction(this, 'Function', {
      entry: 'lambdas/monitor-evaluator/handler.ts',
      serviceName: SERVICE_NAME,
      description: `Waggle monitor evaluator (${dataPlane.name}): monitors over per-minute rollups`,
      // Each Athena statement gets 40 s; a run ends before the next minute's.
      timeout: Duration.seconds(55),
      memorySize: 512,
      logLevel: dataPlane.logLevel,
      roleName: monitorEvaluatorRoleName(dataPlane),
      environment: environmentForMonitorEvaluator({
        SYNC_STATE_TABLE_NAME: props.syncController.stateTable.tableName,
        ATHENA_WORKGROUP: props.eventTables.workGroupName,
        GLUE_DATABASE: props.eventTables.databaseName,
        MONITOR_STATUS_TABLE_NAME: this.statusTable.table.tableName,
        NOTIFICATION_QUEUE_URL: notificationQueueUrl(controlPlane, urlSuffixOf(this)),
        NOTIFICATION_QUEUE_REGION: controlPlane.region,
      }),
    });
    const role = this.evaluatorFunction.role;
    props.syncController.grantReadSyncedConfig(role);
    props.eventStore.grantReadRollups(role);
    props.eventTables.grantQuery(role);
    grantTableAndKey(this, role, {
      sid: 'ReadWriteMonitorStates',
      actions: ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
      resources: [this.statusTable.table.tableArn],
      keySid: 'UseMonitorStatesKey',
      keyActions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      keyArn: this.statusTable.key.keyArn,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'QueueNotifications',
        actions: ['sqs:SendMessage'],
        resources: [notificationQueueArn(controlPlane, partition)],
      }),
    );

    // Its own role (not the stack's shared scheduler role), so its one finding is acknowledged here.
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      description: `Invokes the monitor evaluator of data plane ${dataPlane.name}`,
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: `Monitor evaluation of data plane ${dataPlane.name}`,
      schedule: ScheduleExpression.rate(props.interval ?? Duration.minutes(1)),
      target: new LambdaInvoke(this.evaluatorFunction.function, {
        // The execution id rides along: the run's log lines carry it as their correlation id.
        input: ScheduleTargetInput.fromObject({ kind: 'monitors', id: ContextAttribute.executionId }),
        retryAttempts: 0,
        maxEventAge: Duration.minutes(1),
        role: scheduleRole,
      }),
    });
    const functionArn = `<${Stack.of(this).getLogicalId(this.evaluatorFunction.function.node.defaultChild as CfnFunction)}.Arn>`;
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${functionArn}:*]`,
      reason:
        'grantInvoke names the function and its versions (ARN:*); the role may invoke only this function.',
    });
    // No retry: the next minute's run evaluates again from the rollups.
    this.failedRuns = new FailedRuns(this, 'FailedRuns', {
      function: this.evaluatorFunction,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    });
    this.failuresAlarm = aboveZeroAlarm(this, 'FailuresAlarm', {
      alarmDescription: `Monitors of data plane ${dataPlane.name} could not be evaluated for 15 minutes (Athena, the state table or the control plane's delivery queue): see docs/operations.md, "Monitors".`,
      metric: new Metric({
        namespace: WAGGLE_METRICS_NAMESPACE,
        metricName: 'MonitorEvaluationsFailed',
        dimensionsMap: { service: SERVICE_NAME },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      evaluationPeriods: 3,
    });
  }
}
