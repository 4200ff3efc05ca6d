/**
 * What every page needs, made once at start-up from config.json: the API client, the signed-in
 * session, the query cache, and the user's remembered choices (project, data plane).
 */
import { QueryClient } from '@tanstack/react-query';
import { type ApiClient, createApiClient, type FetchLike, isApiError } from '../api/client';
import type { ConsoleConfig } from '../api/types';
import { logoutUrl } from '../auth/cognito';
import { createSessionStore, type SessionStore } from '../auth/session';

export interface Services {
  config: ConsoleConfig;
  api: ApiClient;
  sessions: SessionStore;
  queryClient: QueryClient;
  prefs: Preferences;
  /** Set by the router once it exists: where a refused ID token sends the user. */
  onSignedOut: { current: () => void };
  /** Forgets the session, tokens and cached data; on Cognito also ends the managed-login session. */
  signOut(): void;
}

export interface ServiceOptions {
  fetch?: FetchLike;
  sessionStorage?: Storage;
  localStorage?: Storage;
  /** How the browser leaves for Cognito's logout (tests replace it). */
  assign?: (url: string) => void;
}

export function createServices(config: ConsoleConfig, options: ServiceOptions = {}): Services {
  const sessions = createSessionStore(options.sessionStorage ?? sessionStorage);
  const onSignedOut = { current: () => {} };
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
    fetch: options.fetch,
    idToken: () => sessions.get()?.idToken,
    onUnauthorized: () => {
      sessions.clear();
      api.forgetTokens();
      onSignedOut.current();
    },
  });
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
      if (config.auth.mode === 'cognito') {
        (options.assign ?? ((url) => window.location.assign(url)))(logoutUrl(config.auth));
      } else {
        onSignedOut.current();
      }
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
