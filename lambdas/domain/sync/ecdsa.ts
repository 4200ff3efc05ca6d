/**
 * MessageSigner / MessageVerifier over node:crypto ECDSA P-256 keys: the local platform's stand-in
 * for the control plane's KMS key, and the data plane's verifier for the control plane's public keys
 * (several at once, so messages signed before a key rotation still verify).
 */
import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import type { MessageSigner, MessageVerifier } from './signing';

function assertP256(key: KeyObject, role: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1')
    throw new Error(`${role} must be an ECDSA P-256 key`);
}

export function createEcdsaSigner(privateKey: KeyObject, keyId: string): MessageSigner {
  if (privateKey.type !== 'private') throw new Error('signing key must be a private key');
  assertP256(privateKey, 'signing key');
  return {
    keyId,
    sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

/** Verifies against the public keys by keyId; an unknown keyId or a non-DER signature is simply invalid. */
export function createEcdsaVerifier(publicKeys: ReadonlyMap<string, KeyObject>): MessageVerifier {
  const keys = new Map<string, KeyObject>();
  for (const [keyId, key] of publicKeys) {
    const publicKey = key.type === 'private' ? createPublicKey(key) : key;
    assertP256(publicKey, `key ${keyId}`);
    keys.set(keyId, publicKey);
  }
  return {
    verify: async (data, signature, keyId) => {
      const key = keys.get(keyId);
      if (!key) return false;
      try {
        return verify('sha256', data, { key, dsaEncoding: 'der' }, signature);
      } catch {
        // node throws on signatures that are not DER at all; that is a bad signature, not an outage.
        return false;
      }
    },
  };
}

/** A fresh P-256 key pair (local platform first start, tests). */
export function generateSyncKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}
