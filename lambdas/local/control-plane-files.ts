/**
 * What the local control plane keeps in files (mode 600, written atomically): its users (password
 * hashes only) and its private keys (stand-ins for KMS: the token key, the ID-token key, the sync key).
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LocalUser, UserStore } from '../domain/identity/users';
import { MemoryUserStore, normalizeEmail } from '../domain/identity/users';

async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  await rename(temp, path);
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${path} cannot be read (${(error as Error).message}); fix or delete it`);
  }
}

/** Users in one JSON file, rewritten on every change (a handful of local users). */
export class FileUserStore implements UserStore {
  private constructor(
    private readonly path: string,
    private readonly memory: MemoryUserStore,
  ) {}

  static async open(path: string): Promise<FileUserStore> {
    const memory = new MemoryUserStore();
    const saved = await readJson(path);
    for (const user of Array.isArray(saved) ? (saved as LocalUser[]) : []) await memory.create(user);
    return new FileUserStore(path, memory);
  }

  findByEmail(email: string): Promise<LocalUser | undefined> {
    return this.memory.findByEmail(normalizeEmail(email));
  }

  async create(user: LocalUser): Promise<void> {
    await this.memory.create(user);
    await writePrivateFile(this.path, `${JSON.stringify(this.memory.all(), null, 2)}\n`);
  }
}

interface ControlPlaneKeys {
  /** Signs data-plane tokens (KMS in AWS). */
  tokens: string;
  /** Signs ID tokens (Cognito's key in AWS). */
  identity: string;
  /** Signs config-sync messages. */
  sync: string;
}

/** Loads the PEM private keys, generating and saving them on first start (so tokens and queued sync messages survive a restart). */
export async function loadOrCreateKeys(path: string): Promise<ControlPlaneKeys> {
  const saved = await loadKeys(path);
  if (saved) return saved;
  const keys: ControlPlaneKeys = { tokens: newPem(), identity: newPem(), sync: newPem() };
  await writePrivateFile(path, `${JSON.stringify(keys, null, 2)}\n`);
  return keys;
}

/** The saved keys, or undefined when the control plane has not made them yet. */
export async function loadKeys(path: string): Promise<ControlPlaneKeys | undefined> {
  const saved = (await readJson(path)) as Partial<ControlPlaneKeys> | undefined;
  if (
    saved &&
    typeof saved.tokens === 'string' &&
    typeof saved.identity === 'string' &&
    typeof saved.sync === 'string'
  ) {
    return { tokens: saved.tokens, identity: saved.identity, sync: saved.sync };
  }
  return undefined;
}

function newPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function privateKeyOf(pem: string): KeyObject {
  return createPrivateKey({ key: pem, format: 'pem' });
}
