/**
 * The token service: JWKS from the key ring (current and previous), and data-plane tokens only for
 * a project the caller may read, on a known data plane, verified end to end with the data plane's
 * own token verifier.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import { createTokenService, type TokenService } from '../../../lambdas/control-plane-tokens/app';
import { createTokenVerifier } from '../../../lambdas/domain/auth/token-verifier';
import { keyRingJwks } from '../../../lambdas/domain/tokens';
import { jwtAuthorizerActor } from '../../../lambdas/http/jwt-authorizer-actor';
import { bodyOf, buildFixture, type Fixture, request, START } from '../control-plane/fixture';

const ISSUER = 'https://cp.waggle.test';
let fixture: Fixture;
let service: TokenService;
let signs: number;
const current = LocalSigner.generate('key-2');
const previous = LocalSigner.generate('key-1');

beforeEach(async () => {
  fixture = await buildFixture();
  signs = 0;
  const counting = {
    keyId: current.keyId,
    publicKeyDer: () => current.publicKeyDer(),
    sign: (message: Uint8Array) => {
      signs++;
      return current.sign(message);
    },
  };
  service = createTokenService({
    store: fixture.store,
    keyRing: { current: counting, previous },
    issuer: ISSUER,
    dataPlaneIds: ['eu', 'us'],
    actorFrom: jwtAuthorizerActor(fixture.store),
    clock: () => START,
  });
});

function tokenRequest(user: string | undefined, body: unknown) {
  return service(request({ method: 'POST', path: '/v1/tokens', user, body }));
}

describe('GET /.well-known/jwks.json', () => {
  it('publishes the current and the previous key, publicly cacheable', async () => {
    const response = await service(request({ method: 'GET', path: '/.well-known/jwks.json' }));
    expect(response.statusCode).toBe(200);
    const jwks = bodyOf(response) as { keys: { kid: string; alg: string }[] };
    expect(jwks.keys.map((key) => [key.kid, key.alg])).toEqual([
      ['key-2', 'ES256'],
      ['key-1', 'ES256'],
    ]);
    expect(response.headers?.['cache-control']).toBe('public, max-age=300');
  });
});

describe('POST /v1/tokens', () => {
  it('issues a 15-minute token for a reader of the project that the data plane accepts', async () => {
    const response = await tokenRequest('viewer', { data_plane_id: 'eu', project_id: fixture.projectId });
    expect(response.statusCode).toBe(200);
    const body = bodyOf(response) as { token: string; role: string; expires_at: string };
    expect(body.role).toBe('viewer');
    expect(Date.parse(body.expires_at) - START).toBe(900_000);
    const jwks = await keyRingJwks({ current, previous });
    const verify = createTokenVerifier({ issuer: ISSUER, audience: 'eu', jwks: { fetch: async () => jwks } });
    // The verifier checks expiry against the real clock; a token issued at START is expired by now,
    // so verify a fresh one from a service on the real clock instead.
    const live = createTokenService({
      store: fixture.store,
      keyRing: { current },
      issuer: ISSUER,
      dataPlaneIds: ['eu'],
      actorFrom: jwtAuthorizerActor(fixture.store),
    });
    const fresh = bodyOf(
      await live(
        request({
          method: 'POST',
          path: '/v1/tokens',
          user: 'member',
          body: { data_plane_id: 'eu', project_id: fixture.projectId },
        }),
      ),
    ) as { token: string };
    const principal = await verify(fresh.token);
    expect(principal).toMatchObject({ subject: 'member', role: 'member', projects: [fixture.projectId] });
  });

  it('serves repeated requests from the cache (one signing)', async () => {
    const first = bodyOf(await tokenRequest('admin', { data_plane_id: 'eu', project_id: fixture.projectId }));
    const second = bodyOf(
      await tokenRequest('admin', { data_plane_id: 'eu', project_id: fixture.projectId }),
    );
    expect(second).toEqual(first);
    expect(signs).toBe(1);
    await tokenRequest('admin', { data_plane_id: 'us', project_id: fixture.projectId });
    expect(signs).toBe(2);
  });

  it('refuses outsiders, unknown projects and another organization alike (403), and never signs', async () => {
    for (const user of ['other', 'nobody']) {
      const response = await tokenRequest(user, { data_plane_id: 'eu', project_id: fixture.projectId });
      expect(response.statusCode, user).toBe(403);
    }
    expect((await tokenRequest('viewer', { data_plane_id: 'eu', project_id: 'missing' })).statusCode).toBe(
      403,
    );
    expect(signs).toBe(0);
  });

  it('refuses a caller without claims (401), an unknown data plane and a malformed body (400)', async () => {
    expect(
      (await tokenRequest(undefined, { data_plane_id: 'eu', project_id: fixture.projectId })).statusCode,
    ).toBe(401);
    expect(
      (await tokenRequest('viewer', { data_plane_id: 'mars', project_id: fixture.projectId })).statusCode,
    ).toBe(400);
    expect((await tokenRequest('viewer', { data_plane_id: 'eu' })).statusCode).toBe(400);
    expect(signs).toBe(0);
  });
});
