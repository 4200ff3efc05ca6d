import { describe, expect, it } from 'vitest';
import { hashApiKey, isWellFormedApiKey } from '../../../lambdas/domain/auth/api-key';
import { revokeExpiredKeys } from '../../../lambdas/domain/control-plane/api-keys';
import { bodyOf, buildFixture, type Fixture, request } from './fixture';

interface IssuedBody {
  key: string;
  id: string;
  prefix: string;
  scopes: string[];
  status: string;
  replaced?: { id: string; status: string; expires_at?: string; replaced_by?: string };
}

async function issue(fixture: Fixture, scopes = ['ingest', 'read']): Promise<IssuedBody> {
  const result = await fixture.api(
    request({
      method: 'POST',
      path: `/v1/projects/${fixture.projectId}/keys`,
      query: { org_id: fixture.orgA },
      body: { scopes },
      user: 'admin',
    }),
  );
  expect(result.statusCode).toBe(201);
  return bodyOf(result) as IssuedBody;
}

/** POST .../keys/{keyId}/rotate on the fixture's key, as `user`, with `body` when given. */
function rotate(fixture: Fixture, user: string, body?: unknown) {
  return fixture.api(
    request({
      method: 'POST',
      path: `/v1/projects/${fixture.projectId}/keys/${fixture.keyId}/rotate`,
      query: { org_id: fixture.orgA },
      body,
      user,
    }),
  );
}

async function list(fixture: Fixture) {
  const result = await fixture.api(
    request({
      method: 'GET',
      path: `/v1/projects/${fixture.projectId}/keys`,
      query: { org_id: fixture.orgA },
      user: 'member',
    }),
  );
  expect(result.statusCode).toBe(200);
  return { text: result.body ?? '', keys: bodyOf(result) as Record<string, unknown>[] };
}

