/**
 * The local platform's SecretSealer: the same Encryption SDK messages as on AWS, with the data keys
 * wrapped by a 256-bit AES key kept in the data folder (<data>/provider-keys/master.key, mode 600,
 * made on first use) instead of KMS. Whoever can read that file can open every stored provider key
 * of this data folder: it is a laptop's stand-in, as the rest of the folder is.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { EsdkSecretSealer } from '../aws/esdk-secret-sealer';

const KEY_BYTES = 32;
const LOCAL_MASTER_KEY_NAMESPACE = 'waggle-local';
const LOCAL_MASTER_KEY_NAME = 'provider-keys/master.key';

export function localMasterKeyPath(dataDir: string): string {
  return join(dataDir, 'provider-keys', 'master.key');
}

/** Reads the master key, creating it (32 random bytes, mode 600) when the folder has none. */
export async function loadLocalMasterKey(dataDir: string): Promise<Uint8Array> {
  const path = localMasterKeyPath(dataDir);
  await mkdir(join(dataDir, 'provider-keys'), { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite a key that exists (it would make every stored secret unreadable).
    await writeFile(path, randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = await readFile(path);
  if (key.byteLength !== KEY_BYTES) {
    throw new Error(
      `${path} is not a ${KEY_BYTES}-byte key (restore it from a backup, or remove the stored provider keys and it)`,
    );
  }
  if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return new Uint8Array(key);
}

export async function localSecretSealer(dataDir: string): Promise<EsdkSecretSealer> {
  const masterKey = await loadLocalMasterKey(dataDir);
  return new EsdkSecretSealer(
    new RawAesKeyringNode({
      keyNamespace: LOCAL_MASTER_KEY_NAMESPACE,
      keyName: LOCAL_MASTER_KEY_NAME,
      unencryptedMasterKey: masterKey,
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    }),
  );
}
