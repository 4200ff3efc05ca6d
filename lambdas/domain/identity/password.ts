/**
 * Password hashing for the local identity provider (Cognito does this in AWS): scrypt with a random
 * 16-byte salt, the cost parameters stored beside the hash so they can be raised later without
 * breaking old hashes, and a constant-time comparison.
 * Stored form: `scrypt$<N>$<r>$<p>$<salt base64url>$<hash base64url>`.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const SCHEME = 'scrypt';
/** 16 MiB of memory per hash (128 * N * r): slow for an attacker, fast enough for a sign-in. */
const DEFAULT_SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Refuse cost parameters that would let a tampered hash make verification take forever. */
const MAX_N = 1 << 20;
/** Longer inputs are not passwords; bound the work an attacker can ask for. */
const MAX_PASSWORD_LENGTH = 1024;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
    throw new Error(`a password has 1 to ${MAX_PASSWORD_LENGTH} characters`);
  }
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params);
  return [SCHEME, params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join(
    '$',
  );
}

/** False for a wrong password and for a stored value that is not a hash of ours (fail closed). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false;
  const parsed = parseStored(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.params);
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

function parseStored(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== SCHEME) return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const powerOfTwo = Number.isInteger(N) && N > 1 && N <= MAX_N && (N & (N - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
    return undefined;
  }
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const hash = Buffer.from(parts[5] as string, 'base64url');
  if (salt.length < SALT_BYTES || hash.length !== KEY_LENGTH) return undefined;
  return { params: { N, r, p }, salt, hash };
}
