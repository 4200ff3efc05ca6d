/**
 * The proxy's exact-match response cache on a DynamoDB table (partition key `pk`, string; TTL
 * attribute `expiresAt`, epoch seconds). One item per project and key: pk `<org>:<workspace>:<project>#<key>`
 * (ids percent-encoded), so one project never reads another's answers even with the same key. The
 * answer is stored gzip-compressed as a Binary attribute, and only when the whole item fits
 * DynamoDB's 400 KB item limit (names and values together); a larger answer is not cached.
 * TTL deletion is lazy (DynamoDB removes expired items within days, and returns them meanwhile),
 * so get() also checks `expiresAt` itself.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ProjectTenant } from '../../domain/providers/resolve';
import { tenantKey } from '../../domain/proxy/admission';
import type { CachedCompletion, ResponseCache } from '../../domain/proxy/guards';

export const RESPONSE_CACHE_TABLE = { partitionKey: 'pk', ttlAttribute: 'expiresAt' } as const;

/** DynamoDB's item size limit: 400 KB, counting attribute names and values. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** Room for the attribute names, the expiry and the type bytes beside the key and the value. */
const ITEM_OVERHEAD_BYTES = 100;
/** The longest TTL a caller may ask for: a day (what an exact-match cache of LLM answers is good for). */
export const MAX_CACHE_TTL_SECONDS = 86_400;

export interface DynamoResponseCacheOptions {
  clock?: () => number;
  /** An answer was not cached because its item would exceed 400 KB even compressed. */
  onSkipped?: (skip: { reason: 'too-large'; bytes: number }) => void;
}

export class DynamoResponseCache implements ResponseCache {
  private readonly clock: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoResponseCacheOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  async get(tenant: ProjectTenant, key: string): Promise<CachedCompletion | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: itemKey(tenant, key) } } }),
    );
    if (!Item?.value?.B) return undefined;
    if (Number(Item.expiresAt?.N) * 1000 <= this.clock()) return undefined;
    const parsed = JSON.parse(gunzipSync(Item.value.B).toString('utf8')) as CachedCompletion;
    return { body: parsed.body, cachedAt: parsed.cachedAt };
  }

  async put(tenant: ProjectTenant, key: string, value: CachedCompletion, ttlSeconds: number): Promise<void> {
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) return;
    const pk = itemKey(tenant, key);
    const compressed = gzipSync(JSON.stringify({ body: value.body, cachedAt: value.cachedAt }));
    const bytes = compressed.length + Buffer.byteLength(pk, 'utf8') + ITEM_OVERHEAD_BYTES;
    if (bytes > MAX_ITEM_BYTES) {
      this.options.onSkipped?.({ reason: 'too-large', bytes });
      return;
    }
    const ttl = Math.min(ttlSeconds, MAX_CACHE_TTL_SECONDS);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          pk: { S: pk },
          value: { B: compressed },
          [RESPONSE_CACHE_TABLE.ttlAttribute]: { N: String(Math.ceil(this.clock() / 1000 + ttl)) },
        },
      }),
    );
  }
}

function itemKey(tenant: ProjectTenant, key: string): string {
  if (!/^[0-9a-f]{64}$/.test(key))
    throw new Error('a response cache key is 64 hex digits (responseCacheKey)');
  return `${tenantKey(tenant)}#${key}`;
}
