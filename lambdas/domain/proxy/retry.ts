/**
 * When a failed provider call is worth repeating, and after how long. 429, 408, 409 and 5xx
 * answers, connection failures and timeouts are transient; other 4xx answers are the request's
 * fault and are never retried nor handed to a fallback. Retry-After (seconds or an HTTP date) and
 * OpenAI's retry-after-ms are honoured when they ask for no more than `maxRetryAfterMs`; a longer
 * wait moves on to the fallback instead of holding the caller.
 */
import { APICallError } from 'ai';

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
  /** The provider's HTTP status, when it answered. */
  status?: number;
  /** Milliseconds the provider asked to wait. */
  retryAfterMs?: number;
}

export function classifyFailure(error: unknown, now: number = Date.now()): FailureClass {
  if (APICallError.isInstance(error)) {
    const status = error.statusCode;
    const retryAfterMs = retryAfterOf(error.responseHeaders, now);
    if (status === undefined) return { transient: true };
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return { transient, status, ...(retryAfterMs !== undefined && { retryAfterMs }) };
  }
  // No answer: refused connections, resets, DNS failures, our own timeout (an AbortError/TimeoutError).
  return { transient: true };
}

export function retryAfterOf(headers: Record<string, string> | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const ms = Number(lower['retry-after-ms']);
  if (lower['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = lower['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

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
