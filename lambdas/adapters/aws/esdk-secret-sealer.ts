/**
 * SecretSealer on the AWS Encryption SDK (envelope encryption): each secret is encrypted under a
 * fresh data key, which the keyring wraps (a KMS key on AWS, a local AES-256 key on a laptop:
 * ../local/local-secret-sealer.ts). The message is self-describing (algorithm, wrapped data key,
 * encryption context, ECDSA signature) and is what the provider-key table stores.
 *
 * - Commitment: REQUIRE_ENCRYPT_REQUIRE_DECRYPT (key-committing suites only).
 * - The default suite (AES-256-GCM, HKDF-SHA512, key commitment, ECDSA P-384 signature): a holder
 *   of kms:Decrypt alone (the future proxy) can read secrets but cannot forge a sealed one.
 * - At most one encrypted data key per message: we write one, and reading more is refused.
 * - The encryption context binds the message to its record; open() checks that the context the
 *   message carries is exactly the one expected (besides the SDK's own aws-crypto-* entries), so a
 *   ciphertext copied onto another record's row does not open. KMS also sees the context, so IAM
 *   conditions and CloudTrail can name it.
 *
 * Errors never carry the plaintext: failures are reported as SealedSecretError with the SDK error's
 * name only (and KMS's own message when KMS refused).
 */
import {
  buildClient,
  CommitmentPolicy,
  type KeyringNode,
  type KMS,
  KmsKeyringNode,
} from '@aws-crypto/client-node';
import type { SecretSealer } from '../../domain/providers/ports';
import type { SealContext } from '../../domain/providers/record';

const { encrypt, decrypt } = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

/** A sealed secret of the largest accepted key is ~9 KB; anything larger is not one of ours. */
const MAX_BODY_BYTES = 64 * 1024;
const SDK_CONTEXT_PREFIX = 'aws-crypto-';

export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

export class EsdkSecretSealer implements SecretSealer {
  constructor(private readonly keyring: KeyringNode) {}

  async seal(plaintext: Uint8Array, context: SealContext): Promise<Uint8Array> {
    for (const key of Object.keys(context)) {
      if (key.startsWith(SDK_CONTEXT_PREFIX)) throw new Error(`context key ${key} is reserved by the SDK`);
    }
    let result: Buffer;
    try {
      ({ result } = await encrypt(this.keyring, plaintext, { encryptionContext: { ...context } }));
    } catch (error) {
      throw new SealedSecretError(`the secret could not be sealed (${nameOf(error)})`);
    }
    return new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
  }

  async open(ciphertext: Uint8Array, context: SealContext): Promise<Uint8Array> {
    let opened: Awaited<ReturnType<typeof decrypt>>;
    try {
      opened = await decrypt(this.keyring, ciphertext, { maxBodySize: MAX_BODY_BYTES });
    } catch (error) {
      throw new SealedSecretError(`the sealed secret did not open (${nameOf(error)})`);
    }
    const found = opened.messageHeader.encryptionContext;
    const ours = Object.keys(found).filter((key) => !key.startsWith(SDK_CONTEXT_PREFIX));
    const expected = Object.keys(context);
    const matches =
      ours.length === expected.length &&
      expected.every((key) => Object.hasOwn(found, key) && found[key] === context[key]);
    if (!matches) {
      opened.plaintext.fill(0);
      throw new SealedSecretError(
        'the sealed secret belongs to another record (encryption context mismatch)',
      );
    }
    const { plaintext } = opened;
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  }
}

/**
 * The AWS sealer: data keys from GenerateDataKey on `keyArn` (encrypt) and Decrypt on that key only
 * (the keyring is strict: it never tries a key the message names but this keyring does not).
 */
export function kmsSecretSealer(kms: KMS, keyArn: string): EsdkSecretSealer {
  return new EsdkSecretSealer(new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => kms }));
}

/**
 * What a failure is called: the error's name, and for an AWS service's refusal (KMS: AccessDenied,
 * a disabled key, throttling) its message too, which says why and never holds our data.
 */
function nameOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const fromService = typeof (error as { $fault?: unknown }).$fault === 'string';
  return fromService ? `${error.name}: ${error.message}` : error.name;
}
