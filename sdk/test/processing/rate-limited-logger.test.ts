import { describe, expect, it } from 'vitest';
import { createRateLimitedLogger } from '../../src/processing/rate-limited-logger';

describe('rate-limited logger', () => {
  it('writes one line per kind per interval and reports how many were suppressed', () => {
    let now = 0;
    const lines: string[] = [];
    const logger = createRateLimitedLogger({
      intervalMs: 1_000,
      sink: (line) => lines.push(line),
      now: () => now,
    });
    logger.log('export-failed', 'first');
    logger.log('export-failed', 'second');
    logger.log('export-failed', 'third');
    logger.log('queue-full', 'queue');
    now = 999;
    logger.log('export-failed', 'still suppressed');
    now = 1_000;
    logger.log('export-failed', 'again');
    now = 2_500;
    logger.log('export-failed', 'quiet since');
    expect(lines).toEqual([
      '[waggle] first',
      '[waggle] queue',
      '[waggle] again (3 similar messages suppressed)',
      '[waggle] quiet since',
    ]);
  });

  it('never throws when the sink does', () => {
    const logger = createRateLimitedLogger({
      intervalMs: 0,
      sink: () => {
        throw new Error('sink broken');
      },
    });
    expect(() => logger.log('k', 'm')).not.toThrow();
  });
});
