import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  normalizeRetryPolicy,
  parseRetryAfterMs,
} from '../../src/processing/retry-policy';

describe('retry policy', () => {
  it('retries exactly the OTLP retryable statuses', () => {
    expect([429, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 413, 500, 501].some(isRetryableStatus)).toBe(false);
  });

  it('keeps full-jitter backoff within [0, min(max, initial * 2^(n-1))]', () => {
    const policy = { maxAttempts: 10, initialBackoffMs: 100, maxBackoffMs: 1_000, deadlineMs: 10_000 };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelayMs(policy, attempt, () => r);
          return delay >= 0 && delay <= Math.min(1_000, 100 * 2 ** (attempt - 1));
        },
      ),
    );
    expect(backoffDelayMs(policy, 3, () => 0.999_999)).toBe(399);
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });

  it('replaces nonsense values by the defaults', () => {
    expect(normalizeRetryPolicy({ maxAttempts: 0, initialBackoffMs: -1, deadlineMs: Number.NaN })).toEqual(
      DEFAULT_RETRY_POLICY,
    );
    expect(normalizeRetryPolicy({ maxAttempts: 2.7 }).maxAttempts).toBe(2);
  });
});
