/**
 * Envelope encryption of provider secrets with the AWS Encryption SDK: the local keyring (an AES key
 * in the data folder) and the KMS keyring (against a stand-in KMS that binds the encryption context
 * as AWS KMS does), the binding of each ciphertext to its record, and the sizes DynamoDB must hold.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KMS } from '@aws-crypto/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type EsdkSecretSealer,
  kmsSecretSealer,
  SealedSecretError,
} from '../../../lambdas/adapters/aws/esdk-secret-sealer';
import {
  loadLocalMasterKey,
  localMasterKeyPath,
  localSecretSealer,
} from '../../../lambdas/adapters/local/local-secret-sealer';
import {
  PROVIDER_SECRET_PURPOSE,
  type ProviderKeyRef,
  sealContextOf,
} from '../../../lambdas/domain/providers/record';
import { MAX_API_KEY_LENGTH } from '../../../lambdas/domain/providers/request';

const KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const REF: ProviderKeyRef = {
  org_id: 'org-1',
  workspace_id: 'ws-1',
  project_id: 'proj-1',
  provider: 'openai',
};
const SECRET = 'sk-proj-RECOGNISABLE-secret-0123456789';
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

/**
 * DynamoDB's item size limit: 400 KB, attribute names and values together
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items).
 */
const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;

/** A stand-in for KMS GenerateDataKey/Decrypt: wraps data keys with AES-GCM, the context as AAD. */
class FakeKms {
  readonly calls: { op: string; KeyId: string; EncryptionContext: Record<string, string> }[] = [];
  private readonly master = randomBytes(32);

  private aad(context: Record<string, string>) {
    return Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));
  }

  async generateDataKey(input: {
    KeyId: string;
    NumberOfBytes: number;
    EncryptionContext: Record<string, string>;
  }) {
    this.calls.push({
      op: 'GenerateDataKey',
      KeyId: input.KeyId,
      EncryptionContext: input.EncryptionContext,
    });
    const plaintext = randomBytes(input.NumberOfBytes);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.master, iv).setAAD(this.aad(input.EncryptionContext));
    const blob = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    // KMS's CiphertextBlob for a 32-byte key is ~184 bytes; pad to that so sizes are realistic.
    return {
      KeyId: input.KeyId,
      Plaintext: plaintext,
      CiphertextBlob: Buffer.concat([blob, Buffer.alloc(184 - blob.length)]),
    };
  }

  async decrypt(input: {
    KeyId: string;
    CiphertextBlob: Uint8Array;
    EncryptionContext: Record<string, string>;
  }) {
    this.calls.push({ op: 'Decrypt', KeyId: input.KeyId, EncryptionContext: input.EncryptionContext });
    const blob = Buffer.from(input.CiphertextBlob);
    const iv = blob.subarray(0, 12);
    const body = blob.subarray(12, 12 + 32);
    const tag = blob.subarray(44, 60);
    const decipher = createDecipheriv('aes-256-gcm', this.master, iv).setAAD(
      this.aad(input.EncryptionContext),
    );
    decipher.setAuthTag(tag);
    return { KeyId: input.KeyId, Plaintext: Buffer.concat([decipher.update(body), decipher.final()]) };
  }
}

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-sealer-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('the local master key', () => {
  it('is made on first use: 32 random bytes, mode 600, then reused', async () => {
    const first = await loadLocalMasterKey(dataDir);
    const path = localMasterKeyPath(dataDir);
    expect(path).toBe(join(dataDir, 'provider-keys', 'master.key'));
    expect(first.byteLength).toBe(32);
    if (process.platform !== 'win32') expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await loadLocalMasterKey(dataDir)).toEqual(first);
    expect(new Uint8Array(await readFile(path))).toEqual(first);
  });

  it('refuses a damaged key file rather than replacing it', async () => {
    await loadLocalMasterKey(dataDir);
    await writeFile(localMasterKeyPath(dataDir), Buffer.alloc(7));
    await expect(loadLocalMasterKey(dataDir)).rejects.toThrow(/is not a 32-byte key/);
  });
});

