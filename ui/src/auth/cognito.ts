/**
 * Cognito managed login: authorization code with PKCE. The verifier and state wait in
 * sessionStorage between the redirect to `{domain}/oauth2/authorize` and `/auth/callback`, where
 * the code is exchanged at `{domain}/oauth2/token`.
 */
import { ApiError, type FetchLike, request } from '../api/client';
import type { CognitoAuth } from '../api/types';
import { codeChallenge, createState, createVerifier } from './pkce';
import type { AuthSession } from './session';
import { jwtClaims, subjectOf } from './session';

const PENDING = 'waggle.pkce';

interface Pending {
  verifier: string;
  state: string;
  returnTo?: string;
}

function domainOf(auth: CognitoAuth): string {
  const domain = auth.domain.replace(/\/+$/, '');
  return /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
}

/** A grant at the token endpoint (form-encoded, with the app client's id). */
function tokenGrant(
  auth: CognitoAuth,
  fetchFn: FetchLike,
  grant: { grant_type: string } & Record<string, string>,
): Promise<{ id_token: string; expires_in: number; refresh_token?: string }> {
  const { grant_type, ...rest } = grant;
  return request(fetchFn, 'identity', `${domainOf(auth)}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type, client_id: auth.clientId, ...rest }).toString(),
  });
}

/** Builds the authorize URL and remembers the verifier and state for the callback. */
export async function authorizeUrl(
  auth: CognitoAuth,
  returnTo: string | undefined,
  storage: Storage = sessionStorage,
): Promise<string> {
  const pending: Pending = { verifier: createVerifier(), state: createState(), returnTo };
  storage.setItem(PENDING, JSON.stringify(pending));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: auth.clientId,
    redirect_uri: auth.redirectUri,
    scope: 'openid email profile',
    state: pending.state,
    code_challenge: await codeChallenge(pending.verifier),
    code_challenge_method: 'S256',
  });
  return `${domainOf(auth)}/oauth2/authorize?${params}`;
}

/** Exchanges the callback's code for tokens; returns the session and where to go next. */
export async function completeSignIn(
  auth: CognitoAuth,
  search: URLSearchParams,
  fetchFn: FetchLike,
  storage: Storage = sessionStorage,
  now: () => number = Date.now,
): Promise<{ session: AuthSession; returnTo?: string }> {
  const error = search.get('error');
  if (error !== null) {
    throw new ApiError(search.get('error_description') ?? error, 400, 'identity');
  }
  const raw = storage.getItem(PENDING);
  storage.removeItem(PENDING);
  const pending = raw === null ? undefined : (JSON.parse(raw) as Pending);
  const code = search.get('code');
  if (!pending || code === null || search.get('state') !== pending.state) {
    throw new ApiError(
      'This sign-in link is not the one this browser started; sign in again',
      400,
      'identity',
    );
  }
  const answer = await tokenGrant(auth, fetchFn, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: auth.redirectUri,
    code_verifier: pending.verifier,
  });
  const email = jwtClaims(answer.id_token).email;
  return {
    session: {
      idToken: answer.id_token,
      expiresAt: now() + answer.expires_in * 1000,
      email: typeof email === 'string' ? email : undefined,
      userId: subjectOf(answer.id_token),
      refreshToken: answer.refresh_token,
    },
    returnTo: pending.returnTo,
  };
}

/**
 * A new ID token for a session whose ID token expired: the refresh-token grant at the token
 * endpoint (Cognito answers no new refresh token; the session keeps its own).
 */
export async function refreshSession(
  auth: CognitoAuth,
  session: AuthSession & { refreshToken: string },
  fetchFn: FetchLike,
  now: () => number = Date.now,
): Promise<AuthSession> {
  const answer = await tokenGrant(auth, fetchFn, {
    grant_type: 'refresh_token',
    refresh_token: session.refreshToken,
  });
  return {
    ...session,
    idToken: answer.id_token,
    expiresAt: now() + answer.expires_in * 1000,
    refreshToken: answer.refresh_token ?? session.refreshToken,
  };
}

export function logoutUrl(auth: CognitoAuth): string {
  const params = new URLSearchParams({ client_id: auth.clientId, logout_uri: auth.logoutUri });
  return `${domainOf(auth)}/logout?${params}`;
}
