/**
 * The provider-keys function's HTTP surface on in-memory ports with the real local sealer: the
 * answers, admin-only access for API keys and control-plane tokens, the caller's tenant only, and a
 * recognisable secret that appears in no answer, hook argument or error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localSecretSealer } from '../../../lambdas/adapters/local/local-secret-sealer';
import { hashApiKey } from '../../../lambdas/domain/auth/api-key';
import type { ApiKeyScope } from '../../../lambdas/domain/auth/principal';
import type { TokenPrincipal } from '../../../lambdas/domain/auth/token-verifier';
import type { ProviderKeyRecord } from '../../../lambdas/domain/providers/record';
import type { TokenRole } from '../../../lambdas/domain/tokens/claims';
import { createProviderKeysHandler } from '../../../lambdas/provider-keys/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry } from '../../support/memory-ports';
import { MemoryProviderKeyStore } from '../../support/memory-provider-keys';
import { MemoryProxyLimitsStore } from '../../support/memory-proxy-limits';

const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const NOW = Date.UTC(2026, 11, 3, 8);
const SECRET = 'sk-proj-RECOGNISABLE-SECRET-abcdefghijklmnop-WXYZ';
const SECRET_FORMS = [
  SECRET,
  Buffer.from(SECRET).toString('base64'),
  Buffer.from(SECRET).toString('base64url'),
  Buffer.from(SECRET).toString('hex'),
  'RECOGNISABLE',
];

const KEYS: Record<string, { scopes: ApiKeyScope[]; tenant?: typeof TENANT }> = {
  'wgl_admin-key': { scopes: ['ingest', 'read', 'admin'] },
  'wgl_read-key': { scopes: ['read'] },
  'wgl_ingest-key': { scopes: ['ingest', 'read'] },
  'wgl_other-admin': {
    scopes: ['admin'],
    tenant: { org_id: 'org-2', workspace_id: 'ws-2', project_id: 'proj-9' },
  },
  'wgl_sibling-admin': { scopes: ['admin'], tenant: { ...TENANT, project_id: 'proj-2' } },
};

let dataDir: string;
let store: MemoryProviderKeyStore;
let handler: ReturnType<typeof createProviderKeysHandler>;
/** Everything the app handed to its hooks, as text. */
let reported: string[];
let answered: { route: string; status: number }[];
let changes: unknown[];
let invalidated: unknown[];

function record(value: unknown) {
  reported.push(
    JSON.stringify(value, (_key, field) =>
      field instanceof Error ? { name: field.name, message: field.message, stack: field.stack } : field,
    ),
  );
}

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-provider-keys-app-'));
  const keys = new MemoryKeyRegistry();
  for (const [key, { scopes, tenant }] of Object.entries(KEYS))
    await keys.register(key, { ...(tenant ?? TENANT), projectName: 'proj' }, scopes);
  store = new MemoryProviderKeyStore();
  reported = [];
  answered = [];
  changes = [];
  invalidated = [];
  let ids = 0;
  handler = createProviderKeysHandler({
    keys,
    // Tokens "verify" when they are `role.subject.sig`-shaped; a real verifier is tested elsewhere.
    tokens: async (token): Promise<TokenPrincipal> => {
      const [role, subject] = token.split('.');
      return {
        org_id: TENANT.org_id,
        workspace_id: TENANT.workspace_id,
        projects: [TENANT.project_id],
        role: role as TokenRole,
        subject: subject as string,
        expiresAt: NOW + 60_000,
      };
    },
    store,
    sealer: await localSecretSealer(dataDir),
    proxyLimits: new MemoryProxyLimitsStore(),
    clock: () => NOW,
    newId: () => `audit-${++ids}`,
    invalidate: (ref) => invalidated.push(ref),
    onChanged: (change) => {
      changes.push(change);
      record(change);
    },
    onAnswered: (summary) => {
      answered.push(summary);
      record(summary);
    },
    onAuditFailure: (error, entry) => record({ error, entry }),
    onError: (error, context) => record({ error, context }),
  });
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

