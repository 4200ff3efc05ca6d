/**
 * Control-plane tokens on the data plane: every way of presenting a token that should not work
 * must be refused (401/403/503), and none may resolve to a principal. The JWKS is served over
 * real HTTP from 127.0.0.1 so fetching, caching and refresh-on-unknown-kid are exercised for real.
 */
import { createHmac, type KeyObject, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSigner } from '../../lambdas/adapters/local/local-signer';
import type { Authenticate } from '../../lambdas/domain/auth/authenticate';
import { createRequestAuthenticator } from '../../lambdas/domain/auth/authenticate-request';
import { createTokenVerifier } from '../../lambdas/domain/auth/token-verifier';
import { DomainError } from '../../lambdas/domain/errors';
import type { TokenSubject } from '../../lambdas/domain/tokens/claims';
import { issueToken, TokenIssueError } from '../../lambdas/domain/tokens/issue-token';
import { buildJwks, type Jwks } from '../../lambdas/domain/tokens/jwks';
import { type HttpError, httpErrorOf } from '../../lambdas/http/errors';

const ISSUER = 'https://cp.waggle.test';
const AUDIENCE = 'dp-eu-west-1';
const CLIENT = '192.0.2.20';
const SUBJECT: TokenSubject = {
  iss: ISSUER,
  aud: AUDIENCE,
  sub: 'user-1',
  org: 'org-1',
  workspace: 'ws-a',
  projects: ['proj-a'],
  role: 'member',
};

const current = LocalSigner.generate('key-1');
let published: Jwks = { keys: [] };
let jwksFetches = 0;
let server: Server;
let jwksUri = '';

