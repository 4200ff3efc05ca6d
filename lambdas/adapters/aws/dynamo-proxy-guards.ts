/**
 * The proxy's limits and usage counters on one DynamoDB table (partition key `pk`, string; TTL
 * attribute `expiresAt`, epoch seconds), on AWS and, through dynalite, on the local platform:
 *
 * - a project's limits: pk `limits#<org>:<workspace>:<project>` (ids percent-encoded), the document
 *   as JSON, who set it and when; never expires.
 * - a usage counter: pk `usage#<counter name>`, a number `amount` and `expiresAt` (a day after its
 *   period), so old periods empty themselves. TTL deletion is lazy, but a past period's counter is
 *   never read again: the period is in its name.
 *
 * A reservation is one UpdateItem: `ADD amount` with the condition "missing or below the limit",
 * which DynamoDB applies atomically per item; there are no transactions (dynalite has none).
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ProjectTenant } from '../../domain/providers/resolve';
import { tenantKey } from '../../domain/proxy/admission';
import type { ProxyLimitsStore, UsageCounters } from '../../domain/proxy/limit-ports';
import { parseProxyLimits, type StoredProxyLimits } from '../../domain/proxy/limits';

export const PROXY_LIMITS_TABLE = { partitionKey: 'pk', ttlAttribute: 'expiresAt' } as const;

/** DynamoDB's limit on a partition key value is 2,048 bytes; longer counter names are hashed. */
const MAX_PARTITION_KEY_BYTES = 2048;

export class DynamoProxyLimitsStore implements ProxyLimitsStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(tenant: ProjectTenant): Promise<StoredProxyLimits | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: limitsKey(tenant) } },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const updatedAt = Number(Item.updatedAt?.N);
    const updatedBy = Item.updatedBy?.S;
    const json = Item.limits?.S;
    if (json === undefined || updatedBy === undefined || !Number.isFinite(updatedAt)) {
      throw new Error('proxy limits item is malformed');
    }
    // Read back through the same parser that let it in: what is enforced was once valid input. A
    // stored document that no longer reads is the operator's problem, not the caller's (no 400).
    try {
      return { limits: parseProxyLimits(JSON.parse(json)), updatedAt, updatedBy };
    } catch (error) {
      throw new Error(`proxy limits item is malformed: ${(error as Error).message}`);
    }
  }

  async put(tenant: ProjectTenant, stored: StoredProxyLimits): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: limitsKey(tenant) },
          limits: { S: JSON.stringify(stored.limits) },
          updatedAt: { N: String(stored.updatedAt) },
          updatedBy: { S: stored.updatedBy },
        },
      }),
    );
  }
}

export class DynamoUsageCounters implements UsageCounters {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async reserve(counter: string, amount: number, limit: number, expiresAt: number): Promise<boolean> {
    // A missing counter is 0, and 0 is not below a limit of 0: refuse without a write.
    if (limit <= 0) return false;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: counterKey(counter) } },
          UpdateExpression: 'ADD #amount :amount SET #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#amount) OR #amount < :limit',
          ExpressionAttributeNames: { '#amount': 'amount', '#ttl': PROXY_LIMITS_TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':amount': { N: String(amount) },
            ':limit': { N: String(limit) },
            ':ttl': { N: String(expiresAt) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async add(counter: string, amount: number, expiresAt: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: counterKey(counter) } },
        UpdateExpression: 'ADD #amount :amount SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#amount': 'amount', '#ttl': PROXY_LIMITS_TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':amount': { N: String(amount) },
          ':ttl': { N: String(expiresAt) },
        },
      }),
    );
  }

  /** The counter's value (0 when missing), read consistently: for tests and usage views. */
  async read(counter: string): Promise<number> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { pk: { S: counterKey(counter) } },
        ConsistentRead: true,
      }),
    );
    return Item ? Number(Item.amount?.N ?? 0) : 0;
  }
}

function limitsKey(tenant: ProjectTenant): string {
  return `limits#${tenantKey(tenant)}`;
}

function counterKey(counter: string): string {
  const key = `usage#${counter}`;
  return Buffer.byteLength(key, 'utf8') <= MAX_PARTITION_KEY_BYTES
    ? key
    : `usage#sha256:${createHash('sha256').update(counter, 'utf8').digest('hex')}`;
}
