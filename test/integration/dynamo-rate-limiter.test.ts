/** DynamoRateLimiter against dynalite: atomic counting across instances, windows, TTL, hashed keys. */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoRateLimiter, RATE_LIMIT_TABLE } from '../../lambdas/adapters/aws/dynamo-rate-limiter';
import { createAuthenticator } from '../../lambdas/domain/auth/authenticate';
import { createRequestAuthenticator } from '../../lambdas/domain/auth/authenticate-request';
import { stringKeyedTable, useDynalite } from '../support/dynalite';
import { MemoryKeyRegistry } from '../support/memory-ports';

const policy = { limit: 3, windowMs: 60_000 };
const dynamo = useDynalite();
let tables = 0;

function table(): Promise<string> {
  return dynamo.createTable(stringKeyedTable(`rate${++tables}`, RATE_LIMIT_TABLE.partitionKey));
}

describe('DynamoRateLimiter', () => {
  it('counts concurrent hits from several instances atomically', async () => {
    const name = await table();
    const now = 120_000;
    const instances = [0, 1, 2].map(() => new DynamoRateLimiter(dynamo.client, name, { clock: () => now }));
    const decisions = await Promise.all(
      Array.from({ length: 9 }, (_, i) => (instances[i % 3] as DynamoRateLimiter).hit('client', policy)),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(3);
    expect(await (instances[0] as DynamoRateLimiter).peek('client', policy)).toEqual({
      allowed: false,
      retryAfterSeconds: 60,
    });
    expect(await (instances[1] as DynamoRateLimiter).peek('other', policy)).toMatchObject({ allowed: true });
  });

  it('starts every window afresh and stores a TTL at its end, with the key hashed', async () => {
    const name = await table();
    let now = 60_000 * 5 + 30_000;
    const limiter = new DynamoRateLimiter(dynamo.client, name, { clock: () => now });
    for (let i = 0; i < 3; i++) await limiter.hit('203.0.113.9', policy);
    expect(await limiter.peek('203.0.113.9', policy)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    now = 60_000 * 6;
    expect(await limiter.peek('203.0.113.9', policy)).toMatchObject({ allowed: true });
    expect(await limiter.hit('203.0.113.9', policy)).toMatchObject({ allowed: true });

    const items = (await dynamo.client.send(new ScanCommand({ TableName: name }))).Items ?? [];
    expect(items.map((item) => Number(item.expiresAt?.N)).sort()).toEqual([360, 420]);
    expect(JSON.stringify(items)).not.toContain('203.0.113.9');
  });

  it('blocks a client across authenticators (function instances) sharing the table', async () => {
    const name = await table();
    const registry = new MemoryKeyRegistry();
    const instance = () =>
      createRequestAuthenticator({
        apiKeys: createAuthenticator(registry),
        failures: {
          rateLimiter: new DynamoRateLimiter(dynamo.client, name, { clock: () => 1_000 }),
          failureLimit: policy,
        },
      });
    // An ingest instance and a query instance: guesses on one lock the source out of the other.
    const [ingest, query] = [instance(), instance()];
    const source = { clientId: '203.0.113.9' };
    await expect(query(undefined, { scope: 'read', ...source })).rejects.toMatchObject({
      kind: 'unauthorized',
    });
    for (let i = 0; i < 2; i++) {
      await expect(query(`Bearer wgl_guess-${i}`, { scope: 'read', ...source })).rejects.toMatchObject({
        kind: 'unauthorized',
      });
    }
    const lookups = registry.lookups;
    await expect(ingest('Bearer wgl_guess-x', { scope: 'ingest', ...source })).rejects.toMatchObject({
      kind: 'rate-limited',
    });
    expect(registry.lookups).toBe(lookups);
  });
});
