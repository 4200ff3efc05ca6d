import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { urlSuffixOf } from './partition';

/**
 * A customer-managed KMS key as every Waggle store uses one: yearly rotation, and RETAIN, since
 * deleting the key would make everything it encrypted unreadable. Created in `scope` under `id`, so
 * the caller keeps its logical id.
 */
export function createCustomerKey(scope: Construct, id: string, description: string): Key {
  return new Key(scope, id, { description, enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
}

/**
 * The condition that limits a key statement to calls made by `service` (s3, sqs, dynamodb) on the
 * caller's behalf in the stack's region: the grantee cannot use the key directly.
 */
export function viaService(scope: Construct, service: 's3' | 'sqs' | 'dynamodb') {
  return { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(scope).region}.${urlSuffixOf(scope)}` } };
}

/** Two statements: actions on a DynamoDB table's items, and on its customer key through DynamoDB only. */
export interface TableGrant {
  readonly sid: string;
  readonly actions: string[];
  /** The table, and any of its indexes. */
  readonly resources: string[];
  readonly conditions?: Record<string, unknown>;
  readonly keySid: string;
  /** kms:Decrypt to read; kms:Encrypt and kms:GenerateDataKey too to write. */
  readonly keyActions: string[];
  readonly keyArn: string;
}

/** Adds a TableGrant's two statements to the grantee's policy, the table's first. */
export function grantTableAndKey(scope: Construct, grantee: IGrantable, grant: TableGrant): void {
  const { sid, actions, resources, conditions } = grant;
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ sid, actions, resources, conditions }));
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: grant.keySid,
      actions: grant.keyActions,
      resources: [grant.keyArn],
      conditions: viaService(scope, 'dynamodb'),
    }),
  );
}

/**
 * One action on a key that wraps secrets' data keys (Encryption SDK envelope, called directly, not
 * through a service), allowed only under the encryption context `purpose`.
 */
export function grantSecretsKey(
  grantee: IGrantable,
  sid: string,
  action: string,
  keyArn: string,
  purpose: string,
): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid,
      actions: [action],
      resources: [keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:purpose': purpose } },
    }),
  );
}

export interface KeptTableProps {
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** For the tables whose loss locks every client out (the key registry, the control-plane table). */
  readonly deletionProtection?: boolean;
  /** An attribute of epoch seconds after which DynamoDB deletes the item (items without it stay). */
  readonly timeToLiveAttribute?: string;
}

/**
 * A DynamoDB table of records Waggle keeps: string keys, on demand, encrypted with `key` (a
 * customer key), point-in-time recovery, and RETAIN. Created in `scope` under `id`.
 */
export function createKeptTable(scope: Construct, id: string, key: Key, props: KeptTableProps): Table {
  return new Table(scope, id, {
    partitionKey: { name: props.partitionKey, type: AttributeType.STRING },
    ...(props.sortKey !== undefined && { sortKey: { name: props.sortKey, type: AttributeType.STRING } }),
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...(props.deletionProtection && { deletionProtection: true }),
    ...(props.timeToLiveAttribute !== undefined && { timeToLiveAttribute: props.timeToLiveAttribute }),
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** A construct of one kept table (createKeptTable) and its own customer key, under the ids Key and Table. */
export class KeptTableWithKey extends Construct {
  readonly table: Table;
  readonly key: Key;

  constructor(scope: Construct, id: string, keyDescription: string, props: KeptTableProps) {
    super(scope, id);
    this.key = createCustomerKey(this, 'Key', keyDescription);
    this.table = createKeptTable(this, 'Table', this.key, props);
  }
}
