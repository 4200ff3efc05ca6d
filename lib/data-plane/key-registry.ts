import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { grantTableAndKey, KeptTableWithKey } from '../common/customer-key';

/**
 * The data plane's registry of API keys: SHA-256 of the key -> org, workspace, project, scopes,
 * revoked. Ingest reads it on every cache miss; the control plane fills it (a later issue).
 * Losing it locks every client out, hence point-in-time recovery, deletion protection and RETAIN.
 */
export class KeyRegistry extends KeptTableWithKey {
  constructor(scope: Construct, id: string) {
    super(scope, id, 'Waggle key registry: encrypts API key hashes and their grants', {
      partitionKey: 'keyHash',
      deletionProtection: true,
    });
  }

  /** Lets the grantee look up one key hash: GetItem only, decrypting through DynamoDB only. */
  grantLookUpKeys(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'LookUpApiKeys',
      actions: ['dynamodb:GetItem'],
      resources: [this.table.tableArn],
      keySid: 'DecryptApiKeys',
      keyActions: ['kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }

  /** Lets the grantee (the sync controller) write key records: PutItem only, encrypting through DynamoDB only. */
  grantWriteKeys(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'WriteApiKeys',
      actions: ['dynamodb:PutItem'],
      resources: [this.table.tableArn],
      keySid: 'EncryptApiKeys',
      keyActions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }
}
