import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { SYNC_STATE_TABLE } from '../../lambdas/adapters/aws/dynamo-config-store';
import { environmentForDataPlaneController } from '../../lambdas/data-plane-controller/environment';
import { createCustomerKey, createKeptTable, grantTableAndKey } from '../common/customer-key';
import { WaggleFunction } from '../common/waggle-function';
import type { ControlPlaneConfig, DataPlaneConfig } from '../config/deployment-config';
import { controlPlaneJwksUrl } from '../config/sync-names';
import { Inbox } from './inbox';
import type { KeyRegistry } from './key-registry';

interface SyncControllerProps {
  readonly dataPlane: DataPlaneConfig;
  readonly controlPlane: ControlPlaneConfig;
  readonly keyRegistry: KeyRegistry;
}

/** The controller's timeout; the inbox's visibility timeout is six times it. */
const CONTROLLER_TIMEOUT = Duration.seconds(30);

/**
 * The data plane's side of the config sync: the inbox queue, the controller function that opens each
 * signed message (keys from the control plane's JWKS) and applies it, and the sync-state table
 * (projects, evaluators, prompts, alerts and the applied version of every entity). API keys go to the
 * key registry. The check-then-write of one entity must never interleave: the inbox is a FIFO queue
 * with one message group, so Lambda runs at most one batch of it at a time, in order. No reserved
 * concurrency: it does not serialize an SQS event source, and cannot be set on a small account.
 */
export class SyncController extends Construct {
  readonly inbox: Inbox;
  readonly stateTable: Table;
  readonly stateKey: Key;
  readonly controllerFunction: WaggleFunction;

  constructor(scope: Construct, id: string, props: SyncControllerProps) {
    super(scope, id);
    const { dataPlane, controlPlane, keyRegistry } = props;

    this.inbox = new Inbox(this, 'Inbox', {
      dataPlane,
      controlPlane,
      visibilityTimeout: Duration.seconds(CONTROLLER_TIMEOUT.toSeconds() * 6),
    });

    this.stateKey = createCustomerKey(this, 'StateKey', 'Waggle sync state: encrypts synced config');
    // Reconciliation can rebuild it from the control plane, but slowly: keep it.
    this.stateTable = createKeptTable(this, 'StateTable', this.stateKey, SYNC_STATE_TABLE);

    this.controllerFunction = new WaggleFunction(this, 'Controller', {
      entry: 'lambdas/data-plane-controller/handler.ts',
      serviceName: 'waggle-data-plane-controller',
      description: `Waggle data-plane controller (${dataPlane.name}): applies signed config from the control plane`,
      timeout: CONTROLLER_TIMEOUT,
      logLevel: dataPlane.logLevel,
      environment: environmentForDataPlaneController({
        DATA_PLANE_ID: dataPlane.name,
        CONTROL_PLANE_JWKS_URL: controlPlaneJwksUrl(controlPlane),
        KEY_TABLE_NAME: keyRegistry.table.tableName,
        SYNC_STATE_TABLE_NAME: this.stateTable.tableName,
      }),
    });
    const role = this.controllerFunction.role;
    keyRegistry.grantWriteKeys(role);
    grantTableAndKey(this, role, {
      sid: 'ReadWriteSyncState',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      resources: [this.stateTable.tableArn],
      keySid: 'EncryptSyncState',
      keyActions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      keyArn: this.stateKey.keyArn,
    });
    // The event source adds receive/delete on the queue and decrypt on its key.
    this.controllerFunction.function.addEventSource(
      // No batching window: FIFO event sources do not support one (a message is picked up at once).
      new SqsEventSource(this.inbox.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
  }

  /**
   * Read the synced config (configurations, tools, projects: `DynamoConfigStore` on
   * SYNC_STATE_TABLE_NAME): GetItem and Query on the state table, kms:Decrypt on its key through
   * DynamoDB. Never a write: the controller owns the table. For the configurations function and the proxy.
   */
  grantReadSyncedConfig(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'ReadSyncedConfig',
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: [this.stateTable.tableArn],
      keySid: 'DecryptSyncedConfig',
      keyActions: ['kms:Decrypt'],
      keyArn: this.stateKey.keyArn,
    });
  }
}
