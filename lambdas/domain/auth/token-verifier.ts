/**
 * Verifies control-plane tokens on the data plane with aws-jwt-verify against the control plane's
 * JWKS. The JWKS is cached and fetched again when a token names a kid the cache does not have (a
 * key rotation); a kid still missing after that fetch fails, and further fetches wait out a back-off
 * so a flood of made-up kids cannot hammer the control plane. Every failure is unauthorized, counted
 * as a failed authentication (CredentialRejected), or unavailable (retryable) when the JWKS cannot be
 * fetched: nothing unverified gets through.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwksValidationError, WaitPeriodNotYetEndedJwkError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { type DomainError, UnavailableError } from '../errors';
import { isTokenRole, MAX_TOKEN_TTL_SECONDS, type TokenRole } from '../tokens/claims';
import type { Jwks } from '../tokens/jwks';
import { CredentialRejected } from './credential-rejected';

/** Who a verified token speaks for. */
export interface TokenPrincipal {
  org_id: string;
  workspace_id: string;
  /** Project ids the bearer may touch; nothing outside them. */
  projects: string[];
  role: TokenRole;
  subject: string;
  /** Epoch milliseconds of `exp`. */
  expiresAt: number;
}

export type TokenVerifier = (token: string) => Promise<TokenPrincipal>;

type JwksSource =
  /** https:// anywhere; http:// only on a loopback host (the local platform). */
  | { uri: string }
  /** Any other way of getting the JWKS (tests, a JWKS shipped with the config). */
  | { fetch: () => Promise<Jwks> };

interface TokenVerifierOptions {
  /** The control plane's `iss`. */
  issuer: string;
  /** This data plane's id: tokens for any other data plane are refused. */
  audience: string;
  jwks: JwksSource;
  /** Clock skew allowed on exp and nbf; default 5 s. */
  graceSeconds?: number;
  /** After a kid is still unknown following a JWKS fetch, no new fetch for this long; default 10 s. */
  jwksRefetchBackoffSeconds?: number;
  /** Max time for one JWKS fetch over http(s); default 5 s. */
  jwksTimeoutMs?: number;
}

/** Tokens longer than this are not ours; refuse before parsing attacker-sized input. */
const MAX_TOKEN_LENGTH = 8192;
const MAX_JWKS_BYTES = 64 * 1024;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Cache key for a JWKS that has no URI of its own. */
const CALLBACK_JWKS_URI = 'waggle:jwks-callback';

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience } = options;
  if (!issuer || !audience) throw new Error('createTokenVerifier needs an issuer and an audience');
  const graceSeconds = options.graceSeconds ?? 5;
  const { jwksUri, fetcher } = jwksAccess(options.jwks, options.jwksTimeoutMs ?? 5_000);
  const jwksCache = new SimpleJwksCache({
    fetcher,
    penaltyBox: new SimplePenaltyBox({ waitSeconds: options.jwksRefetchBackoffSeconds ?? 10 }),
  });
  const verifier = JwtVerifier.create(
    {
      issuer,
      audience,
      jwksUri,
      graceSeconds,
      customJwtCheck: ({ header, payload }) => {
        // The JWK's alg already pins ES256; this holds even if a JWK without alg were published.
        if (header.alg !== 'ES256') throw new Error('alg must be ES256');
        checkClaims(payload, audience, graceSeconds);
      },
    },
    { jwksCache },
  );

  return async (token) => {
    assertEs256Shape(token);
    let payload: JwtPayload;
    try {
      payload = await verifier.verify(token);
    } catch (error) {
      throw refusalOf(error);
    }
    return {
      org_id: payload.org as string,
      workspace_id: payload.workspace as string,
      projects: [...(payload.projects as string[])],
      role: payload.role as TokenRole,
      subject: payload.sub as string,
      expiresAt: (payload.exp as number) * 1000,
    };
  };
}