async function call(
  method: string,
  path: string,
  options: { key?: string; body?: unknown; query?: string; raw?: string } = {},
): Promise<{ status: number; body: Record<string, unknown>; raw: APIGatewayProxyStructuredResultV2 }> {
  const event = apigwEvent({
    method,
    path,
    headers: {
      ...(options.key !== undefined && { authorization: `Bearer ${options.key}` }),
      'content-type': 'application/json',
    },
    ...((options.body !== undefined || options.raw !== undefined) && {
      body: options.raw ?? JSON.stringify(options.body),
      base64: false,
    }),
  });
  if (options.query) event.rawQueryString = options.query;
  const raw = (await handler(event)) as APIGatewayProxyStructuredResultV2;
  record(raw);
  return { status: raw.statusCode as number, body: JSON.parse(raw.body as string), raw };
}

const ADMIN = 'wgl_admin-key';

describe('PUT /v1/provider-keys/{provider}', () => {
  it('creates (201), then replaces (200), showing the last four characters only', async () => {
    const created = await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      provider: 'openai',
      scope: 'project',
      last4: 'WXYZ',
      updated_at: '2026-12-03T08:00:00.000Z',
      updated_by: `api-key:${hashApiKey(ADMIN).slice(0, 16)}`,
    });
    const replaced = await call('PUT', '/v1/provider-keys/openai', {
      key: ADMIN,
      body: { api_key: 'sk-second-key-1234', base_url: 'https://gateway.example.com/v1' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ last4: '1234', base_url: 'https://gateway.example.com/v1' });
    const stored = [...store.records.values()] as ProviderKeyRecord[];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ version: 2, project_id: 'proj-1', createdAt: NOW, last4: '1234' });
    expect(changes).toEqual([
      { action: 'set', provider: 'openai', scope: 'project' },
      { action: 'replaced', provider: 'openai', scope: 'project' },
    ]);
    expect(invalidated).toHaveLength(2);
    expect(store.auditEntries.map(({ action, version }) => [action, version])).toEqual([
      ['set', 1],
      ['replaced', 2],
    ]);
  });

  it('stores the secret sealed, never in clear', async () => {
    await call('PUT', '/v1/provider-keys/anthropic', {
      key: ADMIN,
      body: { api_key: SECRET, scope: 'workspace' },
    });
    const [stored] = [...store.records.values()];
    expect(stored?.project_id).toBeNull();
    const sealed = Buffer.from(stored?.sealedSecret as Uint8Array).toString('latin1');
    for (const form of SECRET_FORMS) expect(sealed).not.toContain(form);
  });

  it('shows no last four of a short key', async () => {
    const answer = await call('PUT', '/v1/provider-keys/openai', {
      key: ADMIN,
      body: { api_key: 'short-key' },
    });
    expect(answer.body.last4).toBeNull();
  });

  it('answers 400 with the reason for a bad request, 413 for a body over 16 KB', async () => {
    expect(
      await call('PUT', '/v1/provider-keys/cohere', { key: ADMIN, body: { api_key: SECRET } }),
    ).toMatchObject({
      status: 400,
      body: { success: false, error: expect.stringMatching(/known providers: openai/) },
    });
    expect(
      (await call('PUT', '/v1/provider-keys/bedrock', { key: ADMIN, body: { api_key: SECRET } })).body.error,
    ).toMatch(/IAM role/);
    expect(
      (await call('PUT', '/v1/provider-keys/bedrock', { key: ADMIN, body: { region: 'us-east-1' } })).status,
    ).toBe(201);
    expect(
      (await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, raw: '{"api_key":' })).body.error,
    ).toBe('The body must be JSON');
    expect((await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: [SECRET] })).status).toBe(400);
    const huge = await call('PUT', '/v1/provider-keys/openai', {
      key: ADMIN,
      body: { api_key: 'k'.repeat(17_000) },
    });
    expect(huge.status).toBe(413);
    expect(
      (await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: 'http://localhost' } }))
        .status,
    ).toBe(201);
    expect(
      (
        await call('PUT', '/v1/provider-keys/openai-compatible', {
          key: ADMIN,
          body: { api_key: SECRET, base_url: 'http://127.0.0.1:11434/v1' },
        })
      ).body.error,
    ).toBe('base_url must be https');
  });
});