describe('the local sealer', () => {
  it('seals and opens a secret; the sealed form holds neither the secret nor its base64', async () => {
    const sealer = await localSecretSealer(dataDir);
    const sealed = await sealer.seal(bytes(SECRET), sealContextOf(REF));
    const raw = Buffer.from(sealed).toString('latin1');
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(text(await sealer.open(sealed, sealContextOf(REF)))).toBe(SECRET);
    // The same secret sealed twice differs (fresh data key and IV each time).
    expect(
      Buffer.from(await sealer.seal(bytes(SECRET), sealContextOf(REF))).equals(Buffer.from(sealed)),
    ).toBe(false);
  });

  it('opens after a restart with the same data folder, and not with another', async () => {
    const sealed = await (await localSecretSealer(dataDir)).seal(bytes(SECRET), sealContextOf(REF));
    expect(text(await (await localSecretSealer(dataDir)).open(sealed, sealContextOf(REF)))).toBe(SECRET);
    const other = await mkdtemp(join(tmpdir(), 'waggle-sealer-other-'));
    try {
      await expect((await localSecretSealer(other)).open(sealed, sealContextOf(REF))).rejects.toThrow(
        SealedSecretError,
      );
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('does not open a ciphertext copied onto another record', async () => {
    const sealer = await localSecretSealer(dataDir);
    const sealed = await sealer.seal(bytes(SECRET), sealContextOf(REF));
    for (const other of [
      { ...REF, org_id: 'org-2' },
      { ...REF, workspace_id: 'ws-2' },
      { ...REF, project_id: 'proj-2' },
      { ...REF, project_id: null },
      { ...REF, provider: 'anthropic' as const },
    ]) {
      const error = await sealer.open(sealed, sealContextOf(other)).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(other)).toBeInstanceOf(SealedSecretError);
      expect((error as Error).message).toMatch(/another record/);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it('refuses a tampered ciphertext without quoting anything of it', async () => {
    const sealer = await localSecretSealer(dataDir);
    const sealed = await sealer.seal(bytes(SECRET), sealContextOf(REF));
    const tampered = Uint8Array.from(sealed);
    tampered[tampered.length - 120] = (tampered[tampered.length - 120] as number) ^ 1;
    await expect(sealer.open(tampered, sealContextOf(REF))).rejects.toThrow(
      /^the sealed secret did not open \(/,
    );
    await expect(sealer.open(bytes('not a message'), sealContextOf(REF))).rejects.toThrow(SealedSecretError);
  });

  it('refuses context keys the SDK reserves', async () => {
    const sealer = await localSecretSealer(dataDir);
    await expect(sealer.seal(bytes(SECRET), { 'aws-crypto-public-key': 'x' })).rejects.toThrow(/reserved/);
  });
});

describe('the KMS sealer', () => {
  it('asks KMS for a data key under the configured key with the record as encryption context, and opens through Decrypt', async () => {
    const kms = new FakeKms();
    const sealer = kmsSecretSealer(kms as unknown as KMS, KEY_ARN);
    const sealed = await sealer.seal(bytes(SECRET), sealContextOf(REF));
    expect(kms.calls).toHaveLength(1);
    expect(kms.calls[0]).toMatchObject({
      op: 'GenerateDataKey',
      KeyId: KEY_ARN,
      EncryptionContext: {
        purpose: PROVIDER_SECRET_PURPOSE,
        org: 'org-1',
        workspace: 'ws-1',
        project: 'proj-1',
        provider: 'openai',
      },
    });
    expect(text(await sealer.open(sealed, sealContextOf(REF)))).toBe(SECRET);
    expect(kms.calls[1]).toMatchObject({ op: 'Decrypt', KeyId: KEY_ARN });
    // KMS sees the context (IAM conditions and CloudTrail can name the record): the SDK adds its public key.
    expect(kms.calls[1]?.EncryptionContext).toMatchObject({
      purpose: PROVIDER_SECRET_PURPOSE,
      project: 'proj-1',
    });
  });

  it('does not open a ciphertext copied onto another record', async () => {
    const kms = new FakeKms();
    const sealer = kmsSecretSealer(kms as unknown as KMS, KEY_ARN);
    const sealed = await sealer.seal(bytes(SECRET), sealContextOf(REF));
    await expect(sealer.open(sealed, sealContextOf({ ...REF, project_id: 'proj-2' }))).rejects.toThrow(
      /another record/,
    );
  });

  it('does not try a KMS key it was not given (strict keyring)', async () => {
    const kms = new FakeKms();
    const sealed = await kmsSecretSealer(kms as unknown as KMS, KEY_ARN).seal(
      bytes(SECRET),
      sealContextOf(REF),
    );
    const otherKey = KEY_ARN.replace('1234abcd', 'ffffffff');
    await expect(
      kmsSecretSealer(kms as unknown as KMS, otherKey).open(sealed, sealContextOf(REF)),
    ).rejects.toThrow(SealedSecretError);
    expect(kms.calls.filter((call) => call.op === 'Decrypt')).toHaveLength(0);
  });

  it('keeps the sealed form of the largest accepted key far below the DynamoDB item limit', async () => {
    const longest = 'k'.repeat(MAX_API_KEY_LENGTH);
    const ref: ProviderKeyRef = {
      org_id: 'o'.repeat(64),
      workspace_id: 'w'.repeat(64),
      project_id: 'p'.repeat(64),
      provider: 'openai-compatible',
    };
    const sealers: EsdkSecretSealer[] = [
      kmsSecretSealer(new FakeKms() as unknown as KMS, KEY_ARN),
      await localSecretSealer(dataDir),
    ];
    for (const sealer of sealers) {
      const sealed = await sealer.seal(bytes(longest), sealContextOf(ref));
      // The secret plus about 1 KB of header, wrapped key, context and signature.
      expect(sealed.byteLength).toBeLessThan(MAX_API_KEY_LENGTH + 2048);
      expect(sealed.byteLength * 10).toBeLessThan(DYNAMODB_MAX_ITEM_BYTES);
    }
  });

  it("reports KMS's refusal by name and message, and nothing of the secret", async () => {
    const kms = new FakeKms();
    kms.generateDataKey = async () => {
      throw Object.assign(new Error('User is not authorized to perform kms:GenerateDataKey'), {
        name: 'AccessDeniedException',
        $fault: 'client',
      });
    };
    const error = await kmsSecretSealer(kms as unknown as KMS, KEY_ARN)
      .seal(bytes(SECRET), sealContextOf(REF))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SealedSecretError);
    expect((error as Error).message).toBe(
      'the secret could not be sealed (AccessDeniedException: User is not authorized to perform kms:GenerateDataKey)',
    );
  });
});