beforeAll(async () => {
  published = buildJwks([{ keyId: current.keyId, publicKeyDer: await current.publicKeyDer() }]);
  server = createServer((_request, response) => {
    jwksFetches++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function verifier(overrides: Partial<Parameters<typeof createTokenVerifier>[0]> = {}) {
  return createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { uri: jwksUri }, ...overrides });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs arbitrary header and claims with a key, bypassing issueToken's own rules. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function privateKeyOf(signer: LocalSigner): KeyObject {
  return (signer as unknown as { privateKey: KeyObject }).privateKey;
}

function validClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds();
  return { ...SUBJECT, iat, nbf: iat, exp: iat + 300, jti: 'j', ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  // A domain refusal, answered over HTTP as the edge maps it.
  expect(error).toBeInstanceOf(DomainError);
  return httpErrorOf(error) as HttpError;
}

describe('control-plane tokens on the data plane', () => {
  it('accepts a token the control plane issued (the baseline every case below departs from)', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 300 });
    await expect(verifier()(token)).resolves.toMatchObject({
      org_id: 'org-1',
      workspace_id: 'ws-a',
      projects: ['proj-a'],
      role: 'member',
      subject: 'user-1',
    });
  });

  it('refuses alg "none" (unsigned) without fetching the JWKS', async () => {
    const before = jwksFetches;
    const token = `${b64({ alg: 'none', typ: 'JWT', kid: 'key-1' })}.${b64(validClaims())}.`;
    expect((await rejection(verifier()(token))).status).toBe(401);
    const withJunkSignature = `${b64({ alg: 'none', kid: 'key-1' })}.${b64(validClaims())}.AAAA`;
    expect((await rejection(verifier()(withJunkSignature))).status).toBe(401);
    expect(jwksFetches).toBe(before);
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const jwk = published.keys[0];
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: 'key-1' })}.${b64(validClaims())}`;
    for (const secret of [JSON.stringify(jwk), Buffer.from(await current.publicKeyDer())]) {
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      expect((await rejection(verifier()(`${input}.${mac}`))).status).toBe(401);
    }
  });

  it('refuses ES256 with the header alg swapped after signing (the JWK pins ES256 anyway)', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 300 });
    const [, payload, signature] = token.split('.');
    const swapped = `${b64({ alg: 'ES384', typ: 'JWT', kid: 'key-1' })}.${payload}.${signature}`;
    expect((await rejection(verifier()(swapped))).status).toBe(401);
  });

  it('refuses a token without a kid, and one whose kid was never published (after one JWKS refresh)', async () => {
    const key = privateKeyOf(current);
    const v = verifier();
    expect((await rejection(v(forge({ alg: 'ES256', typ: 'JWT' }, validClaims(), key)))).status).toBe(401);
    await v((await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 60 })).token); // warm cache
    const before = jwksFetches;
    const stranger = LocalSigner.generate('never-published');
    const { token } = await issueToken(stranger, SUBJECT, { now: Date.now(), ttlSeconds: 60 });
    expect((await rejection(v(token))).status).toBe(401);
    expect(jwksFetches).toBe(before + 1);
    // A flood of made-up kids does not turn into a flood of JWKS fetches (back-off), and still fails.
    for (let i = 0; i < 5; i++) expect((await rejection(v(token))).status).toBeGreaterThanOrEqual(401);
    expect(jwksFetches).toBe(before + 1);
  });

  it('refuses a token signed by a different key under a published kid', async () => {
    const impostor = LocalSigner.generate('key-1');
    const { token } = await issueToken(impostor, SUBJECT, { now: Date.now(), ttlSeconds: 60 });
    expect((await rejection(verifier()(token))).status).toBe(401);
  });

  it('after a rotation, refreshes the cached JWKS on the new kid and accepts both keys', async () => {
    const v = verifier();
    const before = (await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 300 })).token;
    await v(before); // caches the JWKS with key-1 only
    const next = LocalSigner.generate('key-2');
    const saved = published;
    published = buildJwks([
      { keyId: next.keyId, publicKeyDer: await next.publicKeyDer() },
      { keyId: current.keyId, publicKeyDer: await current.publicKeyDer() },
    ]);
    try {
      const fetches = jwksFetches;
      const after = (await issueToken(next, SUBJECT, { now: Date.now(), ttlSeconds: 300 })).token;
      await expect(v(after)).resolves.toMatchObject({ subject: 'user-1' });
      expect(jwksFetches).toBe(fetches + 1);
      await expect(v(before)).resolves.toMatchObject({ subject: 'user-1' });
      await expect(v(after)).resolves.toMatchObject({ subject: 'user-1' });
      expect(jwksFetches).toBe(fetches + 1);
    } finally {
      published = saved;
    }
  });

  it('refuses an expired token', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now() - 20 * 60_000, ttlSeconds: 600 });
    expect((await rejection(verifier()(token))).status).toBe(401);
  });

  it('refuses a token that is not yet valid (nbf in the future)', async () => {
    const nbf = nowSeconds() + 120;
    const token = forge(
      { alg: 'ES256', typ: 'JWT', kid: 'key-1' },
      validClaims({ nbf }),
      privateKeyOf(current),
    );
    expect((await rejection(verifier()(token))).status).toBe(401);
  });

  it('refuses a token issued in the future', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now() + 120_000, ttlSeconds: 300 });
    expect((await rejection(verifier()(token))).status).toBe(401);
  });

  it('refuses a token for another data plane (wrong audience), including a multi-audience one', async () => {
    const other = await issueToken(
      current,
      { ...SUBJECT, aud: 'dp-us-east-1' },
      { now: Date.now(), ttlSeconds: 60 },
    );
    expect((await rejection(verifier()(other.token))).status).toBe(401);
    const both = forge(
      { alg: 'ES256', typ: 'JWT', kid: 'key-1' },
      validClaims({ aud: [AUDIENCE, 'dp-us-east-1'] }),
      privateKeyOf(current),
    );
    expect((await rejection(verifier()(both))).status).toBe(401);
  });

  it('refuses a token from another issuer', async () => {
    const { token } = await issueToken(
      current,
      { ...SUBJECT, iss: 'https://evil.test' },
      { now: Date.now(), ttlSeconds: 60 },
    );
    expect((await rejection(verifier()(token))).status).toBe(401);
  });

  it('refuses a tampered payload (signature over the original)', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 300 });
    const [header, , signature] = token.split('.');
    const widened = b64({ ...validClaims(), workspace: 'ws-b', projects: ['proj-b'], role: 'owner' });
    expect((await rejection(verifier()(`${header}.${widened}.${signature}`))).status).toBe(401);
  });

  it('refuses a signed token living longer than 15 minutes, or missing exp or its tenant claims', async () => {
    const key = privateKeyOf(current);
    const header = { alg: 'ES256', typ: 'JWT', kid: 'key-1' };
    const iat = nowSeconds();
    for (const claims of [
      validClaims({ exp: iat + 901 }),
      validClaims({ exp: undefined }),
      validClaims({ org: undefined }),
      validClaims({ projects: 'proj-a' }),
      validClaims({ projects: [] }),
      validClaims({ role: 'root' }),
    ]) {
      expect((await rejection(verifier()(forge(header, claims, key)))).status).toBe(401);
    }
  });

  it('refuses, on the issuer side, a token with exp more than 15 minutes after iat', async () => {
    await expect(issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 901 })).rejects.toThrow(
      TokenIssueError,
    );
  });

  it('fails closed with 503 when the JWKS cannot be fetched', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 60 });
    const unreachable = createTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: { uri: 'http://127.0.0.1:1/.well-known/jwks.json' },
    });
    expect((await rejection(unreachable(token))).status).toBe(503);
  });

  it('refuses a plain-http JWKS anywhere but on loopback', () => {
    expect(() => verifier({ jwks: { uri: 'http://cp.waggle.test/.well-known/jwks.json' } })).toThrow(/https/);
  });
});

describe('request authentication with tokens', () => {
  const apiKeys: Authenticate = async () => {
    throw new Error('the API-key path must not be taken for a JWT');
  };

  function authenticate() {
    return createRequestAuthenticator({ apiKeys, tokens: verifier() });
  }

  it('lets a token read its own project', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 60 });
    await expect(
      authenticate()(`Bearer ${token}`, { clientId: CLIENT, scope: 'read', projectId: 'proj-a' }),
    ).resolves.toMatchObject({
      via: 'token',
      org_id: 'org-1',
      workspace_id: 'ws-a',
      project_id: 'proj-a',
    });
  });

  it('refuses a valid token for project A (or workspace A) on project B', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 60 });
    const error = await rejection(
      authenticate()(`Bearer ${token}`, { clientId: CLIENT, scope: 'read', projectId: 'proj-b' }),
    );
    expect(error.status).toBe(403);
  });

  it('refuses a token whose role lacks the scope (viewer ingesting)', async () => {
    const viewer = await issueToken(
      current,
      { ...SUBJECT, role: 'viewer' },
      { now: Date.now(), ttlSeconds: 60 },
    );
    const error = await rejection(
      authenticate()(`Bearer ${viewer.token}`, { clientId: CLIENT, scope: 'ingest', projectId: 'proj-a' }),
    );
    expect(error.status).toBe(403);
  });

  it('refuses JWTs when no verifier is configured', async () => {
    const { token } = await issueToken(current, SUBJECT, { now: Date.now(), ttlSeconds: 60 });
    const keysOnly = createRequestAuthenticator({ apiKeys });
    expect((await rejection(keysOnly(`Bearer ${token}`, { clientId: CLIENT, scope: 'read' }))).status).toBe(
      401,
    );
  });
});