describe('GET /v1/provider-keys', () => {
  it("lists the project's and the workspace's keys, never another project's or tenant's", async () => {
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    await call('PUT', '/v1/provider-keys/openai', {
      key: ADMIN,
      body: { api_key: 'sk-shared-key-5678', scope: 'workspace' },
    });
    await call('PUT', '/v1/provider-keys/anthropic', {
      key: 'wgl_sibling-admin',
      body: { api_key: 'sk-sibling-9999' },
    });
    await call('PUT', '/v1/provider-keys/azure', {
      key: 'wgl_other-admin',
      body: { api_key: 'sk-other-tenant-0000', base_url: 'https://x.openai.azure.com', scope: 'workspace' },
    });
    const listed = await call('GET', '/v1/provider-keys', { key: ADMIN });
    expect(listed.status).toBe(200);
    expect(listed.body.provider_keys).toEqual([
      expect.objectContaining({ provider: 'openai', scope: 'project', last4: 'WXYZ' }),
      expect.objectContaining({ provider: 'openai', scope: 'workspace', last4: '5678' }),
    ]);
    const sibling = await call('GET', '/v1/provider-keys', { key: 'wgl_sibling-admin' });
    expect(
      (sibling.body.provider_keys as { provider: string; scope: string }[]).map(
        (k) => `${k.provider}/${k.scope}`,
      ),
    ).toEqual(['anthropic/project', 'openai/workspace']);
  });
});

describe('DELETE /v1/provider-keys/{provider}', () => {
  it('deletes the scope the parameter names (project by default), then answers 404', async () => {
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    await call('PUT', '/v1/provider-keys/openai', {
      key: ADMIN,
      body: { api_key: SECRET, scope: 'workspace' },
    });
    const removed = await call('DELETE', '/v1/provider-keys/openai', {
      key: ADMIN,
      query: 'scope=workspace',
    });
    expect(removed).toMatchObject({
      status: 200,
      body: { success: true, deleted: 'openai', scope: 'workspace' },
    });
    expect((await call('GET', '/v1/provider-keys', { key: ADMIN })).body.provider_keys).toEqual([
      expect.objectContaining({ provider: 'openai', scope: 'project' }),
    ]);
    expect((await call('DELETE', '/v1/provider-keys/openai', { key: ADMIN })).status).toBe(200);
    const again = await call('DELETE', '/v1/provider-keys/openai', { key: ADMIN });
    expect(again).toMatchObject({
      status: 404,
      body: { success: false, error: 'No project key for provider openai' },
    });
    expect(
      (await call('DELETE', '/v1/provider-keys/openai', { key: ADMIN, query: 'scope=org' })).status,
    ).toBe(400);
    expect(
      (
        await call('DELETE', '/v1/provider-keys/openai', {
          key: ADMIN,
          query: 'scope=project&scope=workspace',
        })
      ).status,
    ).toBe(400);
    expect(store.auditEntries.filter((entry) => entry.action === 'removed')).toHaveLength(2);
  });

  it("cannot reach another tenant's key", async () => {
    await call('PUT', '/v1/provider-keys/openai', { key: 'wgl_other-admin', body: { api_key: SECRET } });
    expect((await call('DELETE', '/v1/provider-keys/openai', { key: ADMIN })).status).toBe(404);
    expect(store.records.size).toBe(1);
  });
});

describe('access', () => {
  it('needs a credential (401)', async () => {
    const answer = await call('GET', '/v1/provider-keys');
    expect(answer.status).toBe(401);
    expect(answer.raw.headers?.['www-authenticate']).toMatch(/^Bearer/);
  });

  it('needs the admin scope: read and ingest keys get 403 on every route, whatever exists', async () => {
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    for (const key of ['wgl_read-key', 'wgl_ingest-key']) {
      for (const [method, path, query] of [
        ['GET', '/v1/provider-keys', ''],
        ['GET', '/v1/provider-keys/audit', ''],
        ['PUT', '/v1/provider-keys/openai', ''],
        ['PUT', '/v1/provider-keys/not-a-provider', ''],
        ['DELETE', '/v1/provider-keys/openai', ''],
        ['DELETE', '/v1/provider-keys/anthropic', ''],
        ['DELETE', '/v1/provider-keys/openai', 'scope=nonsense'],
      ] as const) {
        const answer = await call(method, path, { key, query, body: { api_key: 'sk-x' } });
        expect(answer.status, `${key} ${method} ${path}`).toBe(403);
      }
    }
    expect(store.records.size).toBe(1);
  });

  it('takes control-plane tokens of owners and admins, naming the user; members and viewers get 403', async () => {
    const admin = await call('PUT', '/v1/provider-keys/openai', {
      key: 'admin.alice.sig',
      body: { api_key: SECRET },
    });
    expect(admin.status).toBe(201);
    expect(admin.body.updated_by).toBe('user:alice');
    expect((await call('GET', '/v1/provider-keys', { key: 'owner.bob.sig' })).status).toBe(200);
    for (const role of ['member', 'viewer']) {
      expect((await call('GET', '/v1/provider-keys', { key: `${role}.carol.sig` })).status, role).toBe(403);
    }
  });
});