function invalidToken(message: string): CredentialRejected {
  return new CredentialRejected('unauthorized', message, 'invalid');
}

/**
 * Cheap checks before any key is looked up: a token that cannot be one of ours (alg none, HS256,
 * no kid) must not even cause a JWKS fetch.
 */
function assertEs256Shape(token: string): void {
  if (token.length > MAX_TOKEN_LENGTH) throw invalidToken('Token too long');
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) {
    throw invalidToken('Malformed token');
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken('Malformed token header');
  }
  if (typeof header !== 'object' || header === null) throw invalidToken('Malformed token header');
  const { alg, typ, kid } = header as Record<string, unknown>;
  if (alg !== 'ES256') throw invalidToken('Token algorithm must be ES256');
  if (typ !== undefined && typ !== 'JWT') throw invalidToken('Token type must be JWT');
  if (typeof kid !== 'string' || kid === '') throw invalidToken('Token has no key id');
}

/** What aws-jwt-verify leaves to us: our claims must all be present and well-typed. */
function checkClaims(payload: JwtPayload, audience: string, graceSeconds: number): void {
  // A token listing several audiences would be accepted by each of them; ours name exactly one.
  if (payload.aud !== audience) throw new Error('aud must be exactly this data plane');
  const { exp, iat, nbf } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number' || typeof nbf !== 'number') {
    throw new Error('exp, iat and nbf are required');
  }
  if (exp - iat > MAX_TOKEN_TTL_SECONDS) throw new Error('token lifetime exceeds 15 minutes');
  if (iat - graceSeconds > Date.now() / 1000) throw new Error('token issued in the future');
  for (const claim of ['sub', 'org', 'workspace'] as const) {
    const value = payload[claim];
    if (typeof value !== 'string' || value === '') throw new Error(`${claim} is required`);
  }
  const { projects } = payload;
  if (
    !Array.isArray(projects) ||
    projects.length === 0 ||
    !projects.every((id) => typeof id === 'string' && id !== '')
  ) {
    throw new Error('projects must be a non-empty list of project ids');
  }
  if (!isTokenRole(payload.role)) throw new Error('role is not a known role');
}

function refusalOf(error: unknown): DomainError {
  // The JWKS is unreachable, unreadable or in back-off: not the caller's fault, so retryable;
  // either way nothing was let through. Every other failure is the token's.
  if (
    error instanceof FetchError ||
    error instanceof JwksValidationError ||
    error instanceof WaitPeriodNotYetEndedJwkError
  ) {
    return new UnavailableError('Cannot verify tokens right now', 5);
  }
  return invalidToken('Invalid token');
}

function jwksAccess(source: JwksSource, timeoutMs: number): { jwksUri: string; fetcher: Fetcher } {
  if ('fetch' in source) {
    return {
      jwksUri: CALLBACK_JWKS_URI,
      fetcher: {
        fetch: async () => {
          const bytes = new TextEncoder().encode(JSON.stringify(await source.fetch()));
          return bytes.buffer as ArrayBuffer;
        },
      },
    };
  }
  const url = new URL(source.uri);
  const plainLoopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !plainLoopback) {
    // Over plain http anyone on the path could publish their own keys.
    throw new Error('the JWKS URI must be https:// (http:// only on a loopback host)');
  }
  return { jwksUri: url.href, fetcher: { fetch: (uri) => fetchJwksBytes(uri, timeoutMs) } };
}

/** global fetch rather than aws-jwt-verify's fetcher, which speaks https only. */
async function fetchJwksBytes(uri: string, timeoutMs: number): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    throw new FetchError(uri, error instanceof Error ? error.message : 'request failed');
  }
  if (response.status !== 200) throw new FetchError(uri, `status ${response.status}`);
  const body = await response.arrayBuffer();
  if (body.byteLength > MAX_JWKS_BYTES) throw new FetchError(uri, 'JWKS too large');
  return body;
}
