import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import type { Authenticate } from '../../../lambdas/domain/auth/authenticate';
import { createRequestAuthenticator } from '../../../lambdas/domain/auth/authenticate-request';
import type { Principal } from '../../../lambdas/domain/auth/principal';
import { createTokenVerifier } from '../../../lambdas/domain/auth/token-verifier';
import { DomainError } from '../../../lambdas/domain/errors';
import { issueToken } from '../../../lambdas/domain/tokens/issue-token';
import { keyRingJwks } from '../../../lambdas/domain/tokens/jwks';
import { httpErrorOf } from '../../../lambdas/http/errors';
import { SUBJECT } from './support';

const KEY = 'wgl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_abcdef';
const CLIENT = '192.0.2.10';
const KEY_PRINCIPAL: Principal = {
  org_id: 'org-1',
  workspace_id: 'ws-1',
  project_id: 'proj-a',
  projectName: 'Project A',
  scopes: ['ingest'],
  keyHash: 'h',
};

const signer = LocalSigner.generate('key-1');
const tokens = createTokenVerifier({
  issuer: SUBJECT.iss,
  audience: SUBJECT.aud,
  jwks: { fetch: () => keyRingJwks({ current: signer }) },
});

function setup() {
  const calls: { authorization: string | undefined; scope: string }[] = [];
  const apiKeys: Authenticate = async (authorization, scope) => {
    calls.push({ authorization, scope });
    return KEY_PRINCIPAL;
  };
  const authenticate = createRequestAuthenticator({
    apiKeys,
    tokens,
    projectName: async (id) => (id === 'proj-a' ? 'Project A' : undefined),
  });
  return { calls, authenticate };
}

async function status(promise: Promise<unknown>): Promise<number> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  // A domain refusal, answered with the status the edge maps it to.
  expect(error).toBeInstanceOf(DomainError);
  return httpErrorOf(error)?.status ?? 500;
}

const token = (subject = SUBJECT) =>
  issueToken(signer, subject, { now: Date.now(), ttlSeconds: 60 }).then((t) => t.token);

describe('createRequestAuthenticator', () => {
  it('sends a wgl_ key to the key registry path with the scope', async () => {
    const { calls, authenticate } = setup();
    await expect(authenticate(`Bearer ${KEY}`, { clientId: CLIENT, scope: 'ingest' })).resolves.toEqual({
      ...KEY_PRINCIPAL,
      via: 'api-key',
    });
    expect(calls).toEqual([{ authorization: `Bearer ${KEY}`, scope: 'ingest' }]);
  });

  it('accepts an API key addressed by its project id or name, and refuses it on another project', async () => {
    const { authenticate } = setup();
    await expect(
      authenticate(`Bearer ${KEY}`, { clientId: CLIENT, scope: 'ingest', projectId: 'proj-a' }),
    ).resolves.toBeDefined();
    await expect(
      authenticate(`Bearer ${KEY}`, { clientId: CLIENT, scope: 'ingest', projectId: 'Project A' }),
    ).resolves.toBeDefined();
    expect(
      await status(authenticate(`Bearer ${KEY}`, { clientId: CLIENT, scope: 'ingest', projectId: 'proj-b' })),
    ).toBe(403);
  });

  it('sends a JWT to the verifier, never to the key registry, and maps it to a Principal', async () => {
    const { calls, authenticate } = setup();
    const principal = await authenticate(`Bearer ${await token()}`, { clientId: CLIENT, scope: 'ingest' });
    expect(principal).toMatchObject({
      via: 'token',
      org_id: 'org-1',
      workspace_id: 'ws-1',
      project_id: 'proj-a',
      projectName: 'Project A',
      scopes: ['ingest', 'read'],
      subject: 'user-1',
      role: 'member',
    });
    expect(calls).toHaveLength(0);
  });

  it('reads the JWKS through the fetch callback once, then from cache', async () => {
    let fetches = 0;
    const authenticate = createRequestAuthenticator({
      apiKeys: setup().authenticate as unknown as Authenticate,
      tokens: createTokenVerifier({
        issuer: SUBJECT.iss,
        audience: SUBJECT.aud,
        jwks: {
          fetch: () => {
            fetches++;
            return keyRingJwks({ current: signer });
          },
        },
      }),
    });
    await authenticate(`Bearer ${await token()}`, { clientId: CLIENT, scope: 'read' });
    await authenticate(`Bearer ${await token()}`, { clientId: CLIENT, scope: 'read' });
    expect(fetches).toBe(1);
  });

  it('asks for a project when a token covers several, and allows each of them by name', async () => {
    const { authenticate } = setup();
    const multi = await token({ ...SUBJECT, projects: ['proj-a', 'proj-c'] });
    expect(await status(authenticate(`Bearer ${multi}`, { clientId: CLIENT, scope: 'read' }))).toBe(400);
    await expect(
      authenticate(`Bearer ${multi}`, { clientId: CLIENT, scope: 'read', projectId: 'proj-c' }),
    ).resolves.toMatchObject({
      project_id: 'proj-c',
      projectName: 'proj-c',
    });
  });

  it.each([
    ['owner', 'admin', true],
    ['admin', 'admin', true],
    ['member', 'admin', false],
    ['member', 'ingest', true],
    ['viewer', 'read', true],
    ['viewer', 'ingest', false],
  ] as const)('role %s with scope %s: allowed=%s', async (role, scope, allowed) => {
    const { authenticate } = setup();
    const attempt = authenticate(`Bearer ${await token({ ...SUBJECT, role })}`, {
      clientId: CLIENT,
      scope,
      projectId: 'proj-a',
    });
    if (allowed) await expect(attempt).resolves.toMatchObject({ via: 'token', role });
    else expect(await status(attempt)).toBe(403);
  });

  it.each([
    ['no header', undefined],
    ['empty', ''],
    ['Basic scheme', `Basic ${KEY}`],
    ['neither key nor JWT', 'Bearer some-opaque-token'],
    ['two-part JWT', 'Bearer aaa.bbb'],
    ['JWT with padding', 'Bearer aaa.bbb.ccc='],
  ])('refuses %s with 401', async (_name, header) => {
    const { calls, authenticate } = setup();
    expect(await status(authenticate(header, { clientId: CLIENT, scope: 'read' }))).toBe(401);
    expect(calls).toHaveLength(0);
  });
});
