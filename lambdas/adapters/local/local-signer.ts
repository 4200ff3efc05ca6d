/**
 * Signer on a node:crypto ECDSA P-256 key: the local platform's stand-in for KMS. The caller
 * persists the private key as PEM (toPem) so tokens survive a restart; it never leaves the machine.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { Signer } from '../../domain/tokens/signer';

export class LocalSigner implements Signer {
  private constructor(
    readonly keyId: string,
    private readonly privateKey: KeyObject,
  ) {
    if (
      privateKey.asymmetricKeyType !== 'ec' ||
      privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
    ) {
      throw new Error('LocalSigner needs an EC P-256 private key');
    }
  }

  static generate(keyId: string): LocalSigner {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    return new LocalSigner(keyId, privateKey);
  }

  /** A PKCS#8 (or SEC1) PEM private key, as written by toPem. */
  static fromPem(keyId: string, pem: string): LocalSigner {
    return new LocalSigner(keyId, createPrivateKey({ key: pem, format: 'pem' }));
  }

  toPem(): string {
    return this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    // 'der' is node's default; named so the port's contract (DER, like KMS) is visible here.
    return sign('sha256', message, { key: this.privateKey, dsaEncoding: 'der' });
  }

  async publicKeyDer(): Promise<Uint8Array> {
    return createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' });
  }
}
