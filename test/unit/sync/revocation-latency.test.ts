/**
 * The 60 s bound: the controller writes a revocation to the registry as soon as it is received, and
 * the authenticator re-reads the registry once its positive cache entry (30 s at most) expires.
 */
import { describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../../lambdas/domain/auth/api-key';
import { createAuthenticator } from '../../../lambdas/domain/auth/authenticate';
import { CredentialRejected } from '../../../lambdas/domain/auth/credential-rejected';
import { apiKeyPayload, body, change, dataPlane, NOW } from './fixtures';

const KEY = generateApiKey();

describe('revocation through the sync reaches the authenticator within the cache TTL', () => {
  it('a key revoked through the controller is refused once the 30 s positive TTL has run out', async () => {
    let now = NOW;
    const clock = () => now;
    const world = dataPlane({ clock });
    const hash = hashApiKey(KEY);
    await world.controller.handle(await body(change('api-key.upserted', hash, 1, apiKeyPayload(hash))));
    const authenticate = createAuthenticator(world.registry, { clock });
    await expect(authenticate(`Bearer ${KEY}`, 'ingest')).resolves.toMatchObject({ project_id: 'proj-1' });

    now += 1_000;
    const result = await world.controller.handle(
      await body(change('api-key.revoked', hash, 2, apiKeyPayload(hash)), { issuedAt: now }),
    );
    expect(result.status).toBe('applied');

    // Cached from the first call: still accepted inside the TTL...
    now += 28_000;
    await expect(authenticate(`Bearer ${KEY}`, 'ingest')).resolves.toBeDefined();
    // ...and refused as soon as the TTL since the last registry read has passed (well inside 60 s).
    now = NOW + 30_000;
    const refusal = await authenticate(`Bearer ${KEY}`, 'ingest').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CredentialRejected);
    expect((refusal as CredentialRejected).kind).toBe('forbidden');
  });

  it('a fresh authenticator (a new Lambda instance) refuses at once', async () => {
    const world = dataPlane();
    const hash = hashApiKey(KEY);
    await world.controller.handle(await body(change('api-key.revoked', hash, 2, apiKeyPayload(hash))));
    await expect(createAuthenticator(world.registry)(`Bearer ${KEY}`, 'read')).rejects.toMatchObject({
      kind: 'forbidden',
    });
  });
});
