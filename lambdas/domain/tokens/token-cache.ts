/**
 * Signing costs a KMS call (latency and money), so a token is issued once per
 * (subject, audience, scope) and reused until it is close to expiry. Concurrent requests for the
 * same key share one signing; a failed signing is not remembered, so the next request retries.
 */
import type { IssuedToken } from './issue-token';

export interface TokenCacheKey {
  sub: string;
  /** The data plane id (the token's `aud`). */
  aud: string;
  /** Everything else that changes the claims (workspace, projects, role), as one canonical string. */
  scope: string;
}

interface TokenCacheOptions {
  /** A cached token is replaced once it has fewer than this many seconds left. */
  refreshBeforeSeconds: number;
  maxEntries?: number;
  /** Epoch milliseconds. */
  clock?: () => number;
}

interface TokenCache {
  get(key: TokenCacheKey): Promise<IssuedToken>;
  /** Drops every cached token of a subject (role or membership changed). */
  forget(sub: string): void;
}

export function createTokenCache(
  issue: (key: TokenCacheKey) => Promise<IssuedToken>,
  options: TokenCacheOptions,
): TokenCache {
  const refreshBeforeMs = options.refreshBeforeSeconds * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const tokens = new Map<string, IssuedToken>();
  const inFlight = new Map<string, Promise<IssuedToken>>();

  return {
    async get(key) {
      // JSON of a fixed-shape tuple: no separator a field value could forge.
      const id = JSON.stringify([key.sub, key.aud, key.scope]);
      const cached = tokens.get(id);
      if (cached && cached.expiresAt - refreshBeforeMs > clock()) return cached;
      const pending = inFlight.get(id);
      if (pending) return pending;
      const signing = issue(key).then(
        (issued) => {
          inFlight.delete(id);
          if (tokens.size >= maxEntries) evictOne(tokens, clock());
          tokens.set(id, issued);
          return issued;
        },
        (error: unknown) => {
          inFlight.delete(id);
          throw error;
        },
      );
      inFlight.set(id, signing);
      return signing;
    },
    forget(sub) {
      for (const id of tokens.keys()) {
        if ((JSON.parse(id) as string[])[0] === sub) tokens.delete(id);
      }
    },
  };
}

/** Drops an expired token if there is one, else the oldest insertion. */
function evictOne(tokens: Map<string, IssuedToken>, now: number): void {
  for (const [id, issued] of tokens) {
    if (issued.expiresAt <= now) {
      tokens.delete(id);
      return;
    }
  }
  const oldest = tokens.keys().next().value;
  if (oldest !== undefined) tokens.delete(oldest);
}
