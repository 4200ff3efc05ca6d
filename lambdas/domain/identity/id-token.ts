/**
 * ID tokens of the local identity provider, shaped like Cognito's (iss, aud = the app client id,
 * sub, email, token_use "id") and verified the way the control plane's HTTP API JWT authorizer
 * verifies Cognito's: aws-jwt-verify against the issuer's JWKS, with issuer and audience checked.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache, SimplePenaltyBox } from 'aws-jwt-verify/jwk';
import { registeredClaims, signJwt } from '../tokens/issue-token';
import type { Jwks } from '../tokens/jwks';
import type { Signer } from '../tokens/signer';

/** Cognito's default ID-token lifetime. */
export const ID_TOKEN_TTL_SECONDS = 3600;

interface IdTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  email: string;
  token_use: 'id';
  auth_time: number;
  iat: number;
  exp: number;
  jti: string;
}

interface IdTokenSubject {
  iss: string;
  aud: string;
  sub: string;
  email: string;
}

export async function issueIdToken(
  signer: Signer,
  subject: IdTokenSubject,
  now: number,
  ttlSeconds = ID_TOKEN_TTL_SECONDS,
): Promise<{ token: string; claims: IdTokenClaims }> {
  const registered = registeredClaims(subject, now, ttlSeconds);
  const claims: IdTokenClaims = {
    ...registered,
    email: subject.email,
    token_use: 'id',
    auth_time: registered.iat,
  };
  return { token: await signJwt(signer, claims), claims };
}

interface VerifiedIdentity {
  sub: string;
  email: string;
}

export type IdTokenVerifier = (token: string) => Promise<VerifiedIdentity | undefined>;

/** Resolves to the identity, or undefined for any token that does not verify (fail closed). */
export function createIdTokenVerifier(options: {
  issuer: string;
  audience: string;
  jwks: () => Promise<Jwks>;
}): IdTokenVerifier {
  const jwksUri = 'waggle:local-idp-jwks';
  const jwksCache = new SimpleJwksCache({
    fetcher: {
      fetch: async () => new TextEncoder().encode(JSON.stringify(await options.jwks())).buffer as ArrayBuffer,
    },
    penaltyBox: new SimplePenaltyBox({ waitSeconds: 10 }),
  });
  const verifier = JwtVerifier.create(
    {
      issuer: options.issuer,
      audience: options.audience,
      jwksUri,
      customJwtCheck: ({ header, payload }) => {
        if (header.alg !== 'ES256') throw new Error('alg must be ES256');
        if (payload.token_use !== 'id') throw new Error('not an ID token');
        if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('sub is required');
        if (typeof payload.email !== 'string') throw new Error('email is required');
      },
    },
    { jwksCache },
  );
  return async (token) => {
    try {
      const payload = await verifier.verify(token);
      return { sub: payload.sub as string, email: payload.email as string };
    } catch {
      return undefined;
    }
  };
}
