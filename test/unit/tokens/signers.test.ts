import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsSigner } from '../../../lambdas/adapters/aws/kms-signer';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import { issueToken } from '../../../lambdas/domain/tokens/issue-token';
import { es256Verifies, SUBJECT } from './support';

const NOW = Date.UTC(2026, 10, 1);
const kms = mockClient(KMSClient);
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const spki = publicKey.export({ format: 'der', type: 'spki' });

/**
 * node:crypto cannot sign a bare SHA-256 digest with ECDSA, so for DIGEST requests the mock looks
 * the original message up by its digest; the signature is then what KMS would return for it.
 */
const originals = new Map<string, Buffer>();
function rememberOriginal(message: Uint8Array): void {
  originals.set(createHash('sha256').update(message).digest('hex'), Buffer.from(message));
}

/** Answers Sign like KMS: a DER ECDSA signature over the RAW message or over the DIGEST's message. */
function kmsSignsWithLocalKey(): void {
  kms.on(SignCommand).callsFake(async (input: { Message: Uint8Array; MessageType: string }) => {
    const message =
      input.MessageType === 'DIGEST'
        ? originals.get(Buffer.from(input.Message).toString('hex'))
        : input.Message;
    if (!message) throw new Error('digest of a message the test did not register');
    const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
    return { Signature: new Uint8Array(signature), SigningAlgorithm: 'ECDSA_SHA_256' };
  });
  kms.on(GetPublicKeyCommand).resolves({
    PublicKey: new Uint8Array(spki),
    KeySpec: 'ECC_NIST_P256',
    SigningAlgorithms: ['ECDSA_SHA_256'],
  });
}

afterEach(() => kms.reset());

describe('KmsSigner', () => {
  it('signs a JWT as RAW through KMS, and the token verifies with the published key', async () => {
    kmsSignsWithLocalKey();
    const signer = new KmsSigner(new KMSClient({ region: 'eu-west-1' }), 'key-uuid-1');
    const { token } = await issueToken(signer, SUBJECT, { now: NOW, ttlSeconds: 300 });
    expect(es256Verifies(token, await signer.publicKeyDer())).toBe(true);
    const call = kms.commandCalls(SignCommand)[0]?.args[0].input;
    expect(call).toMatchObject({
      KeyId: 'key-uuid-1',
      SigningAlgorithm: 'ECDSA_SHA_256',
      MessageType: 'RAW',
    });
    expect(Buffer.from(call?.Message ?? []).toString()).toBe(token.split('.').slice(0, 2).join('.'));
  });

  it('sends messages over 4096 bytes as a SHA-256 DIGEST, and exactly 4096 bytes as RAW', async () => {
    kmsSignsWithLocalKey();
    const signer = new KmsSigner(new KMSClient({ region: 'eu-west-1' }), 'key-uuid-1');
    const atLimit = Buffer.alloc(4096, 'a');
    await signer.sign(atLimit);
    const overLimit = Buffer.alloc(4097, 'b');
    rememberOriginal(overLimit);
    await signer.sign(overLimit);
    const [raw, digest] = kms.commandCalls(SignCommand).map((c) => c.args[0].input);
    expect(raw).toMatchObject({ MessageType: 'RAW', Message: atLimit });
    expect(digest?.MessageType).toBe('DIGEST');
    expect(Buffer.from(digest?.Message ?? []).equals(createHash('sha256').update(overLimit).digest())).toBe(
      true,
    );
  });

  it('issues a token whose signing input exceeds 4096 bytes (digest path) that still verifies', async () => {
    kmsSignsWithLocalKey();
    const signer = new KmsSigner(new KMSClient({ region: 'eu-west-1' }), 'key-uuid-1');
    const many = { ...SUBJECT, projects: Array.from({ length: 200 }, (_, i) => `project-${i}-abcdefgh`) };
    const spy = signer.sign.bind(signer);
    signer.sign = async (message) => {
      rememberOriginal(message);
      return spy(message);
    };
    const { token } = await issueToken(signer, many, { now: NOW, ttlSeconds: 300 });
    expect(token.split('.').slice(0, 2).join('.').length).toBeGreaterThan(4096);
    expect(kms.commandCalls(SignCommand)[0]?.args[0].input.MessageType).toBe('DIGEST');
    expect(es256Verifies(token, spki)).toBe(true);
  });

  it('publishes a kid other than the KMS key id when asked (no ARN in every token)', () => {
    const signer = new KmsSigner(new KMSClient({}), 'arn:aws:kms:eu-west-1:111122223333:key/x', {
      kid: 'cp-2026-11',
    });
    expect(signer.keyId).toBe('cp-2026-11');
  });

  it('reads the public key from KMS once', async () => {
    kmsSignsWithLocalKey();
    const signer = new KmsSigner(new KMSClient({ region: 'eu-west-1' }), 'key-uuid-1');
    await Promise.all([signer.publicKeyDer(), signer.publicKeyDer()]);
    await signer.publicKeyDer();
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('retries GetPublicKey after a failure instead of caching the error', async () => {
    kms
      .on(GetPublicKeyCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({
        PublicKey: new Uint8Array(spki),
        KeySpec: 'ECC_NIST_P256',
        SigningAlgorithms: ['ECDSA_SHA_256'],
      });
    const signer = new KmsSigner(new KMSClient({ region: 'eu-west-1' }), 'key-uuid-1');
    await expect(signer.publicKeyDer()).rejects.toThrow('throttled');
    await expect(signer.publicKeyDer()).resolves.toHaveLength(spki.length);
  });

  it('refuses a KMS key that is not ECC_NIST_P256', async () => {
    kms.on(GetPublicKeyCommand).resolves({
      PublicKey: new Uint8Array(spki),
      KeySpec: 'RSA_2048',
      SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'],
    });
    const signer = new KmsSigner(new KMSClient({ region: 'eu-west-1' }), 'key-uuid-1');
    await expect(signer.publicKeyDer()).rejects.toThrow(/ECC_NIST_P256/);
  });

  it('fails when KMS returns no signature', async () => {
    kms.on(SignCommand).resolves({});
    const signer = new KmsSigner(new KMSClient({ region: 'eu-west-1' }), 'key-uuid-1');
    await expect(signer.sign(Buffer.from('x'))).rejects.toThrow(/no signature/);
  });
});

describe('LocalSigner', () => {
  it('survives a PEM round trip: tokens from the reloaded key verify with the original public key', async () => {
    const original = LocalSigner.generate('local-1');
    const reloaded = LocalSigner.fromPem('local-1', original.toPem());
    const { token } = await issueToken(reloaded, SUBJECT, { now: NOW, ttlSeconds: 60 });
    expect(es256Verifies(token, await original.publicKeyDer())).toBe(true);
  });

  it('refuses keys that are not EC P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    expect(() => LocalSigner.fromPem('k', rsa.toString())).toThrow(/P-256/);
    expect(() => LocalSigner.fromPem('k', p384.toString())).toThrow(/P-256/);
  });
});
