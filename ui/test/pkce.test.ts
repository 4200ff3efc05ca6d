import { createHash } from 'node:crypto';
import { cleanup, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { authorizeUrl, completeSignIn, logoutUrl } from '../src/auth/cognito';
import { base64url, codeChallenge, createVerifier } from '../src/auth/pkce';
import { CONFIG, controlPlaneRoutes, MemoryStorage, renderApp, scriptedFetch } from './support';

const AUTH = {
  mode: 'cognito' as const,
  domain: 'https://waggle.auth.eu-west-1.amazoncognito.com',
  clientId: 'client123',
  redirectUri: 'https://console.example/auth/callback',
  logoutUri: 'https://console.example',
};

describe('PKCE', () => {
  it('code challenge = base64url(sha256(verifier)): RFC 7636 appendix B', async () => {
    expect(await codeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('matches node:crypto for random verifiers, which are 43 unpadded base64url characters', async () => {
    for (let i = 0; i < 5; i++) {
      const verifier = createVerifier();
      expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const expected = createHash('sha256').update(verifier).digest('base64url');
      expect(await codeChallenge(verifier)).toBe(expected);
    }
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });

  it('sends the challenge to authorize and the same verifier to the token endpoint', async () => {
    const storage = new MemoryStorage();
    const url = new URL(await authorizeUrl(AUTH, '/projects/p1/events', storage));
    expect(url.origin + url.pathname).toBe(`${AUTH.domain}/oauth2/authorize`);
    const params = url.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('client123');
    expect(params.get('redirect_uri')).toBe(AUTH.redirectUri);
    expect(params.get('code_challenge_method')).toBe('S256');

    const api = scriptedFetch({
      [`POST ${AUTH.domain}/oauth2/token`]: {
        body: { id_token: 'h.eyJlbWFpbCI6ImFAYi5jIn0.s', access_token: 'a', expires_in: 3600 },
      },
    });
    const state = params.get('state') ?? '';
    const done = await completeSignIn(
      AUTH,
      new URLSearchParams({ code: 'the-code', state }),
      api.fetch,
      storage,
      () => 1000,
    );
    const sent = new URLSearchParams(api.calls[0]?.body as string);
    expect(sent.get('grant_type')).toBe('authorization_code');
    expect(sent.get('code')).toBe('the-code');
    expect(sent.get('client_id')).toBe('client123');
    expect(await codeChallenge(sent.get('code_verifier') ?? '')).toBe(params.get('code_challenge'));
    expect(done).toEqual({
      session: {
        idToken: 'h.eyJlbWFpbCI6ImFAYi5jIn0.s',
        expiresAt: 1000 + 3_600_000,
        email: 'a@b.c',
        userId: undefined,
      },
      returnTo: '/projects/p1/events',
    });
    // The verifier is used once.
    expect(storage.length).toBe(0);
  });

  it('refuses a callback whose state is not the one this browser started', async () => {
    const storage = new MemoryStorage();
    await authorizeUrl(AUTH, undefined, storage);
    const api = scriptedFetch({});
    await expect(
      completeSignIn(AUTH, new URLSearchParams({ code: 'c', state: 'forged' }), api.fetch, storage),
    ).rejects.toThrow('not the one this browser started');
    expect(api.calls).toHaveLength(0);
  });

  it('signs out through Cognito logout with client id and logout uri', () => {
    expect(logoutUrl(AUTH)).toBe(
      `${AUTH.domain}/logout?client_id=client123&logout_uri=${encodeURIComponent('https://console.example')}`,
    );
  });
});

describe('Cognito sign-in in the console', () => {
  it('redirects to the managed login, and the callback signs in and returns to the page', async () => {
    const config = { ...CONFIG, auth: AUTH };
    const visited: string[] = [];
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': { body: { sessions: [], totalSessions: 0 } },
      [`POST ${AUTH.domain}/oauth2/token`]: { body: { id_token: 'cognito-id-token', expires_in: 3600 } },
    });
    const session = new MemoryStorage();
    const first = renderApp({
      path: '/projects/p1/events',
      fetch: api.fetch,
      signedIn: false,
      config,
      sessionStorage: session,
      assign: (url) => visited.push(url),
    });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(visited).toHaveLength(1));
    const authorize = new URL(visited[0] ?? '');
    expect(authorize.pathname).toBe('/oauth2/authorize');
    expect(first.history.location.pathname).toBe('/sign-in');
    cleanup();

    // Cognito sends the browser back to /auth/callback with the code and the state.
    const state = authorize.searchParams.get('state') ?? '';
    const back = renderApp({
      path: `/auth/callback?code=abc&state=${state}`,
      fetch: api.fetch,
      signedIn: false,
      config,
      sessionStorage: session,
    });
    await waitFor(() => expect(back.history.location.pathname).toBe('/projects/p1/events'));
    const exchange = new URLSearchParams(api.of('POST', '/oauth2/token')[0]?.body as string);
    expect(await codeChallenge(exchange.get('code_verifier') ?? '')).toBe(
      authorize.searchParams.get('code_challenge'),
    );
    expect(JSON.parse(session.getItem('waggle.session') ?? '{}').idToken).toBe('cognito-id-token');
    await waitFor(() =>
      expect(api.of('POST', '/v1/tokens')[0]?.headers.authorization).toBe('Bearer cognito-id-token'),
    );
  });

  it('signs out of the console and of the managed login', async () => {
    const visited: string[] = [];
    const session = new MemoryStorage();
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': { body: { sessions: [], totalSessions: 0 } },
    });
    renderApp({
      path: '/projects/p1/sessions',
      fetch: api.fetch,
      config: { ...CONFIG, auth: AUTH },
      sessionStorage: session,
      assign: (url) => visited.push(url),
    });
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(visited).toEqual([logoutUrl(AUTH)]);
    expect(session.getItem('waggle.session')).toBeNull();
  });

  it('renews an expired ID token with the refresh token, once, and signs out when that is refused', async () => {
    const session = new MemoryStorage();
    const expired = {
      idToken: 'old-id-token',
      expiresAt: Date.now() - 1000,
      email: 'a@b.c',
      refreshToken: 'rt-1',
    };
    session.setItem('waggle.session', JSON.stringify(expired));
    const api = scriptedFetch({
      ...controlPlaneRoutes(),
      'POST http://dp.test/v1/sessions/search': { body: { sessions: [], totalSessions: 0 } },
      [`POST ${AUTH.domain}/oauth2/token`]: { body: { id_token: 'renewed-id-token', expires_in: 3600 } },
    });
    renderApp({
      path: '/projects/p1/sessions',
      fetch: api.fetch,
      signedIn: false,
      config: { ...CONFIG, auth: AUTH },
      sessionStorage: session,
    });
    await screen.findByRole('heading', { name: 'Sessions' });
    await waitFor(() =>
      expect(api.of('GET', '/v1/projects')[0]?.headers.authorization).toBe('Bearer renewed-id-token'),
    );
    const grants = api
      .of('POST', '/oauth2/token')
      .map((call) => Object.fromEntries(new URLSearchParams(call.body as string)));
    expect(grants).toEqual([{ grant_type: 'refresh_token', client_id: 'client123', refresh_token: 'rt-1' }]);
    const stored = JSON.parse(session.getItem('waggle.session') ?? '{}');
    expect(stored).toMatchObject({ idToken: 'renewed-id-token', refreshToken: 'rt-1', email: 'a@b.c' });
    expect(stored.expiresAt).toBeGreaterThan(Date.now());
    cleanup();

    // A refused refresh token: back to sign-in.
    session.setItem('waggle.session', JSON.stringify(expired));
    const refused = scriptedFetch({
      ...controlPlaneRoutes(),
      [`POST ${AUTH.domain}/oauth2/token`]: { status: 400, body: { error: 'invalid_grant' } },
    });
    const { history } = renderApp({
      path: '/projects/p1/sessions',
      fetch: refused.fetch,
      signedIn: false,
      config: { ...CONFIG, auth: AUTH },
      sessionStorage: session,
    });
    await waitFor(() => expect(history.location.pathname).toBe('/sign-in'));
    expect(refused.of('GET', '/v1/projects')).toHaveLength(0);
    expect(session.getItem('waggle.session')).toBeNull();
  });
});
