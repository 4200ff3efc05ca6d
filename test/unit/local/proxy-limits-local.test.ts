/**
 * The proxy's guards and response cache on the local platform: startProviderKeysLocal makes the
 * tables in dynalite, serves /v1/proxy-limits, and hands back guards whose cached limits a PUT
 * empties (the next call is held to the new limits at once); the cache stores and finds answers.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DynamoKeyRegistry } from '../../../lambdas/adapters/aws/dynamo-key-registry';
import { generateApiKey, hashApiKey } from '../../../lambdas/domain/auth/api-key';
import { RateLimitedError } from '../../../lambdas/domain/errors';
import { responseCacheKey } from '../../../lambdas/domain/proxy/cache-key';
import { ensureKeyTable, type LocalDynamo, startLocalDynamo } from '../../../lambdas/local/dynamo-local';
import { type ProviderKeysLocal, startProviderKeysLocal } from '../../../lambdas/local/provider-keys-local';
import { startProxyLimitsLocal } from '../../../lambdas/local/proxy-limits-local';
import { apigwEvent } from '../../support/apigw-event';

const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'default' };
const NOW = Date.UTC(2026, 11, 3, 8);

let dataDir: string;
let dynamo: LocalDynamo;
let local: ProviderKeysLocal;
let adminKey: string;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-local-proxy-limits-'));
  dynamo = await startLocalDynamo(undefined);
  await ensureKeyTable(dynamo.client);
  const keys = new DynamoKeyRegistry(dynamo.client, 'waggle-local-keys');
  adminKey = generateApiKey();
  await keys.put({
    keyHash: hashApiKey(adminKey),
    ...TENANT,
    projectName: 'default',
    scopes: ['admin'],
    revoked: false,
    createdAt: 0,
  });
  local = await startProviderKeysLocal({
    dataDir,
    dynamo: dynamo.client,
    callerAuth: { keys },
    clock: () => NOW,
  });
});

afterEach(async () => {
  await dynamo.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function putLimits(body: unknown) {
  const event = apigwEvent({
    method: 'PUT',
    path: '/v1/proxy-limits',
    headers: { authorization: `Bearer ${adminKey}` },
    body: JSON.stringify(body),
    base64: false,
  });
  return ((await local.handler(event)) as APIGatewayProxyStructuredResultV2).statusCode;
}

it('serves /v1/proxy-limits, and the guards apply a PUT to the next call', async () => {
  expect(local.routes).toContain('PUT /v1/proxy-limits');
  const caller = { tenant: TENANT, credentialId: `api-key:${hashApiKey(adminKey).slice(0, 16)}` };
  const { guards } = local.proxyLimits;
  // Read (and cached) before any limit is set.
  await guards.settle(await guards.admit({ caller, reserveUsd: 1, at: NOW }), 1);
  expect(await putLimits({ project: { usd_per_day: 0.5 } })).toBe(200);
  // Spending is counted from when a budget is set: the dollar before it is not on the counter.
  await guards.admit({ caller, reserveUsd: 0.6, at: NOW });
  await expect(guards.admit({ caller, reserveUsd: 0.1, at: NOW })).rejects.toThrow(RateLimitedError);
  expect(await putLimits({})).toBe(200);
  await guards.admit({ caller, reserveUsd: 0.1, at: NOW });
});

it('caches answers in dynalite, and a second start finds the same tables', async () => {
  const key = responseCacheKey(TENANT, 'openai/gpt-4o', { messages: [{ role: 'user', content: 'Hi' }] });
  const value = { body: { id: 'chatcmpl-1', object: 'chat.completion' }, cachedAt: NOW };
  await local.proxyLimits.cache.put(TENANT, key, value, 60);
  const again = await startProxyLimitsLocal({ dynamo: dynamo.client, clock: () => NOW + 1000 });
  expect(await again.cache.get(TENANT, key)).toEqual(value);
  expect(await again.limits.get(TENANT)).toBeUndefined();
});
