/**
 * When a failed provider call is worth repeating, and after how long. The provider adapter
 * (lambdas/adapters/providers/provider-failures.ts) classifies each failure; a transient one is
 * retried with backoff, or after the wait the provider asked for when it asks for no more than
 * `maxRetryAfterMs` (a longer wait moves on to the fallback instead of holding the caller).
 */
export interface RetryPolicy {
  /** Retries of one target after its first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After above this is not waited for on this target. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  maxRetryAfterMs: 10_000,
};

export interface FailureClass {
  /** Another attempt (or the fallback) may succeed. */
  transient: boolean;
  /** The provider refused the stored key itself: its owner must replace it, the caller cannot fix it. */
  credentialsRejected?: boolean;
  /** The provider's own status code when it answered, for the message only. */
  providerStatus?: number;
  /** Milliseconds the provider asked to wait. */
  retryAfterMs?: number;
}

/** Tells what a failed provider call means (the adapter knows the provider client's errors). */
export type FailureClassifier = (error: unknown, now: number) => FailureClass;

/**
 * The wait before retry number `retry` (0-based) of one target, or undefined when the target should
 * not be tried again (the failure is not transient, retries are spent, or Retry-After is too long).
 * Exponential backoff with full jitter (`random` in [0, 1)).
 */
export function retryDelay(
  failure: FailureClass,
  retry: number,
  policy: RetryPolicy,
  random: () => number,
): number | undefined {
  if (!failure.transient || retry >= policy.maxRetries) return undefined;
  if (failure.retryAfterMs !== undefined) {
    return failure.retryAfterMs <= policy.maxRetryAfterMs ? failure.retryAfterMs : undefined;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
