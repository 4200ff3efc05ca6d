import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { PROXY_LIMITS_TABLE } from '../../lambdas/adapters/aws/dynamo-proxy-guards';
import { RESPONSE_CACHE_TABLE } from '../../lambdas/adapters/aws/dynamo-response-cache';
import type { ProxyGuardInput } from '../../lambdas/config/proxy-guards';
import { createCustomerKey, grantTableAndKey } from '../common/customer-key';

/**
 * The LLM proxy's budgets, rate limits and response cache (docs/providers.md, "Budgets, rate
 * limits and the response cache"): two DynamoDB tables with TTL (`expiresAt`) and one customer key.
 *
 * - `limitsTable`: each project's limits document (set through the provider-keys function's
 *   /v1/proxy-limits routes, never expires) and the usage counters (one item per project or
 *   credential and period, expiring a day after it). Point-in-time recovery and RETAIN: losing it
 *   loses the limits admins set, and with them the spending guard.
 * - `cacheTable`: cached completions, gzip-compressed, expiring after their TTL. They are model
 *   answers to customers' prompts, hence the customer key; PITR as every Waggle table; DESTROY,
 *   since every item is disposable by design.
 */
export class ProxyLimits extends Construct {
  readonly limitsTable: Table;
  readonly cacheTable: Table;
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = createCustomerKey(
      this,
      'Key',
      "Waggle proxy limits: encrypts the LLM proxy's limits, usage counters and cached answers",
    );
    this.limitsTable = this.ttlTable('LimitsTable', PROXY_LIMITS_TABLE, RemovalPolicy.RETAIN);
    this.cacheTable = this.ttlTable('CacheTable', RESPONSE_CACHE_TABLE, RemovalPolicy.DESTROY);
  }

  /** { PROXY_LIMITS_TABLE_NAME, RESPONSE_CACHE_TABLE_NAME } for the proxy (PROXY_GUARD_VARIABLES). */
  environment(): ProxyGuardInput {
    return {
      PROXY_LIMITS_TABLE_NAME: this.limitsTable.tableName,
      RESPONSE_CACHE_TABLE_NAME: this.cacheTable.tableName,
    };
  }

  /**
   * The proxy: read a project's limits (GetItem) and reserve, settle and give back usage counters
   * (UpdateItem, conditional ADD).
   */
  grantAdmit(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'AdmitProxyCalls',
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: [this.limitsTable.tableArn],
      keySid: 'EncryptProxyCounters',
      keyActions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }

  /** The proxy: read and store cached completions (GetItem, PutItem). */
  grantReadWriteCache(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'ReadWriteResponseCache',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [this.cacheTable.tableArn],
      keySid: 'EncryptResponseCache',
      keyActions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }

  /** The provider-keys function: read and replace projects' limits documents (GetItem, PutItem). */
  grantManageLimits(grantee: IGrantable): void {
    grantTableAndKey(this, grantee, {
      sid: 'ManageProxyLimits',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [this.limitsTable.tableArn],
      keySid: 'EncryptProxyLimits',
      keyActions: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
      keyArn: this.key.keyArn,
    });
  }

  private ttlTable(
    id: string,
    keys: { partitionKey: string; ttlAttribute: string },
    removalPolicy: RemovalPolicy,
  ): Table {
    return new Table(this, id, {
      partitionKey: { name: keys.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: keys.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
  }
}
