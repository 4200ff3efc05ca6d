/**
 * The JWKS the control plane publishes at /.well-known/jwks.json. During a rotation it lists the
 * previous key beside the current one, so tokens signed just before the switch keep verifying
 * until they expire (at most 15 minutes later).
 */
import { createPublicKey } from 'node:crypto';
import type { PublicKeySource, Signer } from './signer';

interface EcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface Jwks {
  keys: EcJwk[];
}

/** One P-256 SPKI public key -> its JWK. Throws for any other key type or curve. */
export function publicKeyToJwk(keyId: string, publicKeyDer: Uint8Array): EcJwk {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new Error(`key ${keyId} is not an EC P-256 public key`);
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: keyId, alg: 'ES256', use: 'sig' };
}

/** Keys in the order given; a repeated kid is listed once (the first wins). */
export function buildJwks(keys: { keyId: string; publicKeyDer: Uint8Array }[]): Jwks {
  const seen = new Set<string>();
  const jwks: Jwks = { keys: [] };
  for (const { keyId, publicKeyDer } of keys) {
    if (seen.has(keyId)) continue;
    seen.add(keyId);
    jwks.keys.push(publicKeyToJwk(keyId, publicKeyDer));
  }
  return jwks;
}

/** The signing key now, and the one it replaced (still published, no longer used to sign). */
export interface KeyRing {
  current: Signer;
  previous?: PublicKeySource;
}

/** After a rotation `next` signs; the old current stays published; the old previous is dropped. */
export function rotateKeyRing(ring: KeyRing, next: Signer): KeyRing {
  if (next.keyId === ring.current.keyId) throw new Error('rotation needs a key with a new keyId');
  return { current: next, previous: ring.current };
}

export async function keyRingJwks(ring: KeyRing): Promise<Jwks> {
  const sources = ring.previous ? [ring.current, ring.previous] : [ring.current];
  const keys = await Promise.all(
    sources.map(async (source) => ({ keyId: source.keyId, publicKeyDer: await source.publicKeyDer() })),
  );
  return buildJwks(keys);
}
