/**
 * Fixed-window rate limiting behind a small port: the in-memory limiter serves one function
 * instance (and the local platform); DynamoRateLimiter (adapters/aws) shares the counts across a
 * fleet. The authenticator uses it to slow down guessing of API keys.
 */

export interface RateLimitPolicy {
  /** Events allowed per window; the next one is refused. */
  limit: number;
  windowMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole seconds until the current window ends (at least 1): the Retry-After to send. */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one event for key; allowed while the count, this one included, is within the limit. */
  hit(key: string, policy: RateLimitPolicy): Promise<RateDecision>;
  /** Whether one more event would be within the limit, without counting anything. */
  peek(key: string, policy: RateLimitPolicy): Promise<RateDecision>;
}

/** The window `now` falls in: its start (epoch ms) and the seconds left until it ends. */
export function currentWindow(now: number, windowMs: number): { start: number; retryAfterSeconds: number } {
  if (!(windowMs > 0)) throw new Error('windowMs must be positive');
  const start = Math.floor(now / windowMs) * windowMs;
  return { start, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
}

interface Counter {
  windowStart: number;
  count: number;
}

interface MemoryRateLimiterOptions {
  /** Keys tracked at once; past it the oldest window is forgotten (memory stays bounded). */
  maxEntries?: number;
  clock?: () => number;
}

export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const maxEntries = options.maxEntries ?? 10_000;
  const clock = options.clock ?? Date.now;
  const counters = new Map<string, Counter>();

  function countOf(key: string, windowStart: number): number {
    const counter = counters.get(key);
    return counter && counter.windowStart === windowStart ? counter.count : 0;
  }

  return {
    async hit(key, policy) {
      const window = currentWindow(clock(), policy.windowMs);
      const count = countOf(key, window.start) + 1;
      // Re-inserting moves the key to the end, so eviction takes the least recently counted.
      counters.delete(key);
      if (counters.size >= maxEntries) counters.delete(counters.keys().next().value as string);
      counters.set(key, { windowStart: window.start, count });
      return { allowed: count <= policy.limit, retryAfterSeconds: window.retryAfterSeconds };
    },
    async peek(key, policy) {
      const window = currentWindow(clock(), policy.windowMs);
      return {
        allowed: countOf(key, window.start) < policy.limit,
        retryAfterSeconds: window.retryAfterSeconds,
      };
    },
  };
}
