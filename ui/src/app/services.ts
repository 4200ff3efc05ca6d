/**
 * What every page needs, made once at start-up from config.json: the API client, the signed-in
 * session, the query cache, and the user's remembered choices (project, data plane).
 */
import { QueryClient } from '@tanstack/react-query';
import { type ApiClient, createApiClient, type FetchLike, isApiError } from '../api/client';
import type { ConsoleConfig } from '../api/types';
import { authorizeUrl, completeSignIn, logoutUrl, refreshSession } from '../auth/cognito';
import { createSessionStore, type SessionStore } from '../auth/session';

export interface Services {
  config: ConsoleConfig;
  api: ApiClient;
  sessions: SessionStore;
  queryClient: QueryClient;
  prefs: Preferences;
  /**
   * Set by the app once the router exists: sends the user to sign-in. `keepPlace`: come back to this
   * page after signing in (a refused or expired sign-in), not after signing out.
   */
  onSignedOut: { current: (options?: { keepPlace?: boolean }) => void };
  /** Forgets the session, tokens and cached data; on Cognito also ends the managed-login session. */
  signOut(): void;
  /** Cognito: leaves for the managed login (authorization code with PKCE). */
  beginCognitoSignIn(returnTo: string | undefined): Promise<void>;
  /** Cognito: on /auth/callback, exchanges the code and keeps the session; answers where to go next. */
  completeCognitoSignIn(search: URLSearchParams): Promise<string | undefined>;
}

export interface ServiceOptions {
  fetch?: FetchLike;
  sessionStorage?: Storage;
  localStorage?: Storage;
  /** How the browser leaves for Cognito's logout (tests replace it). */
  assign?: (url: string) => void;
}

export function createServices(config: ConsoleConfig, options: ServiceOptions = {}): Services {
  const storage = options.sessionStorage ?? sessionStorage;
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const assign = options.assign ?? ((url: string) => window.location.assign(url));
  const sessions = createSessionStore(storage);
  const onSignedOut: Services['onSignedOut'] = { current: () => {} };
  const queryClient = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        // Client errors (bad filter, forbidden, not found) are answers, not hiccups.
        retry: (count, error) =>
          count < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      },
    },
  });
  const api = createApiClient({
    config,
    fetch: fetchFn,
    idToken: () => sessions.get()?.idToken ?? renewIdToken(),
    onUnauthorized: () => {
      sessions.clear();
      api.forgetTokens();
      onSignedOut.current({ keepPlace: true });
    },
  });
  /** Cognito: an expired ID token is renewed with the refresh token, once for all waiting callers. */
  let renewing: Promise<string | undefined> | undefined;
  function renewIdToken(): Promise<string | undefined> | undefined {
    const stored = sessions.peek();
    const refreshToken = stored?.refreshToken;
    if (config.auth.mode !== 'cognito' || !stored || refreshToken === undefined) return undefined;
    const auth = config.auth;
    renewing ??= refreshSession(auth, { ...stored, refreshToken }, fetchFn)
      .then(
        (renewed) => {
          sessions.set(renewed);
          return renewed.idToken;
        },
        // A refused refresh token (expired, revoked): signed out.
        () => undefined,
      )
      .finally(() => {
        renewing = undefined;
      });
    return renewing;
  }
  const prefs = createPreferences(options.localStorage ?? localStorage, config);
  return {
    config,
    api,
    sessions,
    queryClient,
    prefs,
    onSignedOut,
    signOut() {
      sessions.clear();
      api.forgetTokens();
      queryClient.clear();
      if (config.auth.mode === 'cognito') assign(logoutUrl(config.auth));
      else onSignedOut.current({ keepPlace: false });
    },
    async beginCognitoSignIn(returnTo) {
      if (config.auth.mode !== 'cognito') throw new Error('This console signs in with a password');
      assign(await authorizeUrl(config.auth, returnTo, storage));
    },
    async completeCognitoSignIn(search) {
      if (config.auth.mode !== 'cognito')
        throw new Error('This console signs in with a password, not Cognito');
      const { session, returnTo } = await completeSignIn(config.auth, search, fetchFn, storage);
      sessions.set(session);
      api.forgetTokens();
      queryClient.clear();
      return returnTo;
    },
  };
}

/** Choices remembered across visits (localStorage): no secrets here. */
export interface Preferences {
  projectId(): string | undefined;
  setProjectId(id: string): void;
  dataPlaneId(): string;
  setDataPlaneId(id: string): void;
}

function createPreferences(storage: Storage, config: ConsoleConfig): Preferences {
  const read = (key: string) => {
    try {
      return storage.getItem(key) ?? undefined;
    } catch {
      return undefined;
    }
  };
  const write = (key: string, value: string) => {
    try {
      storage.setItem(key, value);
    } catch {
      // Private mode or full storage: the choice lasts for this page only.
    }
  };
  return {
    projectId: () => read('waggle.project'),
    setProjectId: (id) => write('waggle.project', id),
    dataPlaneId() {
      const saved = read('waggle.dataPlane');
      const first = config.dataPlanes[0]?.id ?? '';
      return config.dataPlanes.some((plane) => plane.id === saved) ? (saved ?? first) : first;
    },
    setDataPlaneId: (id) => write('waggle.dataPlane', id),
  };
}
