/**
 * Signer on an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY). The private key never leaves KMS;
 * KMS returns a DER ECDSA signature. KMS takes at most 4096 bytes of raw message, so longer signing
 * inputs are hashed here and sent as a DIGEST, which yields the same signature over the same bytes.
 */
import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { Signer } from '../../domain/tokens/signer';

const KMS_RAW_MESSAGE_LIMIT = 4096;

interface KmsSignerOptions {
  /**
   * The `kid` published in tokens and the JWKS; defaults to keyId. Pass something opaque (a key
   * UUID, not an ARN) if the account id should not appear in every token.
   */
  kid?: string;
}

export class KmsSigner implements Signer {
  readonly keyId: string;
  private publicKey: Promise<Uint8Array> | undefined;

  constructor(
    private readonly client: KMSClient,
    private readonly kmsKeyId: string,
    options: KmsSignerOptions = {},
  ) {
    this.keyId = options.kid ?? kmsKeyId;
  }

  async sign(message: Uint8Array): Promise<Uint8Array> {
    const asDigest = message.length > KMS_RAW_MESSAGE_LIMIT;
    const output = await this.client.send(
      new SignCommand({
        KeyId: this.kmsKeyId,
        SigningAlgorithm: 'ECDSA_SHA_256',
        MessageType: asDigest ? 'DIGEST' : 'RAW',
        Message: asDigest ? createHash('sha256').update(message).digest() : message,
      }),
    );
    if (!output.Signature || output.Signature.length === 0) throw new Error('KMS Sign returned no signature');
    return output.Signature;
  }

  /** Fetched once per instance (the key material of a KMS key never changes); a failure is retried next time. */
  publicKeyDer(): Promise<Uint8Array> {
    this.publicKey ??= this.fetchPublicKey().catch((error: unknown) => {
      this.publicKey = undefined;
      throw error;
    });
    return this.publicKey;
  }

  private async fetchPublicKey(): Promise<Uint8Array> {
    const output = await this.client.send(new GetPublicKeyCommand({ KeyId: this.kmsKeyId }));
    if (output.KeySpec !== 'ECC_NIST_P256' || !output.SigningAlgorithms?.includes('ECDSA_SHA_256')) {
      throw new Error(`KMS key ${this.keyId} is not an ECC_NIST_P256 ECDSA_SHA_256 signing key`);
    }
    if (!output.PublicKey) throw new Error('KMS GetPublicKey returned no public key');
    return output.PublicKey;
  }
}
