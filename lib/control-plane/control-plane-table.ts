import { AttributeType, ProjectionType } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { CONTROL_PLANE_TABLE } from '../../lambdas/adapters/aws/control-plane-store';
import { grantTableAndKey, KeptTableWithKey } from '../common/customer-key';

/**
 * The control plane's one DynamoDB table (lambdas/adapters/aws/control-plane-store.ts): organizations,
 * workspaces, projects, memberships, API key hashes and name claims, with the sparse `by-user` index,
 * plus the per-data-plane sync sequence counters and the notification log (NOTIFY# partitions, TTL). Point-in-time recovery, a customer key, deletion
 * protection and RETAIN: it is the source of truth for every tenant.
 */
export class ControlPlaneTable extends KeptTableWithKey {
  constructor(scope: Construct, id: string) {
    const { partitionKey, sortKey, userIndex, ttlAttribute } = CONTROL_PLANE_TABLE;
    super(scope, id, 'Waggle control-plane store: encrypts organizations, members and API key hashes', {
      partitionKey,
      sortKey,
      deletionProtection: true,
      // Only notification-log entries carry it (30 days); records never expire.
      timeToLiveAttribute: ttlAttribute,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: userIndex.name,
      partitionKey: { name: userIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: userIndex.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }

  private indexArn(): string {
    return `${this.table.tableArn}/index/${CONTROL_PLANE_TABLE.userIndex.name}`;
  }

  /** Reads records and a user's memberships: GetItem and Query (table and the by-user index). */
  grantReadRecords(grantee: IGrantable): void {
    this.grant(grantee, 'ReadControlPlane', ['dynamodb:GetItem', 'dynamodb:Query'], false);
  }

  /** The control-plane API: reads, conditional writes and deletes, and the sync sequence counters. */
  grantReadWriteRecords(grantee: IGrantable): void {
    this.grant(
      grantee,
      'ReadWriteControlPlane',
      [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:UpdateItem',
      ],
      true,
    );
  }

  /** The reconciliation: scans every project and key, and takes sync sequence numbers (UpdateItem ADD). */
  grantScanAndSequence(grantee: IGrantable): void {
    this.grant(grantee, 'ScanControlPlane', ['dynamodb:Scan', 'dynamodb:UpdateItem'], true);
  }

  private grant(grantee: IGrantable, sid: string, actions: string[], write: boolean): void {
    grantTableAndKey(this, grantee, {
      sid,
      actions,
      resources: [this.table.tableArn, this.indexArn()],
      keySid: `${sid}Key`,
      keyActions: write ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }
}
