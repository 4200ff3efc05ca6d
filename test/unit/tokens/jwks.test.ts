import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import {
  buildJwks,
  type KeyRing,
  keyRingJwks,
  publicKeyToJwk,
  rotateKeyRing,
} from '../../../lambdas/domain/tokens/jwks';

describe('JWKS', () => {
  it('publishes x and y of the key itself, with kid, alg and use', async () => {
    const signer = LocalSigner.generate('key-1');
    const spki = await signer.publicKeyDer();
    const jwks = buildJwks([{ keyId: 'key-1', publicKeyDer: spki }]);
    const expected = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({
      format: 'jwk',
    });
    expect(jwks).toEqual({
      keys: [
        { kty: 'EC', crv: 'P-256', x: expected.x, y: expected.y, kid: 'key-1', alg: 'ES256', use: 'sig' },
      ],
    });
    // And the JWK round-trips to the same public key.
    const back = createPublicKey({
      key: jwks.keys[0] as unknown as import('node:crypto').JsonWebKey,
      format: 'jwk',
    });
    expect(back.export({ format: 'der', type: 'spki' }).equals(Buffer.from(spki))).toBe(true);
  });

  it('lists a repeated kid once', async () => {
    const spki = await LocalSigner.generate('k').publicKeyDer();
    const jwks = buildJwks([
      { keyId: 'k', publicKeyDer: spki },
      { keyId: 'k', publicKeyDer: spki },
    ]);
    expect(jwks.keys).toHaveLength(1);
  });

  it('refuses keys that are not EC P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
      format: 'der',
      type: 'spki',
    });
    expect(() => publicKeyToJwk('rsa', rsa)).toThrow(/P-256/);
    expect(() => publicKeyToJwk('p384', p384)).toThrow(/P-256/);
    expect(() => publicKeyToJwk('junk', new Uint8Array([1, 2, 3]))).toThrow();
  });

  it('keeps the previous key published after a rotation, and drops the one before it', async () => {
    const first = LocalSigner.generate('key-1');
    const second = LocalSigner.generate('key-2');
    const third = LocalSigner.generate('key-3');
    let ring: KeyRing = { current: first };
    expect((await keyRingJwks(ring)).keys.map((k) => k.kid)).toEqual(['key-1']);
    const rotated = rotateKeyRing(ring, second);
    expect(rotated.current).toBe(second);
    expect((await keyRingJwks(rotated)).keys.map((k) => k.kid)).toEqual(['key-2', 'key-1']);
    ring = rotateKeyRing(rotated, third);
    expect((await keyRingJwks(ring)).keys.map((k) => k.kid)).toEqual(['key-3', 'key-2']);
  });

  it('refuses a rotation to a key with the same kid (verifiers could not tell them apart)', () => {
    const ring = { current: LocalSigner.generate('key-1') };
    expect(() => rotateKeyRing(ring, LocalSigner.generate('key-1'))).toThrow(/new keyId/);
  });
});
