/** The local identity provider: scrypt hashes, ES256 ID tokens checked like Cognito's, sign-in lockout. */
import { describe, expect, it } from 'vitest';
import { LocalSigner } from '../../../lambdas/adapters/local/local-signer';
import { RateLimitedError } from '../../../lambdas/domain/errors';
import { createLocalIdentityProvider } from '../../../lambdas/domain/identity/identity-provider';
import { hashPassword, verifyPassword } from '../../../lambdas/domain/identity/password';
import { createSignInLimiter } from '../../../lambdas/domain/identity/rate-limit';
import { MemoryUserStore } from '../../../lambdas/domain/identity/users';

const FAST = { N: 1024, r: 8, p: 1 };
const PASSWORD = 'correct horse battery';

describe('password hashes', () => {
  it('are salted, carry their parameters and verify only the right password', async () => {
    const a = await hashPassword(PASSWORD, FAST);
    const b = await hashPassword(PASSWORD, FAST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword('correct horse battery!', a)).toBe(false);
    expect(await verifyPassword('', a)).toBe(false);
  });

  it('refuse stored values that are not ours or ask for absurd work', async () => {
    const good = await hashPassword(PASSWORD, FAST);
    const parts = good.split('$');
    expect(await verifyPassword(PASSWORD, 'plain')).toBe(false);
    expect(await verifyPassword(PASSWORD, ['bcrypt', ...parts.slice(1)].join('$'))).toBe(false);
    expect(await verifyPassword(PASSWORD, ['scrypt', String(1 << 30), ...parts.slice(2)].join('$'))).toBe(
      false,
    );
    expect(await verifyPassword(PASSWORD, ['scrypt', '1000', ...parts.slice(2)].join('$'))).toBe(false);
    expect(await verifyPassword(PASSWORD, [...parts.slice(0, 5), 'AAAA'].join('$'))).toBe(false);
  });
});

describe('sign-in limiter', () => {
  it('locks a key out after maxFailures until the window ends, with Retry-After', () => {
    let now = 0;
    const limiter = createSignInLimiter({ maxFailures: 2, windowMs: 60_000, clock: () => now });
    limiter.check(['k']);
    limiter.recordFailure(['k']);
    limiter.check(['k']);
    limiter.recordFailure(['k']);
    let thrown: unknown;
    try {
      limiter.check(['other', 'k']);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RateLimitedError);
    expect((thrown as RateLimitedError).retryAfterSeconds).toBe(60);
    now = 59_000;
    expect(() => limiter.check(['k'])).toThrow(RateLimitedError);
    now = 60_000;
    expect(() => limiter.check(['k'])).not.toThrow();
  });
});

async function provider(options: { clock?: () => number } = {}) {
  const users = new MemoryUserStore();
  const signer = LocalSigner.generate('idp-test');
  const idp = createLocalIdentityProvider({
    users,
    signer,
    issuer: 'http://127.0.0.1:4319',
    audience: 'console',
    ...options,
  });
  await idp.createUser('Admin@Local', PASSWORD);
  return { idp, users, signer };
}

