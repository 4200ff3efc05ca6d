import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRateLimitedWarner, safely, safelyAsync } from '../../src/integration/safe';

const quiet = () => {};

describe('safely', () => {
  it('returns the result when fn succeeds', () => {
    expect(safely(() => 42, 0, quiet)).toBe(42);
  });

  it('returns the fallback and reports the error when fn throws', () => {
    const errors: unknown[] = [];
    const boom = new Error('boom');
    expect(
      safely(
        () => {
          throw boom;
        },
        'fallback',
        (e) => errors.push(e),
      ),
    ).toBe('fallback');
    expect(errors).toEqual([boom]);
  });

  it('a rejected promise resolves to the fallback instead of rejecting', async () => {
    const errors: unknown[] = [];
    const result = safely(
      () => Promise.reject(new Error('late')),
      Promise.resolve('fb'),
      (e) => errors.push(e),
    );
    await expect(result).resolves.toBe('fb');
    expect(errors).toHaveLength(1);
  });

  it('an onError that throws is swallowed too', () => {
    const thrower = () => {
      throw new Error('reporter broke');
    };
    expect(
      safely(
        () => {
          throw new Error('x');
        },
        1,
        thrower,
      ),
    ).toBe(1);
  });

  it('never throws whatever fn throws (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (thrown) => {
        expect(
          safely(
            () => {
              throw thrown;
            },
            'ok',
            quiet,
          ),
        ).toBe('ok');
      }),
    );
  });
});

describe('safelyAsync', () => {
  it('resolves to the value, or to the fallback on a sync throw or a rejection', async () => {
    await expect(safelyAsync(async () => 'v', 'fb', quiet)).resolves.toBe('v');
    await expect(
      safelyAsync(
        () => {
          throw new Error('sync');
        },
        'fb',
        quiet,
      ),
    ).resolves.toBe('fb');
    await expect(safelyAsync(() => Promise.reject(new Error('async')), 'fb', quiet)).resolves.toBe('fb');
  });
});

describe('createRateLimitedWarner', () => {
  it('logs the first error, suppresses the rest within the interval, then reports the count', () => {
    const lines: string[] = [];
    let now = 0;
    const warn = createRateLimitedWarner({ intervalMs: 1000, log: (m) => lines.push(m), now: () => now });
    warn(new TypeError('first'));
    warn(new Error('second'));
    warn('third');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('TypeError: first');
    now = 1000;
    warn(new Error('later'));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('later');
    expect(lines[1]).toContain('2 similar errors suppressed');
  });

  it('survives a logger that throws and errors that cannot be printed', () => {
    const warn = createRateLimitedWarner({
      log: () => {
        throw new Error('log broke');
      },
    });
    expect(() => warn(new Error('x'))).not.toThrow();
    const lines: string[] = [];
    const unprintable = {
      toString() {
        throw new Error('no');
      },
    };
    createRateLimitedWarner({ log: (m) => lines.push(m) })(unprintable);
    expect(lines[0]).toContain('unprintable error');
  });
});
