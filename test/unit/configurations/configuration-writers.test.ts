import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createConfigurationWriter } from '../../../lambdas/control-plane-api/configuration-writers';
import { generateApiKey, hashApiKey } from '../../../lambdas/domain/auth/api-key';
import type { TokenVerifier } from '../../../lambdas/domain/auth/token-verifier';
import type { ApiKey, Membership, Role } from '../../../lambdas/domain/control-plane/model';
import { ForbiddenError, UnauthorizedError } from '../../../lambdas/domain/errors';
import { NOW, PROJECT, world } from './fixtures';

function event(headers: Record<string, string>): APIGatewayProxyEventV2 {
  return { headers } as unknown as APIGatewayProxyEventV2;
}

async function setup() {
  const w = await world();
  const key = generateApiKey();
  const record = (overrides: Partial<ApiKey>): ApiKey => ({
    kind: 'api-key',
    org_id: PROJECT.org_id,
    workspace_id: PROJECT.workspace_id,
    project_id: PROJECT.id,
    project_name: PROJECT.name,
    id: 'key-1',
    key_hash: hashApiKey(key),
    prefix: key.slice(0, 8),
    scopes: ['ingest', 'read'],
    status: 'active',
    created_by: 'u',
    version: 1,
    created_at: new Date(NOW).toISOString(),
    updated_at: new Date(NOW).toISOString(),
    ...overrides,
  });
  const member = async (userId: string, role: Role) => {
    const membership: Membership = {
      kind: 'membership',
      org_id: PROJECT.org_id,
      id: `${userId}#org`,
      user_id: userId,
      role,
      version: 1,
      created_at: '',
      updated_at: '',
    };
    await w.store.put(membership);
  };
  const tokens: TokenVerifier = async (token) => ({
    org_id: PROJECT.org_id,
    workspace_id: PROJECT.workspace_id,
    projects: token === 'tok-other' ? ['proj-9'] : [PROJECT.id],
    role: 'member',
    subject: token === 'tok-viewer' ? 'viewer' : 'writer',
    expiresAt: NOW + 60_000,
  });
  const writer = createConfigurationWriter({
    store: w.store,
    actorFrom: () => undefined,
    tokens,
    clock: () => NOW,
  });
  return { ...w, key, record, member, writer };
}

const withKey = (key: string, org = PROJECT.org_id) =>
  event({ authorization: `Bearer ${key}`, 'x-waggle-org': org });

describe('who may write configurations and tools on the control plane', () => {
  it('an active key with the ingest scope writes its own project, named or not', async () => {
    const { store, key, record, writer } = await setup();
    await store.put(record({}));
    await expect(writer(withKey(key), undefined)).resolves.toMatchObject({ id: PROJECT.id });
    await expect(writer(withKey(key), 'shop')).resolves.toMatchObject({ id: PROJECT.id });
    await expect(writer(withKey(key), 'other')).rejects.toThrow(ForbiddenError);
  });

  it('refuses unknown, revoked, expired and read-only keys, and keys looked up in another organization', async () => {
    const { store, key, record, writer } = await setup();
    await expect(writer(withKey(key), undefined)).rejects.toThrow(UnauthorizedError);
    await store.put(record({ scopes: ['read'] }));
    await expect(writer(withKey(key), undefined)).rejects.toThrow(/"ingest" scope/);
    await store.put(record({ version: 2, status: 'revoked' }));
    await expect(writer(withKey(key), undefined)).rejects.toThrow(UnauthorizedError);
    await store.put(record({ version: 3, expires_at: new Date(NOW - 1).toISOString() }));
    await expect(writer(withKey(key), undefined)).rejects.toThrow(UnauthorizedError);
    await store.put(record({ version: 4 }));
    await expect(writer(withKey(key, 'org-2'), undefined)).rejects.toThrow(UnauthorizedError);
    await expect(writer(event({ authorization: `Bearer ${key}` }), undefined)).rejects.toThrow(
      /x-waggle-org/,
    );
  });

  it('a token writes when its user is a member of the workspace and the token lists the project', async () => {
    const { member, writer } = await setup();
    await member('writer', 'member');
    await member('viewer', 'viewer');
    const token = (value: string) =>
      event({ authorization: `Bearer ${value}`, 'x-waggle-project': PROJECT.id });
    await expect(writer(token('tok-writer'), undefined)).resolves.toMatchObject({ id: PROJECT.id });
    await expect(writer(token('tok-viewer'), undefined)).rejects.toThrow(ForbiddenError);
    await expect(writer(token('tok-other'), undefined)).rejects.toThrow(ForbiddenError);
    await expect(writer(event({}), undefined)).rejects.toThrow(UnauthorizedError);
  });
});