describe('local identity provider', () => {
  it('stores only a hash and signs in with the email in any case', async () => {
    const { idp, users } = await provider();
    const user = await users.findByEmail('admin@local');
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(users.all())).not.toContain(PASSWORD);
    const result = await idp.signIn('ADMIN@local', PASSWORD, '127.0.0.1');
    expect(result.user).toEqual({ id: user?.id, email: 'admin@local' });
    expect(await idp.verify(result.id_token)).toEqual({ sub: user?.id, email: 'admin@local' });
  });

  it('refuses weak passwords, bad emails and duplicates', async () => {
    const { idp } = await provider();
    await expect(idp.createUser('x@local', 'short')).rejects.toMatchObject({ kind: 'validation' });
    await expect(idp.createUser('not-an-email', PASSWORD)).rejects.toMatchObject({ kind: 'validation' });
    await expect(idp.createUser('admin@local', PASSWORD)).rejects.toThrow();
  });

  it('answers 401 alike for a wrong password and an unknown user', async () => {
    const { idp } = await provider();
    await expect(idp.signIn('admin@local', 'wrong password!!', 'a')).rejects.toMatchObject({
      kind: 'unauthorized',
    });
    await expect(idp.signIn('ghost@local', PASSWORD, 'b')).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it('locks an account out at one address after five failures, even with the right password', async () => {
    const { idp } = await provider();
    for (let i = 0; i < 5; i++) {
      await expect(idp.signIn('admin@local', `wrong-${i}-password`, '10.0.0.1')).rejects.toMatchObject({
        kind: 'unauthorized',
      });
    }
    const locked = idp.signIn('Admin@Local', PASSWORD, '10.0.0.1');
    await expect(locked).rejects.toMatchObject({ kind: 'rate-limited' });
    await expect(locked).rejects.toHaveProperty('retryAfterSeconds');
    // The same account from another address, and another account from this one, still sign in.
    await expect(idp.signIn('admin@local', PASSWORD, '10.0.0.2')).resolves.toHaveProperty('id_token');
    await idp.createUser('other@local', PASSWORD);
    await expect(idp.signIn('other@local', PASSWORD, '10.0.0.1')).resolves.toHaveProperty('id_token');
  });

  it('does not lock the admin out when someone else at the same address mistypes (locally everyone is 127.0.0.1)', async () => {
    const { idp } = await provider();
    for (let i = 0; i < 6; i++)
      await expect(idp.signIn(`typo${i % 2}@local`, 'nope-nope-nope', '127.0.0.1')).rejects.toThrow();
    await expect(idp.signIn('admin@local', PASSWORD, '127.0.0.1')).resolves.toHaveProperty('id_token');
  });

  it('bounds guesses from one address over all accounts with the address limit', async () => {
    const users = new MemoryUserStore();
    const idp = createLocalIdentityProvider({
      users,
      signer: LocalSigner.generate('idp-test'),
      issuer: 'http://127.0.0.1:4319',
      audience: 'console',
      addressLimiter: createSignInLimiter({ maxFailures: 3, windowMs: 60_000 }),
    });
    await idp.createUser('admin@local', PASSWORD);
    for (let i = 0; i < 3; i++)
      await expect(idp.signIn(`spray${i}@local`, 'guess-guess-guess', '198.51.100.7')).rejects.toMatchObject({
        kind: 'unauthorized',
      });
    await expect(idp.signIn('admin@local', PASSWORD, '198.51.100.7')).rejects.toMatchObject({
      kind: 'rate-limited',
    });
    await expect(idp.signIn('admin@local', PASSWORD, '198.51.100.8')).resolves.toHaveProperty('id_token');
  });

  it('refuses ID tokens with another issuer, audience, key, a tampered payload or past expiry', async () => {
    const now = Date.now();
    const { idp } = await provider();
    const { id_token } = await idp.signIn('admin@local', PASSWORD, 'c');
    const [header, payload, signature] = id_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    expect(await idp.verify(`${header}.${forged}.${signature}`)).toBeUndefined();
    expect(await idp.verify(`${header}.${payload}.`)).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(await idp.verify(`${none}.${payload}.`)).toBeUndefined();

    const otherIssuer = createLocalIdentityProvider({
      users: new MemoryUserStore(),
      signer: LocalSigner.generate('idp-test'),
      issuer: 'http://evil',
      audience: 'console',
    });
    await otherIssuer.createUser('admin@local', PASSWORD);
    const foreign = (await otherIssuer.signIn('admin@local', PASSWORD, 'd')).id_token;
    expect(await idp.verify(foreign)).toBeUndefined();

    const stale = await provider({ clock: () => now - 2 * 3600_000 });
    const expired = (await stale.idp.signIn('admin@local', PASSWORD, 'e')).id_token;
    expect(await stale.idp.verify(expired)).toBeUndefined();
  });

  it('refuses an ID token for another audience signed with the same key', async () => {
    const users = new MemoryUserStore();
    const signer = LocalSigner.generate('shared');
    const make = (audience: string) =>
      createLocalIdentityProvider({ users, signer, issuer: 'http://127.0.0.1:4319', audience });
    await make('console').createUser('admin@local', PASSWORD);
    const token = (await make('other-client').signIn('admin@local', PASSWORD, 'f')).id_token;
    expect(await make('console').verify(token)).toBeUndefined();
    expect(await make('other-client').verify(token)).toBeDefined();
  });
});
