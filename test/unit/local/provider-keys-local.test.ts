/**
 * Provider keys on the local platform: the routes served against dynalite persisted in a data folder,
 * with secrets sealed by the folder's own master key on disk; survives a restart, and a ciphertext
 * copied onto another record's row does not open.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoKeyRegistry } from '../../../lambdas/adapters/aws/dynamo-key-registry';
import { generateApiKey, hashApiKey } from '../../../lambdas/domain/auth/api-key';
import type { ApiKeyScope } from '../../../lambdas/domain/auth/principal';
import { ensureKeyTable, type LocalDynamo, startLocalDynamo } from '../../../lambdas/local/dynamo-local';
import { startHttpServer } from '../../../lambdas/local/http-server';
import {
  LOCAL_PROVIDER_KEYS_TABLE,
  type ProviderKeysLocal,
  startProviderKeysLocal,
} from '../../../lambdas/local/provider-keys-local';
import { PROVIDER_KEY_ROUTES } from '../../../lambdas/provider-keys/routes';
import { apigwEvent } from '../../support/apigw-event';

const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'default' };
const SECRET = 'sk-local-RECOGNISABLE-secret-0123456789-LAST';

let dataDir: string;
let dynamo: LocalDynamo;
let keys: DynamoKeyRegistry;
let local: ProviderKeysLocal;
let adminKey: string;
let readKey: string;
const errors: unknown[] = [];
let now = Date.UTC(2026, 11, 3, 8);

async function addKey(scopes: ApiKeyScope[], project_id = TENANT.project_id): Promise<string> {
  const key = generateApiKey();
  await keys.put({
    keyHash: hashApiKey(key),
    ...TENANT,
    project_id,
    projectName: project_id,
    scopes,
    revoked: false,
    createdAt: 0,
  });
  return key;
}

async function start(): Promise<ProviderKeysLocal> {
  return startProviderKeysLocal({
    dataDir,
    dynamo: dynamo.client,
    callerAuth: { keys },
    // A second a call, so that audit entries have distinct times.
    clock: () => (now += 1000),
    onError: (error) => errors.push(error),
  });
}

async function call(method: string, path: string, key: string, body?: unknown, query = '') {
  const event = apigwEvent({
    method,
    path,
    headers: { authorization: `Bearer ${key}` },
    ...(body !== undefined && { body: JSON.stringify(body), base64: false }),
  });
  event.rawQueryString = query;
  const answer = (await local.handler(event)) as APIGatewayProxyStructuredResultV2;
  return { status: answer.statusCode, body: JSON.parse(answer.body as string), text: answer.body as string };
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-local-provider-keys-'));
  dynamo = await startLocalDynamo(join(dataDir, 'dynamodb'));
  await ensureKeyTable(dynamo.client);
  keys = new DynamoKeyRegistry(dynamo.client, 'waggle-local-keys');
  adminKey = await addKey(['ingest', 'read', 'admin']);
  readKey = await addKey(['ingest', 'read']);
  errors.length = 0;
  local = await start();
});

afterEach(async () => {
  await dynamo.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('provider keys on the local platform', () => {
  it('serves PUT, GET and DELETE with a master key made in the data folder', async () => {
    expect(local.routes).toEqual(PROVIDER_KEY_ROUTES);
    const master = join(dataDir, 'provider-keys', 'master.key');
    expect((await stat(master)).size).toBe(32);
    if (process.platform !== 'win32') expect((await stat(master)).mode & 0o777).toBe(0o600);

    const put = await call('PUT', '/v1/provider-keys/openai-compatible', adminKey, {
      api_key: SECRET,
      base_url: 'http://127.0.0.1:11434/v1',
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      provider: 'openai-compatible',
      scope: 'project',
      last4: 'LAST',
      base_url: 'http://127.0.0.1:11434/v1',
    });
    expect(
      (await call('PUT', '/v1/provider-keys/openai', adminKey, { api_key: SECRET, scope: 'workspace' }))
        .status,
    ).toBe(201);
    expect(
      (await call('PUT', '/v1/provider-keys/openai', adminKey, { api_key: `${SECRET}2`, scope: 'workspace' }))
        .status,
    ).toBe(200);

    const listed = await call('GET', '/v1/provider-keys', adminKey);
    expect(listed.status).toBe(200);
    expect(
      listed.body.provider_keys.map((k: { provider: string; scope: string }) => `${k.provider}/${k.scope}`),
    ).toEqual(['openai/workspace', 'openai-compatible/project']);
    expect(listed.text).not.toContain(SECRET);

    expect((await call('GET', '/v1/provider-keys', readKey)).status).toBe(403);
    expect(
      (await call('DELETE', '/v1/provider-keys/openai', readKey, undefined, 'scope=workspace')).status,
    ).toBe(403);

    const removed = await call('DELETE', '/v1/provider-keys/openai', adminKey, undefined, 'scope=workspace');
    expect(removed).toMatchObject({ status: 200, body: { success: true, deleted: 'openai' } });
    expect(
      (await call('DELETE', '/v1/provider-keys/openai', adminKey, undefined, 'scope=workspace')).status,
    ).toBe(404);

    const audit = await call('GET', '/v1/provider-keys/audit', adminKey);
    expect(
      audit.body.entries.map((e: { action: string; provider: string }) => `${e.action} ${e.provider}`),
    ).toEqual(['removed openai', 'replaced openai', 'set openai', 'set openai-compatible']);
    expect(errors).toEqual([]);
  });

  it('keeps only the sealed secret in DynamoDB, and opens it after a restart', async () => {
    await call('PUT', '/v1/provider-keys/anthropic', adminKey, { api_key: SECRET });
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: LOCAL_PROVIDER_KEYS_TABLE }));
    const stored = JSON.stringify(Items, (_key, value) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
    );
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(Buffer.from(SECRET).toString('base64'));

    local = await start();
    const resolved = await local.resolver.resolve(TENANT, 'anthropic');
    expect(resolved?.apiKey?.reveal()).toBe(SECRET);
    // A key set through the handler replaces what the resolver had opened, at once.
    await call('PUT', '/v1/provider-keys/anthropic', adminKey, { api_key: `${SECRET}-v2` });
    expect((await local.resolver.resolve(TENANT, 'anthropic'))?.apiKey?.reveal()).toBe(`${SECRET}-v2`);
  });

  it("does not open a sealed secret copied onto another project's record", async () => {
    await call('PUT', '/v1/provider-keys/openai', adminKey, { api_key: SECRET });
    const other = await addKey(['admin'], 'other-project');
    await call('PUT', '/v1/provider-keys/openai', other, { api_key: 'sk-other-project-key-9999' });
    const { Items } = await dynamo.client.send(new ScanCommand({ TableName: LOCAL_PROVIDER_KEYS_TABLE }));
    const mine = Items?.find((item) => item.project_id?.S === 'default' && item.sk?.S?.startsWith('key#'));
    const theirs = Items?.find(
      (item) => item.project_id?.S === 'other-project' && item.sk?.S?.startsWith('key#'),
    );
    // An attacker with write access to the table copies my ciphertext onto their record.
    await dynamo.client.send(
      new PutItemCommand({
        TableName: LOCAL_PROVIDER_KEYS_TABLE,
        Item: { ...theirs, sealed_secret: mine?.sealed_secret } as NonNullable<typeof theirs>,
      }),
    );
    const copied = await dynamo.client.send(
      new GetItemCommand({
        TableName: LOCAL_PROVIDER_KEYS_TABLE,
        Key: { pk: theirs?.pk as never, sk: theirs?.sk as never },
      }),
    );
    expect(copied.Item?.sealed_secret).toEqual(mine?.sealed_secret);
    await expect(
      local.resolver.resolve({ ...TENANT, project_id: 'other-project' }, 'openai'),
    ).rejects.toThrow(/another record/);
    expect((await local.resolver.resolve(TENANT, 'openai'))?.apiKey?.reveal()).toBe(SECRET);
  });

  it('answers over the local HTTP server as the platform will serve it (its routes beside others)', async () => {
    const server = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      routes: ['GET /healthz', ...local.routes],
      handler: (event, context) =>
        local.routes.includes(event.routeKey as never)
          ? local.handler(event, context)
          : Promise.resolve({ statusCode: 200, body: 'ok' }),
    });
    try {
      const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
      const put = await fetch(`${server.url}/v1/provider-keys/azure`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({
          api_key: SECRET,
          base_url: 'https://acme.openai.azure.com',
          scope: 'workspace',
        }),
      });
      expect(put.status).toBe(201);
      const listed = await fetch(`${server.url}/v1/provider-keys`, { headers });
      expect(await listed.json()).toMatchObject({
        provider_keys: [{ provider: 'azure', scope: 'workspace', last4: 'LAST' }],
      });
      const removed = await fetch(`${server.url}/v1/provider-keys/azure?scope=workspace`, {
        method: 'DELETE',
        headers,
      });
      expect(removed.status).toBe(200);
      const wrongMethod = await fetch(`${server.url}/v1/provider-keys`, { method: 'POST', headers });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('GET');
    } finally {
      await server.close();
    }
  });
});
