import type { Construct } from 'constructs';
import { PENDING_UPDATES_TABLE } from '../../lambdas/adapters/aws/dynamo-pending-updates';
import { grantTableAndKey, KeptTableWithKey } from '../common/customer-key';
import type { WaggleFunction } from '../common/waggle-function';

/**
 * Updates that arrived before their event (lambdas/adapters/aws/dynamo-pending-updates.ts): the
 * writer keeps them here instead of retrying, folds them into their event when it writes it, and
 * the query function merges the ones not folded yet. Items hold accepted data (patches can carry
 * outputs), so: a customer-managed key, point-in-time recovery, RETAIN, and no TTL.
 */
export class PendingUpdates extends KeptTableWithKey {
  constructor(scope: Construct, id: string) {
    super(
      scope,
      id,
      'Waggle pending updates: encrypts updates waiting for their event',
      PENDING_UPDATES_TABLE,
    );
  }

  /** The writer: keeps, finds and forgets pending updates (EventWriter puts the table name in its environment). */
  attachWriter(writer: WaggleFunction): void {
    grantTableAndKey(this, writer.role, {
      sid: 'KeepAndFoldPendingUpdates',
      actions: ['dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
      resources: [this.table.tableArn],
      keySid: 'EncryptPendingUpdates',
      keyActions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }

  /** The query function: reads pending updates to merge them into what it returns (QueryApi sets the name). */
  attachReader(reader: WaggleFunction): void {
    grantTableAndKey(this, reader.role, {
      sid: 'ReadPendingUpdates',
      actions: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
      resources: [this.table.tableArn],
      keySid: 'DecryptPendingUpdates',
      keyActions: ['kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }
}
