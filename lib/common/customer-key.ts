import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
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

interface KeptTableProps {
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** For the tables whose loss locks every client out (the key registry, the control-plane table). */
  readonly deletionProtection?: boolean;
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
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
