/**
 * RateLimiter on a DynamoDB table shared by a fleet of function instances. One item per key and
 * window (partition key `pk`, string), counted with an atomic ADD, so concurrent instances never
 * lose a hit. Items carry a TTL attribute (`expiresAt`, epoch seconds) so the table empties itself;
 * TTL deletion is lazy, but an old window's item is never read again because the window is in `pk`.
 * Keys are stored hashed: a counter keyed by client IP should not keep the IP.
 */
import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  currentWindow,
  type RateDecision,
  type RateLimiter,
  type RateLimitPolicy,
} from '../../domain/auth/rate-limit';

export const RATE_LIMIT_TABLE = { partitionKey: 'pk', ttlAttribute: 'expiresAt' } as const;

interface DynamoRateLimiterOptions {
  clock?: () => number;
}

export class DynamoRateLimiter implements RateLimiter {
  private readonly clock: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoRateLimiterOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async hit(key: string, policy: RateLimitPolicy): Promise<RateDecision> {
    const window = currentWindow(this.clock(), policy.windowMs);
    const response = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { [RATE_LIMIT_TABLE.partitionKey]: { S: itemKey(key, window.start) } },
        UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': RATE_LIMIT_TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':one': { N: '1' },
          ':ttl': { N: String(Math.ceil((window.start + policy.windowMs) / 1000)) },
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Number(response.Attributes?.count?.N);
    // No count back means we cannot know; refuse rather than guess.
    if (!Number.isFinite(count)) throw new Error('rate limiter update returned no count');
    return { allowed: count <= policy.limit, retryAfterSeconds: window.retryAfterSeconds };
  }

  async peek(key: string, policy: RateLimitPolicy): Promise<RateDecision> {
    const window = currentWindow(this.clock(), policy.windowMs);
    const response = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [RATE_LIMIT_TABLE.partitionKey]: { S: itemKey(key, window.start) } },
        ProjectionExpression: '#count',
        ExpressionAttributeNames: { '#count': 'count' },
        // A client just pushed over the limit by another instance must be seen over it.
        ConsistentRead: true,
      }),
    );
    const count = response.Item ? Number(response.Item.count?.N) : 0;
    if (!Number.isFinite(count)) throw new Error('rate limiter item has no numeric count');
    return { allowed: count < policy.limit, retryAfterSeconds: window.retryAfterSeconds };
  }
}

function itemKey(key: string, windowStart: number): string {
  return `${createHash('sha256').update(key, 'utf8').digest('hex')}#${windowStart}`;
}
