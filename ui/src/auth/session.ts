/**
 * The signed-in session: the ID token (the control plane's bearer) kept in sessionStorage, so it
 * lives as long as the tab and never reaches another tab or a later browser session.
 */

const KEY = 'waggle.session';

export interface AuthSession {
  idToken: string;
  /** Epoch ms. */
  expiresAt: number;
  email?: string;
  /** The user's id (`sub`): marks the user's own membership. */
  userId?: string;
  /** Cognito: renews the ID token when it expires (same tab only, like the ID token). */
  refreshToken?: string;
}

export interface SessionStore {
  get(): AuthSession | undefined;
  set(session: AuthSession): void;
  clear(): void;
  /** The stored session even when its ID token has expired (to renew it). */
  peek(): AuthSession | undefined;
  subscribe(listener: () => void): () => void;
}

export function createSessionStore(
  storage: Storage = sessionStorage,
  now: () => number = Date.now,
): SessionStore {
  const listeners = new Set<() => void>();
  const notify = () => {
    for (const listener of listeners) listener();
  };
  return {
    get() {
      const session = this.peek();
      // An expired ID token is as good as none; a few seconds' margin avoids sending one about to lapse.
      if (!session || session.expiresAt - 5_000 <= now()) return undefined;
      return session;
    },
    peek() {
      const raw = storage.getItem(KEY);
      if (raw === null) return undefined;
      try {
        const session = JSON.parse(raw) as AuthSession;
        if (typeof session.idToken !== 'string' || typeof session.expiresAt !== 'number') return undefined;
        return session;
      } catch {
        return undefined;
      }
    },
    set(session) {
      storage.setItem(KEY, JSON.stringify(session));
      notify();
    },
    clear() {
      if (storage.getItem(KEY) === null) return;
      storage.removeItem(KEY);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The claims of a JWT, unverified (only for display: the email of the signed-in user). */
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) return {};
  try {
    const padded = part
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return claims !== null && typeof claims === 'object' ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function subjectOf(token: string): string | undefined {
  const sub = jwtClaims(token).sub;
  return typeof sub === 'string' ? sub : undefined;
}
