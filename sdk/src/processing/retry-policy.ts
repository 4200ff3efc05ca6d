/**
 * When an OTLP export may be retried and how long to wait: the retryable codes are the OTLP/HTTP spec's
 * (429, 502, 503, 504; 500 is deliberately not retried, a server bug does not heal by resending), the
 * wait is exponential backoff with full jitter, and a Retry-After from the server replaces the backoff.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included; 1 disables retries. */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Wall-clock budget for one export across all attempts and waits. */
  deadlineMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  deadlineMs: 30_000,
};

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** Full jitter (uniform in [0, cap]): spreads the retries of many clients that failed together. */
export function backoffDelayMs(policy: RetryPolicy, failedAttempts: number, random: () => number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const cap = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** exponent);
  return Math.floor(Math.max(0, Math.min(1, random())) * cap);
}

/** Retry-After as delta-seconds or an HTTP date, in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // HTTP dates always name a day or month; this keeps Date.parse from reading '-1' or '2026' as a date.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** A policy with nonsense values (negative, NaN) replaced by the defaults, so a typo cannot spin a loop. */
export function normalizeRetryPolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  const pick = (key: keyof RetryPolicy, min: number): number => {
    const value = partial?.[key];
    return typeof value === 'number' && Number.isFinite(value) && value >= min
      ? value
      : DEFAULT_RETRY_POLICY[key];
  };
  return {
    maxAttempts: Math.floor(pick('maxAttempts', 1)),
    initialBackoffMs: pick('initialBackoffMs', 0),
    maxBackoffMs: pick('maxBackoffMs', 0),
    deadlineMs: pick('deadlineMs', 0),
  };
}
