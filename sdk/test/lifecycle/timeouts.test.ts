import { describe, expect, it } from 'vitest';
import { flushWithTimeout, shutdownWithTimeout } from '../../src/lifecycle/timeouts';

const never = () => new Promise<void>(() => {});

describe('flushWithTimeout and shutdownWithTimeout', () => {
  it('resolve true when the processor finishes in time', async () => {
    const processor = { forceFlush: async () => {}, shutdown: async () => {} };
    expect(await flushWithTimeout(processor, 100)).toBe(true);
    expect(await shutdownWithTimeout(processor, 100)).toBe(true);
  });

  it('resolve false at the time limit when the processor hangs', async () => {
    const processor = { forceFlush: never, shutdown: never };
    for (const run of [() => flushWithTimeout(processor, 50), () => shutdownWithTimeout(processor, 50)]) {
      const started = performance.now();
      expect(await run()).toBe(false);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(45);
      expect(elapsed).toBeLessThan(300);
    }
  });

  it('resolve false, never reject, when the processor rejects or throws synchronously', async () => {
    const rejecting = { forceFlush: () => Promise.reject(new Error('x')), shutdown: () => Promise.reject(1) };
    const throwing = {
      forceFlush: (): Promise<void> => {
        throw new Error('sync');
      },
      shutdown: (): Promise<void> => {
        throw new Error('sync');
      },
    };
    expect(await flushWithTimeout(rejecting, 100)).toBe(false);
    expect(await shutdownWithTimeout(rejecting, 100)).toBe(false);
    expect(await flushWithTimeout(throwing, 100)).toBe(false);
    expect(await shutdownWithTimeout(throwing, 100)).toBe(false);
  });
});
