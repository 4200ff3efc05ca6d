import { Duration } from 'aws-cdk-lib';
import {
  AccountPrincipal,
  AnyPrincipal,
  Effect,
  type IGrantable,
  PolicyStatement,
} from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../lambdas/domain/queue-limits';
import { environmentForHeartbeatReceiver } from '../../lambdas/heartbeat-receiver/environment';
import { allowCrossAccountSqsSenders, kmsQueueEncryption } from '../common/cross-account-queue-key';
import { createCustomerKey, grantTableAndKey } from '../common/customer-key';
import { partitionOf } from '../common/partition';
import { WaggleFunction } from '../common/waggle-function';
import type { ControlPlaneConfig, DataPlaneConfig, LogLevel } from '../config/deployment-config';
import { heartbeatKeyAlias, heartbeatQueueName, heartbeatSenderRoleArn } from '../config/sync-names';
import type { ControlPlaneTable } from './control-plane-table';

interface HeartbeatsProps {
  readonly controlPlane: ControlPlaneConfig;
  readonly dataPlanes: readonly DataPlaneConfig[];
  readonly table: ControlPlaneTable;
  readonly logLevel?: LogLevel;
}

const RECEIVER_TIMEOUT = Duration.seconds(30);

/**
 * The data planes' channel back to the control plane: one heartbeat queue per data plane (names from
 * the config, sync-names), whose resource policy lets only that data plane's sender role (a fixed
 * name in its account) send, and denies SendMessage to every other principal. The receiver stores
 * each data plane's newest report in the control-plane table (partition SYNC#<id>); the data plane a
 * report is about is the queue it came through, and a body naming another one is refused. Reports
 * are not signed (a data plane holds no signing key): the queue policy is the authentication.
 */
export class Heartbeats extends Construct {
  readonly queues: Map<string, Queue> = new Map();
  readonly deadLetterQueue: Queue;
  readonly key: Key;
  readonly receiverFunction: WaggleFunction;
  private readonly table: ControlPlaneTable;

  constructor(scope: Construct, id: string, props: HeartbeatsProps) {
    super(scope, id);
    const { controlPlane, dataPlanes, table } = props;
    this.table = table;

    this.key = createCustomerKey(this, 'Key', 'Waggle heartbeats: encrypts health reports from data planes');
    this.key.addAlias(heartbeatKeyAlias(controlPlane));
    const partition = partitionOf(this);
    const senders = dataPlanes.map((dataPlane) => heartbeatSenderRoleArn(dataPlane, partition));
    if (dataPlanes.length > 0)
      allowCrossAccountSqsSenders(this.key, {
        sid: 'DataPlanesSendThroughSqs',
        accounts: dataPlanes.map((dataPlane) => dataPlane.account),
        region: controlPlane.region,
        senderArns: senders,
      });

    const encryption = kmsQueueEncryption(this.key);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      ...encryption,
      queueName: `waggle-cp-heartbeats-${controlPlane.region}-dlq`,
      retentionPeriod: Duration.days(14),
    });

    this.receiverFunction = new WaggleFunction(this, 'Receiver', {
      entry: 'lambdas/heartbeat-receiver/handler.ts',
      serviceName: 'waggle-heartbeat-receiver',
      description: 'Waggle heartbeat receiver: stores the newest report of each data plane',
      timeout: RECEIVER_TIMEOUT,
      logLevel: props.logLevel,
      environment: environmentForHeartbeatReceiver({
        CONTROL_PLANE_TABLE_NAME: table.table.tableName,
        HEARTBEAT_QUEUES: JSON.stringify(
          Object.fromEntries(dataPlanes.map((dataPlane) => [heartbeatQueueName(dataPlane), dataPlane.name])),
        ),
      }),
    });
    this.grantReports(this.receiverFunction.role, ['dynamodb:PutItem'], 'WriteHeartbeats', true);

    dataPlanes.forEach((dataPlane, index) => {
      const sender = heartbeatSenderRoleArn(dataPlane, partition);
      const queue = new Queue(this, `Queue${index}`, {
        ...encryption,
        queueName: heartbeatQueueName(dataPlane),
        // Only the newest report matters; an hour-old heartbeat is worth little.
        retentionPeriod: Duration.hours(1),
        visibilityTimeout: Duration.seconds(RECEIVER_TIMEOUT.toSeconds() * 6),
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT },
      });
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: 'DataPlaneSends',
          effect: Effect.ALLOW,
          principals: [new AccountPrincipal(dataPlane.account)],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnEquals: { 'aws:PrincipalArn': sender } },
        }),
      );
      queue.addToResourcePolicy(
        new PolicyStatement({
          sid: 'OnlyDataPlaneSends',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['sqs:SendMessage'],
          resources: [queue.queueArn],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': sender } },
        }),
      );
      this.receiverFunction.function.addEventSource(
        new SqsEventSource(queue, { batchSize: 10, reportBatchItemFailures: true }),
      );
      this.queues.set(dataPlane.name, queue);
    });
  }

  /** The reconciliation reads the stored reports (GetItem on the SYNC# partitions only). */
  grantReadReports(grantee: IGrantable): void {
    this.grantReports(grantee, ['dynamodb:GetItem'], 'ReadHeartbeats', false);
  }

  private grantReports(grantee: IGrantable, actions: string[], sid: string, write: boolean): void {
    const { table } = this;
    grantTableAndKey(this, grantee, {
      sid,
      actions,
      resources: [table.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SYNC#*'] } },
      keySid: `${sid}Key`,
      keyActions: write ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      keyArn: table.key.keyArn,
    });
  }
}
