/**
 * The local identity provider, Cognito's stand-in on the local platform: users sign in with email
 * and password and get an ES256 ID token that the local control plane verifies as its actor
 * source. Failed sign-ins lock out an account at one client address (5 in 15 minutes), and an
 * address over all accounts much later (50): 429 + Retry-After, before the password is checked.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { UnauthorizedError, ValidationError } from '../errors';
import { buildJwks, type Jwks } from '../tokens/jwks';
import type { Signer } from '../tokens/signer';
import { createIdTokenVerifier, ID_TOKEN_TTL_SECONDS, type IdTokenVerifier, issueIdToken } from './id-token';
import { hashPassword, verifyPassword } from './password';
import {
  createSignInLimiter,
  SIGN_IN_ADDRESS_LIMIT_DEFAULTS,
  SIGN_IN_LIMIT_DEFAULTS,
  type SignInLimiter,
} from './rate-limit';
import { type LocalUser, normalizeEmail, type UserStore } from './users';

export interface LocalIdentityProviderDeps {
  users: UserStore;
  signer: Signer;
  /** The `iss` of ID tokens (the control plane's URL). */
  issuer: string;
  /** The `aud` of ID tokens (the app client id). */
  audience: string;
  /** Failures per account and client address. */
  limiter?: SignInLimiter;
  /** Failures per client address, over all accounts (a looser bound against spraying). */
  addressLimiter?: SignInLimiter;
  clock?: () => number;
}

export interface SignInResult {
  id_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: { id: string; email: string };
}

export interface LocalIdentityProvider {
  createUser(email: string, password: string): Promise<LocalUser>;
  /** `client` identifies the caller for rate limiting (its address). UnauthorizedError on bad credentials, RateLimitedError when locked out. */
  signIn(email: string, password: string, client: string): Promise<SignInResult>;
  verify: IdTokenVerifier;
  jwks(): Promise<Jwks>;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 12;

export function createLocalIdentityProvider(deps: LocalIdentityProviderDeps): LocalIdentityProvider {
  const clock = deps.clock ?? Date.now;
  const limiter = deps.limiter ?? createSignInLimiter({ ...SIGN_IN_LIMIT_DEFAULTS, clock });
  const addressLimiter =
    deps.addressLimiter ?? createSignInLimiter({ ...SIGN_IN_ADDRESS_LIMIT_DEFAULTS, clock });
  // Unknown emails are checked against this, so they take as long as a wrong password.
  const decoy = hashPassword(randomBytes(18).toString('base64url'));
  const jwks = async () =>
    buildJwks([{ keyId: deps.signer.keyId, publicKeyDer: await deps.signer.publicKeyDer() }]);

  return {
    async createUser(email, password) {
      const normalized = normalizeEmail(email);
      if (!EMAIL.test(normalized)) throw new ValidationError('A valid email is required');
      if (password.length < MIN_PASSWORD_LENGTH) {
        throw new ValidationError(`A password has at least ${MIN_PASSWORD_LENGTH} characters`);
      }
      const user: LocalUser = {
        id: randomUUID(),
        email: normalized,
        passwordHash: await hashPassword(password),
        createdAt: new Date(clock()).toISOString(),
      };
      await deps.users.create(user);
      return user;
    },

    async signIn(email, password, client) {
      const normalized = normalizeEmail(email);
      // JSON keeps the pair unambiguous whatever characters the email holds.
      const pair = [JSON.stringify([normalized, client])];
      const address = [client];
      limiter.check(pair);
      addressLimiter.check(address);
      const user = await deps.users.findByEmail(normalized);
      const ok = await verifyPassword(password, user?.passwordHash ?? (await decoy));
      if (!user || !ok) {
        limiter.recordFailure(pair);
        addressLimiter.recordFailure(address);
        throw new UnauthorizedError('Wrong email or password');
      }
      // Only this account at this address: a valid sign-in must not clear a guesser's address count.
      limiter.reset(pair);
      const { token } = await issueIdToken(
        deps.signer,
        { iss: deps.issuer, aud: deps.audience, sub: user.id, email: user.email },
        clock(),
      );
      return {
        id_token: token,
        token_type: 'Bearer',
        expires_in: ID_TOKEN_TTL_SECONDS,
        user: { id: user.id, email: user.email },
      };
    },

    verify: createIdTokenVerifier({ issuer: deps.issuer, audience: deps.audience, jwks }),
    jwks,
  };
}
