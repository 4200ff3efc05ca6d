/**
 * The proxy's guards and response cache on dynalite, with the DynamoDB adapters: concurrent admits
 * against one budget and one rate limit (real conditional updates), settle, the limits document,
 * and the cache's hit, miss, expiry, over-size skip and project isolation.
 */
import { randomBytes } from 'node:crypto';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DynamoProxyLimitsStore,
  DynamoUsageCounters,
  PROXY_LIMITS_TABLE,
} from '../../lambdas/adapters/aws/dynamo-proxy-guards';
import { DynamoResponseCache, RESPONSE_CACHE_TABLE } from '../../lambdas/adapters/aws/dynamo-response-cache';
import { proxyGuardsFromEnvironment } from '../../lambdas/adapters/aws/proxy-guards-wiring';
import { RateLimitedError, ValidationError } from '../../lambdas/domain/errors';
import { createProxyGuards, MICRO_USD } from '../../lambdas/domain/proxy/admission';
import { responseCacheKey } from '../../lambdas/domain/proxy/cache-key';
import { stringKeyedTable, useDynalite } from '../support/dynalite';

const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const CALLER = { tenant: TENANT, credentialId: 'api-key:0123456789abcdef' };
const AT = Date.UTC(2026, 11, 3, 10, 41, 30);
const dynamo = useDynalite();
let tables = 0;

async function setUp() {
  const table = await dynamo.createTable(
    stringKeyedTable(`proxy-limits-${++tables}`, PROXY_LIMITS_TABLE.partitionKey),
  );
  const limits = new DynamoProxyLimitsStore(dynamo.client, table);
  const counters = new DynamoUsageCounters(dynamo.client, table);
  const guards = createProxyGuards({ limits, counters, limitsCacheMs: 0 });
  return { limits, counters, guards };
}

async function outcomes(promises: Promise<unknown>[]) {
  const settled = await Promise.allSettled(promises);
  for (const result of settled) {
    if (result.status === 'rejected' && !(result.reason instanceof RateLimitedError)) throw result.reason;
  }
  return settled.filter((result) => result.status === 'fulfilled').length;
}

describe('DynamoProxyLimitsStore', () => {
  it('keeps a limits document per project, read back through the strict reader', async () => {
    const { limits } = await setUp();
    expect(await limits.get(TENANT)).toBeUndefined();
    const stored = {
      limits: { project: { usd_per_day: 5 }, credentials: { 'user:alice': { requests_per_minute: 10 } } },
      updatedAt: AT,
      updatedBy: 'user:admin',
    };
    await limits.put(TENANT, stored);
    expect(await limits.get(TENANT)).toEqual(stored);
    expect(await limits.get({ ...TENANT, project_id: 'proj-2' })).toBeUndefined();
  });
});

describe('a stored limits document that no longer reads', () => {
  it("fails as an internal error, not as the caller's 400", async () => {
    const { limits } = await setUp();
    const table = `proxy-limits-${tables}`;
    await dynamo.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'limits#org-1:ws-1:proj-1' },
          limits: { S: JSON.stringify({ project: { usd_per_day: -1 } }) },
          updatedAt: { N: '0' },
          updatedBy: { S: 'x' },
        },
      }),
    );
    const error = await limits.get(TENANT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/^proxy limits item is malformed: project.usd_per_day/);
  });
});

describe('DynamoUsageCounters under concurrency', () => {
  it('admits concurrent calls only while the budget is not spent: at most one past it', async () => {
    const { limits, counters, guards } = await setUp();
    await limits.put(TENANT, {
      limits: { project: { usd_per_day: 1 }, credentials: {} },
      updatedAt: 0,
      updatedBy: 'x',
    });
    // 60 calls of $0.07 at once against $1: 14 fit under it (0.98), the 15th crosses it, no more.
    const admitted = await outcomes(
      Array.from({ length: 60 }, () => guards.admit({ caller: CALLER, reserveUsd: 0.07, at: AT })),
    );
    expect(admitted).toBe(15);
    const counter = `org-1:ws-1:proj-1#project#day#2026-12-03`;
    expect(await counters.read(counter)).toBe(15 * 70_000);
  });

  it('admits exactly requests_per_minute concurrent calls, and gives back what a refused call reserved', async () => {
    const { limits, counters, guards } = await setUp();
    await limits.put(TENANT, {
      limits: { project: { requests_per_minute: 20, usd_per_month: 1000 }, credentials: {} },
      updatedAt: 0,
      updatedBy: 'x',
    });
    const admitted = await outcomes(
      Array.from({ length: 50 }, () => guards.admit({ caller: CALLER, reserveUsd: 1, at: AT })),
    );
    expect(admitted).toBe(20);
    expect(await counters.read('org-1:ws-1:proj-1#project#minute#2026-12-03T10:41')).toBe(20);
    expect(await counters.read('org-1:ws-1:proj-1#project#month#2026-12')).toBe(20 * MICRO_USD);
  });

  it('settles concurrently to the sum of the actual costs', async () => {
    const { limits, counters, guards } = await setUp();
    await limits.put(TENANT, {
      limits: { project: { usd_per_month: 100 }, credentials: {} },
      updatedAt: 0,
      updatedBy: 'x',
    });
    const admissions = await Promise.all(
      Array.from({ length: 30 }, () => guards.admit({ caller: CALLER, reserveUsd: 2, at: AT })),
    );
    await Promise.all(admissions.map((admission, i) => guards.settle(admission, i * 0.001)));
    expect(await counters.read('org-1:ws-1:proj-1#project#month#2026-12')).toBe(
      Array.from({ length: 30 }, (_, i) => i * 1000).reduce((a, b) => a + b, 0),
    );
  });

  it('refuses a limit of 0 without writing, and adds while under a limit', async () => {
    const { counters } = await setUp();
    expect(await counters.reserve('c#project#day#2026-12-03', 1, 0, 100)).toBe(false);
    expect(await counters.reserve('c#project#day#2026-12-03', 1, 5, 100)).toBe(true);
    expect(await counters.reserve('c#project#day#2026-12-03', 1, 5, 999)).toBe(true);
    expect(await counters.read('c#project#day#2026-12-03')).toBe(2);
  });
});

