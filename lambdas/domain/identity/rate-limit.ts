/**
 * Failed sign-ins per key (an account at an address, an address) in a fixed window. Once a key has used up
 * its failures, sign-ins for it are refused with 429 and Retry-After until the window ends, before
 * the password is even checked, so guessing stays slow whatever the attacker sends.
 */
import { RateLimitedError } from '../errors';

interface SignInLimiterOptions {
  maxFailures: number;
  windowMs: number;
  maxKeys?: number;
  clock?: () => number;
}

export interface SignInLimiter {
  /** Throws RateLimitedError when any of the keys is locked out. */
  check(keys: readonly string[]): void;
  recordFailure(keys: readonly string[]): void;
  /** A successful sign-in clears the keys' failures. */
  reset(keys: readonly string[]): void;
}

interface Window {
  failures: number;
  endsAt: number;
}

/** Per account and client address: five typos lock that account out from that address only. */
export const SIGN_IN_LIMIT_DEFAULTS = { maxFailures: 5, windowMs: 15 * 60_000 } as const;
/**
 * Per client address, over every account: bounds password spraying (a few guesses at many accounts)
 * without letting one account's typos lock out the others who share an address (locally, everyone).
 */
export const SIGN_IN_ADDRESS_LIMIT_DEFAULTS = { maxFailures: 50, windowMs: 15 * 60_000 } as const;

export function createSignInLimiter(options: SignInLimiterOptions): SignInLimiter {
  const clock = options.clock ?? Date.now;
  const maxKeys = options.maxKeys ?? 100_000;
  const windows = new Map<string, Window>();

  function current(key: string, now: number): Window | undefined {
    const window = windows.get(key);
    if (window && window.endsAt <= now) {
      windows.delete(key);
      return undefined;
    }
    return window;
  }

  return {
    check(keys) {
      const now = clock();
      let retryAtMs = 0;
      for (const key of keys) {
        const window = current(key, now);
        if (window && window.failures >= options.maxFailures) retryAtMs = Math.max(retryAtMs, window.endsAt);
      }
      if (retryAtMs > 0) {
        const seconds = Math.max(1, Math.ceil((retryAtMs - now) / 1000));
        throw new RateLimitedError('Too many failed sign-ins; try again later', seconds);
      }
    },
    recordFailure(keys) {
      const now = clock();
      for (const key of keys) {
        const window = current(key, now);
        if (window) {
          window.failures++;
          continue;
        }
        // Oldest first out: a flood of new keys must not grow memory without bound.
        if (windows.size >= maxKeys) windows.delete(windows.keys().next().value as string);
        windows.set(key, { failures: 1, endsAt: now + options.windowMs });
      }
    },
    reset(keys) {
      for (const key of keys) windows.delete(key);
    },
  };
}
