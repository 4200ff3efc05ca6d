/**
 * GET and PUT /v1/proxy-limits on the provider-keys function (in-memory ports): admin only (403 for
 * read and ingest keys and member tokens), the credential's own project, validation with nothing
 * stored, the answer's shape, and the guards' cached limits forgotten after a PUT.
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
import type { ProjectTenant } from '../../../lambdas/domain/providers/resolve';
import type { TokenRole } from '../../../lambdas/domain/tokens/claims';
import { createProviderKeysHandler } from '../../../lambdas/provider-keys/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry } from '../../support/memory-ports';
import { MemoryProviderKeyStore } from '../../support/memory-provider-keys';
import { MemoryProxyLimitsStore } from '../../support/memory-proxy-limits';

const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const NOW = Date.UTC(2026, 11, 3, 8);
const KEYS: Record<string, { scopes: ApiKeyScope[]; tenant?: ProjectTenant }> = {
  'wgl_admin-key': { scopes: ['ingest', 'read', 'admin'] },
  'wgl_read-key': { scopes: ['read'] },
  'wgl_ingest-key': { scopes: ['ingest', 'read'] },
  'wgl_other-admin': { scopes: ['admin'], tenant: { ...TENANT, project_id: 'proj-2' } },
};
const ADMIN = 'wgl_admin-key';
const LIMITS = {
  project: { usd_per_day: 5, usd_per_month: 100, requests_per_minute: 60 },
  credentials: { 'api-key:0123456789abcdef': { usd_per_day: 1 }, 'user:alice': { requests_per_minute: 10 } },
};

let dataDir: string;
let limits: MemoryProxyLimitsStore;
let invalidated: ProjectTenant[];
let handler: ReturnType<typeof createProviderKeysHandler>;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-proxy-limits-api-'));
  const keys = new MemoryKeyRegistry();
  for (const [key, { scopes, tenant }] of Object.entries(KEYS))
    await keys.register(key, { ...(tenant ?? TENANT), projectName: 'p' }, scopes);
  limits = new MemoryProxyLimitsStore();
  invalidated = [];
  handler = createProviderKeysHandler({
    keys,
    tokens: async (token): Promise<TokenPrincipal> => {
      const [role, subject] = token.split('.');
      return {
        ...TENANT,
        projects: [TENANT.project_id],
        role: role as TokenRole,
        subject: subject as string,
        expiresAt: NOW + 60_000,
      };
    },
    store: new MemoryProviderKeyStore(),
    sealer: await localSecretSealer(dataDir),
    proxyLimits: limits,
    invalidateProxyLimits: (tenant) => invalidated.push(tenant),
    clock: () => NOW,
  });
});

afterEach(() => rm(dataDir, { recursive: true, force: true }));

async function call(method: string, key: string, body?: unknown) {
  const event = apigwEvent({
    method,
    path: '/v1/proxy-limits',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined && {
      body: typeof body === 'string' ? body : JSON.stringify(body),
      base64: false,
    }),
  });
  const raw = (await handler(event)) as APIGatewayProxyStructuredResultV2;
  return { status: raw.statusCode as number, body: JSON.parse(raw.body as string) };
}

describe('/v1/proxy-limits', () => {
  it('answers no limits before any are set', async () => {
    expect(await call('GET', ADMIN)).toEqual({
      status: 200,
      body: { project: {}, credentials: {}, updated_at: null, updated_by: null },
    });
  });

  it('replaces the project limits as a whole, and reads them back with who set them', async () => {
    const put = await call('PUT', ADMIN, LIMITS);
    const expected = {
      ...LIMITS,
      updated_at: new Date(NOW).toISOString(),
      updated_by: `api-key:${hashApiKey(ADMIN).slice(0, 16)}`,
    };
    expect(put).toEqual({ status: 200, body: expected });
    expect(await call('GET', ADMIN)).toEqual({ status: 200, body: expected });
    expect(invalidated).toEqual([TENANT]);
    // {} removes every limit.
    await call('PUT', ADMIN, {});
    expect((await call('GET', ADMIN)).body).toMatchObject({ project: {}, credentials: {} });
  });

  it('is per project: another project admin sees and changes only its own', async () => {
    await call('PUT', ADMIN, LIMITS);
    expect((await call('GET', 'wgl_other-admin')).body.project).toEqual({});
    await call('PUT', 'wgl_other-admin', { project: { usd_per_day: 1 } });
    expect((await call('GET', ADMIN)).body.project).toEqual(LIMITS.project);
  });

  it('needs the admin scope: 403 for read and ingest keys and member or viewer tokens, 401 with none', async () => {
    for (const key of ['wgl_read-key', 'wgl_ingest-key', 'member.carol.sig', 'viewer.dan.sig']) {
      expect((await call('GET', key)).status, key).toBe(403);
      expect((await call('PUT', key, LIMITS)).status, key).toBe(403);
    }
    expect((await call('GET', 'wgl_unknown')).status).toBe(401);
    expect(limits.items.size).toBe(0);
    expect((await call('PUT', 'admin.alice.sig', LIMITS)).body.updated_by).toBe('user:alice');
  });

  it('answers 400 with the reason and stores nothing for a bad document', async () => {
    for (const [body, reason] of [
      [{ project: { usd_per_day: -5 } }, 'project.usd_per_day must be a number of dollars from 0 to 1000000'],
      [{ project: { usd_per_day: 5 }, api_keys: {} }, 'unknown field "api_keys"'],
      [{ credentials: { 'sk-live-123': { usd_per_day: 1 } } }, 'a credentials key must be a credential id'],
      ['[1]', 'The body must be a JSON object'],
      ['{', 'The body must be JSON'],
    ] as const) {
      const answer = await call('PUT', ADMIN, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toContain(reason);
    }
    expect(limits.items.size).toBe(0);
  });

  it('answers 413 for a body over 16 KiB', async () => {
    const answer = await call('PUT', ADMIN, JSON.stringify({ project: {}, pad: 'x'.repeat(17 * 1024) }));
    expect(answer.status).toBe(413);
  });
});
