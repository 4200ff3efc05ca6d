import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PENDING_UPDATES_TABLE } from '../../lambdas/adapters/aws/dynamo-pending-updates';
import { createCustomerKey, createKeptTable, viaService } from '../common/customer-key';
import type { WaggleFunction } from '../common/waggle-function';

/**
 * Updates that arrived before their event (lambdas/adapters/aws/dynamo-pending-updates.ts): the
 * writer keeps them here instead of retrying, folds them into their event when it writes it, and
 * the query function merges the ones not folded yet. Items hold accepted data (patches can carry
 * outputs), so: a customer-managed key, point-in-time recovery, RETAIN, and no TTL.
 */
export class PendingUpdates extends Construct {
  readonly table: Table;
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = createCustomerKey(
      this,
      'Key',
      'Waggle pending updates: encrypts updates waiting for their event',
    );
    this.table = createKeptTable(this, 'Table', this.key, PENDING_UPDATES_TABLE);
  }

  /** The writer: keeps, finds and forgets pending updates (EventWriter puts the table name in its environment). */
  attachWriter(writer: WaggleFunction): void {
    writer.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'KeepAndFoldPendingUpdates',
        actions: ['dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
        resources: [this.table.tableArn],
      }),
    );
    writer.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'EncryptPendingUpdates',
        actions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: viaService(this, 'dynamodb'),
      }),
    );
  }

  /** The query function: reads pending updates to merge them into what it returns (QueryApi sets the name). */
  attachReader(reader: WaggleFunction): void {
    reader.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadPendingUpdates',
        actions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
        resources: [this.table.tableArn],
      }),
    );
    reader.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DecryptPendingUpdates',
        actions: ['kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: viaService(this, 'dynamodb'),
      }),
    );
  }
}
