/**
 * Builds and signs an ES256 JWT with the control plane's key. The signer only ever sees the JWS
 * signing input; the DER signature it returns is converted to the JOSE form JWS requires.
 */
import { randomUUID } from 'node:crypto';
import { isTokenRole, MAX_TOKEN_TTL_SECONDS, type TokenClaims, type TokenSubject } from './claims';
import { derToJose } from './der-to-jose';
import type { Signer } from './signer';

interface IssueOptions {
  /** Epoch milliseconds; iat and nbf are this, rounded down to the second. */
  now: number;
  /** 1 to 900 seconds. */
  ttlSeconds: number;
}

export interface IssuedToken {
  token: string;
  claims: TokenClaims;
  /** Epoch milliseconds of `exp`. */
  expiresAt: number;
}

export class TokenIssueError extends Error {
  override readonly name = 'TokenIssueError';
}

export async function issueToken(
  signer: Signer,
  subject: TokenSubject,
  options: IssueOptions,
): Promise<IssuedToken> {
  const { now, ttlSeconds } = options;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new TokenIssueError(`ttlSeconds must be an integer from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
  }
  if (!Number.isFinite(now) || now < 0) throw new TokenIssueError('now must be epoch milliseconds');
  assertSubject(subject);
  const registered = registeredClaims(subject, now, ttlSeconds);
  // Copy field by field so nothing the caller slipped into `subject` ends up signed.
  const claims: TokenClaims = {
    ...registered,
    org: subject.org,
    workspace: subject.workspace,
    projects: [...subject.projects],
    role: subject.role,
    nbf: registered.iat,
  };
  return { token: await signJwt(signer, claims), claims, expiresAt: claims.exp * 1000 };
}

/** The registered claims of every token Waggle signs (RFC 7519 section 4.1), `subject`'s copied one by one. */
export interface RegisteredClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  jti: string;
}

/** Issued at `now` (epoch milliseconds, rounded down to the second), for `ttlSeconds`, with a fresh id. */
export function registeredClaims(
  subject: { iss: string; aud: string; sub: string },
  now: number,
  ttlSeconds: number,
): RegisteredClaims {
  const iat = Math.floor(now / 1000);
  return {
    iss: subject.iss,
    aud: subject.aud,
    sub: subject.sub,
    iat,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
  };
}

/** The compact ES256 JWS of `claims`, signed with the signer's key (named by `kid`). */
export async function signJwt(signer: Signer, claims: object): Promise<string> {
  const header = { alg: 'ES256', typ: 'JWT', kid: signer.keyId };
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  const der = await signer.sign(new TextEncoder().encode(signingInput));
  const signature = Buffer.from(derToJose(der)).toString('base64url');
  return `${signingInput}.${signature}`;
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function assertSubject(subject: TokenSubject): void {
  for (const field of ['iss', 'aud', 'sub', 'org', 'workspace'] as const) {
    if (typeof subject[field] !== 'string' || subject[field] === '') {
      throw new TokenIssueError(`${field} must be a non-empty string`);
    }
  }
  if (!isTokenRole(subject.role)) throw new TokenIssueError('role is not a known role');
  const { projects } = subject;
  if (!Array.isArray(projects) || projects.length === 0) {
    throw new TokenIssueError('projects must name at least one project');
  }
  if (!projects.every((id) => typeof id === 'string' && id !== '')) {
    throw new TokenIssueError('projects must be non-empty strings');
  }
}