describe('DynamoResponseCache', () => {
  async function cacheAt(clock: () => number, onSkipped?: (skip: { bytes: number }) => void) {
    const table = await dynamo.createTable(
      stringKeyedTable(`response-cache-${++tables}`, RESPONSE_CACHE_TABLE.partitionKey),
    );
    return new DynamoResponseCache(dynamo.client, table, { clock, onSkipped });
  }
  const key = responseCacheKey(TENANT, 'openai/gpt-4o', { messages: [{ role: 'user', content: 'Hi' }] });
  const value = { body: { id: 'chatcmpl-1', object: 'chat.completion', choices: [] }, cachedAt: AT };

  it('misses, then hits what was put, until its TTL has passed', async () => {
    let now = AT;
    const cache = await cacheAt(() => now);
    expect(await cache.get(TENANT, key)).toBeUndefined();
    await cache.put(TENANT, key, value, 60);
    expect(await cache.get(TENANT, key)).toEqual(value);
    now += 59_000;
    expect(await cache.get(TENANT, key)).toEqual(value);
    now += 2_000;
    expect(await cache.get(TENANT, key)).toBeUndefined();
  });

  it('keeps projects apart even for the same key', async () => {
    const cache = await cacheAt(() => AT);
    await cache.put(TENANT, key, value, 60);
    expect(await cache.get({ ...TENANT, project_id: 'proj-2' }, key)).toBeUndefined();
    expect(await cache.get({ ...TENANT, org_id: 'org-2' }, key)).toBeUndefined();
  });

  it('stores a large but compressible answer gzip-compressed, and skips one over 400 KB compressed', async () => {
    const skipped: { bytes: number }[] = [];
    const cache = await cacheAt(
      () => AT,
      (skip) => skipped.push(skip),
    );
    const compressible = { body: { content: 'word '.repeat(300_000) }, cachedAt: AT };
    await cache.put(TENANT, key, compressible, 60);
    expect(await cache.get(TENANT, key)).toEqual(compressible);
    // Random bytes in base64 compress only back to about their own size: 420 KB of them cannot fit an item.
    const otherKey = responseCacheKey(TENANT, 'openai/gpt-4o', { messages: [] });
    await cache.put(
      TENANT,
      otherKey,
      { body: { content: randomBytes(420_000).toString('base64') }, cachedAt: AT },
      60,
    );
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.bytes).toBeGreaterThan(400 * 1024);
    expect(await cache.get(TENANT, otherKey)).toBeUndefined();
  });

  it('refuses a key that is not a responseCacheKey', async () => {
    const cache = await cacheAt(() => AT);
    await expect(cache.get(TENANT, 'not-a-key')).rejects.toThrow('64 hex digits');
  });
});

describe('proxyGuardsFromEnvironment', () => {
  it('builds guards on the limits table and the cache on the cache table', async () => {
    const limitsTable = await dynamo.createTable(stringKeyedTable(`proxy-limits-${++tables}`, 'pk'));
    const cacheTable = await dynamo.createTable(stringKeyedTable(`response-cache-${++tables}`, 'pk'));
    const { guards, cache } = proxyGuardsFromEnvironment(dynamo.client, {
      PROXY_LIMITS_TABLE_NAME: limitsTable,
      RESPONSE_CACHE_TABLE_NAME: cacheTable,
    });
    await new DynamoProxyLimitsStore(dynamo.client, limitsTable).put(TENANT, {
      limits: { project: { requests_per_minute: 1 }, credentials: {} },
      updatedAt: 0,
      updatedBy: 'x',
    });
    await guards.admit({ caller: CALLER, reserveUsd: 0, at: AT });
    await expect(guards.admit({ caller: CALLER, reserveUsd: 0, at: AT })).rejects.toThrow(RateLimitedError);
    const key = responseCacheKey(TENANT, 'openai/gpt-4o', { messages: [] });
    await cache.put(TENANT, key, { body: { id: 'x' }, cachedAt: 1 }, 60);
    expect(await new DynamoResponseCache(dynamo.client, cacheTable).get(TENANT, key)).toEqual({
      body: { id: 'x' },
      cachedAt: 1,
    });
  });
});
