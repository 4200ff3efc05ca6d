import { describe, expect, it } from 'vitest';
import { type LambdaCallback, wrapLambdaHandler } from '../../src/lifecycle/lambda';

const never = () => new Promise<void>(() => {});

function recordingFlush(log: string[], delayMs = 0) {
  return () =>
    new Promise<void>((resolve) =>
      setTimeout(() => {
        log.push('flushed');
        resolve();
      }, delayMs),
    );
}

describe('wrapLambdaHandler (async handlers)', () => {
  it('returns the very result after flushing', async () => {
    const log: string[] = [];
    const result = { statusCode: 200, body: 'ok' };
    const wrapped = wrapLambdaHandler(
      async (event: { n: number }) => {
        log.push(`handled ${event.n}`);
        return result;
      },
      { flush: recordingFlush(log, 5), flushBudgetMs: 500 },
    );
    expect(await wrapped({ n: 1 }, {})).toBe(result);
    expect(log).toEqual(['handled 1', 'flushed']);
  });

  it('rethrows the very error after flushing', async () => {
    const log: string[] = [];
    const error = new TypeError('handler failed');
    const wrapped = wrapLambdaHandler(
      async () => {
        throw error;
      },
      { flush: recordingFlush(log), flushBudgetMs: 500 },
    );
    await expect(wrapped({}, {})).rejects.toBe(error);
    expect(log).toEqual(['flushed']);
  });

  it('does not wait past the budget for a hanging flush, nor let a failing flush change the result', async () => {
    const hanging = wrapLambdaHandler(async () => 'value', { flush: never, flushBudgetMs: 50 });
    const started = performance.now();
    expect(await hanging({}, {})).toBe('value');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(300);

    const failing = wrapLambdaHandler(async () => 'value', {
      flush: () => Promise.reject(new Error('flush failed')),
      flushBudgetMs: 50,
    });
    expect(await failing({}, {})).toBe('value');
    const throwing = wrapLambdaHandler(async () => 'value', {
      flush: () => {
        throw new Error('sync flush failure');
      },
      flushBudgetMs: 50,
    });
    expect(await throwing({}, {})).toBe('value');
  });

  it('shortens the budget when Lambda has less time left', async () => {
    const wrapped = wrapLambdaHandler(async () => 1, { flush: never, flushBudgetMs: 5_000 });
    const started = performance.now();
    expect(await wrapped({}, { getRemainingTimeInMillis: () => 120 })).toBe(1);
    expect(performance.now() - started).toBeLessThan(400);
  });

  it('passes a synchronous return value through', async () => {
    const wrapped = wrapLambdaHandler((event: number) => event * 2, {
      flush: async () => {},
      flushBudgetMs: 50,
    });
    expect(await wrapped(21, {})).toBe(42);
  });
});

describe('wrapLambdaHandler (callback handlers)', () => {
  function invoke<R>(
    handler: (event: unknown, context: unknown, callback: LambdaCallback<R>) => void,
  ): Promise<{ error: unknown; result: R | undefined }> {
    return new Promise((resolve) => handler({}, {}, (error, result) => resolve({ error, result })));
  }

  it('flushes before calling back with the very result or error', async () => {
    const log: string[] = [];
    const result = { ok: true };
    const ok = wrapLambdaHandler(
      (_event: unknown, _context: unknown, callback: LambdaCallback<typeof result>) => {
        setTimeout(() => callback(null, result), 5);
      },
      { flush: recordingFlush(log), flushBudgetMs: 500 },
    );
    const answered = await invoke(ok);
    expect(answered.result).toBe(result);
    expect(answered.error).toBeNull();
    expect(log).toEqual(['flushed']);

    const error = new Error('callback error');
    const failing = wrapLambdaHandler(
      (_event: unknown, _context: unknown, callback: LambdaCallback<never>) => callback(error),
      { flush: recordingFlush(log), flushBudgetMs: 500 },
    );
    expect((await invoke(failing)).error).toBe(error);
    expect(log).toEqual(['flushed', 'flushed']);
  });

  it('calls back with a synchronous throw, within the budget even if the flush hangs', async () => {
    const error = new Error('thrown');
    const wrapped = wrapLambdaHandler(
      (_event: unknown, _context: unknown, _callback: LambdaCallback<never>) => {
        throw error;
      },
      { flush: never, flushBudgetMs: 50 },
    );
    const started = performance.now();
    expect((await invoke(wrapped)).error).toBe(error);
    expect(performance.now() - started).toBeLessThan(300);
  });
});