describe('API keys through the control-plane API', () => {
  it('shows a created key once; the store, the listing and the change hold only its hash and prefix', async () => {
    const fixture = await buildFixture();
    const issued = await issue(fixture);
    expect(isWellFormedApiKey(issued.key)).toBe(true);
    expect(issued.prefix).toBe(issued.key.slice(0, 8));
    expect(issued.scopes).toEqual(['ingest', 'read']);

    const secretPart = issued.key.slice(8);
    expect(fixture.store.snapshot()).not.toContain(secretPart);
    expect(fixture.store.snapshot()).toContain(hashApiKey(issued.key));
    const listed = await list(fixture);
    expect(listed.text).not.toContain(secretPart);
    expect(listed.keys.find((key) => key.id === issued.id)).toMatchObject({
      status: 'active',
      prefix: issued.prefix,
    });
    expect(listed.keys.every((key) => !('key' in key) && !('key_hash' in key))).toBe(true);

    expect(JSON.stringify(fixture.changes.published)).not.toContain(secretPart);
    expect(fixture.changes.published).toEqual([
      {
        type: 'api-key.upserted',
        version: 1,
        payload: {
          key_id: issued.id,
          keyHash: hashApiKey(issued.key),
          org_id: fixture.orgA,
          workspace_id: fixture.w1,
          project_id: fixture.projectId,
          projectName: 'alpha',
          scopes: ['ingest', 'read'],
          revoked: false,
          createdAt: expect.any(Number),
        },
      },
    ]);
  });

  it('defaults to the ingest and read scopes and refuses unknown scopes without writing', async () => {
    const fixture = await buildFixture();
    const send = (body: unknown) =>
      fixture.api(
        request({
          method: 'POST',
          path: `/v1/projects/${fixture.projectId}/keys`,
          query: { org_id: fixture.orgA },
          body,
          user: 'admin',
        }),
      );
    expect((bodyOf(await send({})) as IssuedBody).scopes).toEqual(['ingest', 'read']);
    const before = fixture.store.snapshot();
    for (const scopes of [['root'], [], 'ingest']) {
      expect((await send({ scopes })).statusCode).toBe(400);
    }
    expect(fixture.store.snapshot()).toBe(before);
  });

  it('revokes a key: marked revoked, a revocation published, and revoking again publishes nothing', async () => {
    const fixture = await buildFixture();
    const revoke = () =>
      fixture.api(
        request({
          method: 'DELETE',
          path: `/v1/projects/${fixture.projectId}/keys/${fixture.keyId}`,
          query: { org_id: fixture.orgA },
          user: 'admin',
        }),
      );
    const result = await revoke();
    expect(bodyOf(result)).toMatchObject({
      id: fixture.keyId,
      status: 'revoked',
      revoked_at: expect.any(String),
    });
    expect(fixture.changes.published).toEqual([
      {
        type: 'api-key.revoked',
        version: 2,
        payload: expect.objectContaining({ key_id: fixture.keyId, revoked: true }),
      },
    ]);
    expect((await revoke()).statusCode).toBe(200);
    expect(fixture.changes.published).toHaveLength(1);
  });

  it('rotates a key: a new key with the same scopes, the old one revoked at once', async () => {
    const fixture = await buildFixture();
    const result = await rotate(fixture, 'owner');
    const body = bodyOf(result) as IssuedBody;
    expect(isWellFormedApiKey(body.key)).toBe(true);
    expect(body.scopes).toEqual(['ingest']);
    expect(body.replaced).toMatchObject({ id: fixture.keyId, status: 'revoked', replaced_by: body.id });
    expect(fixture.changes.published.map((change) => change.type)).toEqual([
      'api-key.upserted',
      'api-key.revoked',
    ]);
    expect(fixture.store.snapshot()).not.toContain(body.key.slice(8));
  });

  it('rotates with a grace period: the old key expires, then the sweep revokes it', async () => {
    const fixture = await buildFixture();
    const result = await rotate(fixture, 'admin', { grace_seconds: 60 });
    const body = bodyOf(result) as IssuedBody;
    expect(body.replaced).toMatchObject({ status: 'active', expires_at: '2026-01-01T00:01:00.000Z' });
    const expiring = fixture.changes.published[1];
    expect(expiring).toMatchObject({
      type: 'api-key.upserted',
      payload: { key_id: fixture.keyId, revoked: false },
    });
    expect(expiring?.payload).toHaveProperty('expiresAt', Date.UTC(2026, 0, 1, 0, 1));

    fixture.advance(59_000);
    expect(await revokeExpiredKeys(fixture.context, fixture.orgA)).toEqual([]);
    fixture.advance(1_000);
    const swept = await revokeExpiredKeys(fixture.context, fixture.orgA);
    expect(swept.map((key) => [key.id, key.status])).toEqual([[fixture.keyId, 'revoked']]);
    expect(fixture.changes.published.at(-1)).toMatchObject({ type: 'api-key.revoked', version: 3 });
  });

  it('refuses a bad grace period and rotating a revoked key, writing nothing', async () => {
    const fixture = await buildFixture();
    const rotateAsAdmin = (body: unknown) => rotate(fixture, 'admin', body);
    const before = fixture.store.snapshot();
    for (const grace of [-1, 1.5, 8 * 24 * 3600, '60']) {
      expect((await rotateAsAdmin({ grace_seconds: grace })).statusCode).toBe(400);
    }
    expect(fixture.store.snapshot()).toBe(before);
    await fixture.api(
      request({
        method: 'DELETE',
        path: `/v1/projects/${fixture.projectId}/keys/${fixture.keyId}`,
        query: { org_id: fixture.orgA },
        user: 'admin',
      }),
    );
    const revoked = fixture.store.snapshot();
    expect((await rotateAsAdmin({})).statusCode).toBe(409);
    expect(fixture.store.snapshot()).toBe(revoked);
  });

  it('a key id of another project is not found through this project', async () => {
    const fixture = await buildFixture();
    const created = await fixture.api(
      request({
        method: 'POST',
        path: '/v1/projects',
        query: { org_id: fixture.orgA },
        body: { name: 'beta' },
        user: 'owner',
      }),
    );
    const beta = bodyOf(created) as { id: string };
    const result = await fixture.api(
      request({
        method: 'DELETE',
        path: `/v1/projects/${beta.id}/keys/${fixture.keyId}`,
        query: { org_id: fixture.orgA },
        user: 'owner',
      }),
    );
    expect(result.statusCode).toBe(404);
    expect(fixture.changes.published.filter((change) => change.type === 'api-key.revoked')).toEqual([]);
  });
});
