import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { type Alarm, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { EventField, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { environmentForHeartbeatSender } from '../../lambdas/heartbeat-sender/environment';
import { grantTableAndKey } from '../common/customer-key';
import { FailedRuns } from '../common/failed-runs';
import { aboveZeroAlarm } from '../common/failure-queue-alarm';
import { partitionOf, urlSuffixOf } from '../common/partition';
import { WAGGLE_METRICS_NAMESPACE, WaggleFunction } from '../common/waggle-function';
import type { ControlPlaneConfig, DataPlaneConfig } from '../config/deployment-config';
import {
  heartbeatKeyAlias,
  heartbeatQueueArn,
  heartbeatQueueUrl,
  heartbeatSenderRoleName,
} from '../config/sync-names';

/** Powertools' service name, also the `service` dimension of the sender's metrics. */
const SERVICE_NAME = 'waggle-heartbeat-sender';

interface HeartbeatSenderProps {
  readonly dataPlane: DataPlaneConfig;
  readonly controlPlane: ControlPlaneConfig;
  /** The ingest API's base URL, reported as the data plane's endpoint. */
  readonly endpoint: string;
  readonly eventsQueue: IQueue;
  /** Dead-letter queues whose depth is reported as errors. */
  readonly deadLetterQueues: readonly IQueue[];
  readonly stateTable: { tableArn: string; tableName: string };
  readonly stateKeyArn: string;
  readonly interval?: Duration;
}

/**
 * The data plane's heartbeats: a function whose role has a fixed name (the control plane's queue
 * policy names it) runs every minute: it registers (account, region, endpoint, hosting model) until a
 * registration gets through, then sends heartbeats. Nothing calls the control plane during the
 * deploy, so a data plane deploys whether or not its control plane exists or lists it yet.
 * Health figures only: queue depths, dead-letter counts, the applied seq and digest. No reserved
 * concurrency: two overlapping runs are harmless (the receiver keeps the newest report by sentAt),
 * and a reservation cannot be made on an account whose concurrency quota is 10.
 */
export class HeartbeatSender extends Construct {
  readonly senderFunction: WaggleFunction;
  readonly schedule: Rule;
  /** The sender has not got a registration through for 30 minutes: the control plane is missing or does not list this plane. */
  readonly unregisteredAlarm: Alarm;
  /** Heartbeats that could not be sent (a registered plane whose control plane went away). */
  readonly failedRuns: FailedRuns;

  constructor(scope: Construct, id: string, props: HeartbeatSenderProps) {
    super(scope, id);
    const { dataPlane, controlPlane } = props;
    const partition = partitionOf(this);
    const urlSuffix = urlSuffixOf(this);

    this.senderFunction = new WaggleFunction(this, 'Function', {
      entry: 'lambdas/heartbeat-sender/handler.ts',
      serviceName: SERVICE_NAME,
      description: `Waggle heartbeat sender (${dataPlane.name}): health figures to the control plane`,
      timeout: Duration.seconds(30),
      logLevel: dataPlane.logLevel,
      roleName: heartbeatSenderRoleName(dataPlane),
      environment: environmentForHeartbeatSender({
        DATA_PLANE_ID: dataPlane.name,
        DATA_PLANE_ACCOUNT: dataPlane.account,
        DATA_PLANE_REGION: dataPlane.region,
        DATA_PLANE_ENDPOINT: props.endpoint,
        HOSTING_MODEL: dataPlane.hostingModel,
        HEARTBEAT_QUEUE_URL: heartbeatQueueUrl(controlPlane, dataPlane, urlSuffix),
        HEARTBEAT_QUEUE_REGION: controlPlane.region,
        EVENTS_QUEUE_URL: props.eventsQueue.queueUrl,
        DEAD_LETTER_QUEUE_URLS: Stack.of(this).toJsonString(props.deadLetterQueues.map((q) => q.queueUrl)),
        SYNC_STATE_TABLE_NAME: props.stateTable.tableName,
      }),
    });
    const role = this.senderFunction.role;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendHeartbeats',
        actions: ['sqs:SendMessage'],
        resources: [heartbeatQueueArn(controlPlane, dataPlane, partition)],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EncryptHeartbeats',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [`arn:${partition}:kms:${controlPlane.region}:${controlPlane.account}:key/*`],
        conditions: {
          StringEquals: { 'kms:ViaService': `sqs.${controlPlane.region}.${urlSuffix}` },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': heartbeatKeyAlias(controlPlane) },
        },
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:${controlPlane.region}:${controlPlane.account}:key/*]`,
      reason: `The heartbeat key lives in the control plane's account ${controlPlane.account}, so its key id is unknown here; the statement only allows SQS (kms:ViaService) to use a key carrying the alias ${heartbeatKeyAlias(controlPlane)}, and that key's policy must also name this role.`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadQueueDepths',
        actions: ['sqs:GetQueueAttributes'],
        resources: [props.eventsQueue, ...props.deadLetterQueues].map((queue) => queue.queueArn),
      }),
    );
    grantTableAndKey(this, role, {
      sid: 'ReadAppliedState',
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: [props.stateTable.tableArn],
      keySid: 'DecryptAppliedState',
      keyActions: ['kms:Decrypt'],
      keyArn: props.stateKeyArn,
    });

    this.schedule = new Rule(this, 'Schedule', {
      description: `Heartbeat of data plane ${dataPlane.name} to the control plane`,
      schedule: Schedule.rate(props.interval ?? Duration.minutes(1)),
      targets: [
        new LambdaFunction(this.senderFunction.function, {
          // The event's id rides along: the run's log lines carry it as their correlation id.
          event: RuleTargetInput.fromObject({ kind: 'heartbeat', id: EventField.eventId }),
          retryAttempts: 0,
        }),
      ],
    });

    // No retry: the next minute's run sends a fresh heartbeat anyway.
    this.failedRuns = new FailedRuns(this, 'FailedRuns', {
      function: this.senderFunction,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
    });
    this.unregisteredAlarm = aboveZeroAlarm(this, 'UnregisteredAlarm', {
      alarmDescription: `Data plane ${dataPlane.name} has not registered with its control plane (${controlPlane.account}/${controlPlane.region}) for 30 minutes: deploy the control plane, or add this data plane to its deployment config and redeploy it.`,
      metric: new Metric({
        namespace: WAGGLE_METRICS_NAMESPACE,
        metricName: 'Unregistered',
        dimensionsMap: { service: SERVICE_NAME },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      evaluationPeriods: 6,
    });
  }
}