describe('GET /v1/provider-keys/audit', () => {
  it('lists who set, replaced and removed which key, newest first, without the secret', async () => {
    let t = NOW;
    handler = createProviderKeysHandler({
      keys: await (async () => {
        const keys = new MemoryKeyRegistry();
        await keys.put({
          keyHash: hashApiKey(ADMIN),
          ...TENANT,
          projectName: 'p',
          scopes: ['admin'],
          revoked: false,
          createdAt: 0,
        });
        return keys;
      })(),
      store,
      sealer: await localSecretSealer(dataDir),
      proxyLimits: new MemoryProxyLimitsStore(),
      clock: () => (t += 1000),
    });
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    await call('DELETE', '/v1/provider-keys/openai', { key: ADMIN });
    const audit = await call('GET', '/v1/provider-keys/audit', { key: ADMIN, query: 'limit=10' });
    expect(audit.status).toBe(200);
    const actor = `api-key:${hashApiKey(ADMIN).slice(0, 16)}`;
    expect(audit.body.entries).toEqual([
      { provider: 'openai', scope: 'project', action: 'removed', actor, at: expect.any(String), version: 2 },
      { provider: 'openai', scope: 'project', action: 'replaced', actor, at: expect.any(String), version: 2 },
      { provider: 'openai', scope: 'project', action: 'set', actor, at: expect.any(String), version: 1 },
    ]);
    expect((await call('GET', '/v1/provider-keys/audit', { key: ADMIN, query: 'limit=0' })).status).toBe(400);
  });
});

describe('the secret', () => {
  it('appears in no answer, hook argument, audit entry or stored field but the sealed one', async () => {
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    await call('PUT', '/v1/provider-keys/azure', {
      key: ADMIN,
      body: { api_key: SECRET, base_url: 'https://acme.openai.azure.com', scope: 'workspace' },
    });
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: `${SECRET} ` } });
    await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET, extra: 1 } });
    await call('GET', '/v1/provider-keys', { key: ADMIN });
    await call('GET', '/v1/provider-keys/audit', { key: ADMIN });
    await call('DELETE', '/v1/provider-keys/azure', { key: ADMIN, query: 'scope=workspace' });
    expect(answered.length).toBeGreaterThan(4);
    const everything = [
      ...reported,
      JSON.stringify(store.auditEntries),
      JSON.stringify([...store.records.values()].map(({ sealedSecret: _sealed, ...rest }) => rest)),
    ].join('\n');
    for (const form of SECRET_FORMS) expect(everything).not.toContain(form);
    expect(everything).toContain('WXYZ');
  });

  it('is not carried by a store failure, which is a 500 reported to onError', async () => {
    store.put = async (record) => {
      // The worst a store could do: quote everything it was given.
      throw new Error(
        `PutItem failed for ${JSON.stringify(record)} ${Buffer.from(record.sealedSecret ?? []).toString('base64')}`,
      );
    };
    const answer = await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    expect(answer).toMatchObject({ status: 500, body: { success: false, error: 'Internal error' } });
    expect(reported.some((line) => line.includes('PutItem failed'))).toBe(true);
    for (const form of SECRET_FORMS) expect(reported.join('\n')).not.toContain(form);
  });

  it('is not carried by an audit failure; the change stands and the failure is reported', async () => {
    store.failAudit = new Error('audit table throttled');
    const answer = await call('PUT', '/v1/provider-keys/openai', { key: ADMIN, body: { api_key: SECRET } });
    expect(answer.status).toBe(201);
    const failure = reported.find((line) => line.includes('audit table throttled'));
    expect(failure).toContain('"action":"set"');
    for (const form of SECRET_FORMS) expect(reported.join('\n')).not.toContain(form);
  });
});
