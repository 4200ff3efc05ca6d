import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createConcurrencyGate, GateRefusedError } from '../../../lambdas/domain/concurrency-gate';
import { UnavailableError } from '../../../lambdas/domain/errors';
import { EXPORT_RETRY_AFTER_SECONDS, runExport } from '../../../lambdas/domain/read-api/export-gate';

/** A task that runs until the test releases it, recording when it started. */
function blocker(log: string[], name: string) {
  let release: (value: string) => void = () => {};
  const done = new Promise<string>((resolve) => {
    release = resolve;
  });
  return {
    task: () => {
      log.push(`start ${name}`);
      return done;
    },
    release: () => release(name),
  };
}

/** Lets every settled promise run its continuations. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createConcurrencyGate', () => {
  it('runs work up to its capacity, queues the rest in order, and runs it as room frees', async () => {
    const gate = createConcurrencyGate({ capacity: 10, maxQueued: 5, maxWaitMs: 60_000 });
    const log: string[] = [];
    const a = blocker(log, 'a');
    const b = blocker(log, 'b');
    const c = blocker(log, 'c');
    const d = blocker(log, 'd');
    const runs = [gate.run(6, a.task), gate.run(4, b.task), gate.run(6, c.task), gate.run(1, d.task)];
    await settle();
    // c does not fit; d would, but does not overtake c.
    expect(log).toEqual(['start a', 'start b']);
    expect(gate.load()).toEqual({ inUse: 10, queued: 2 });
    b.release();
    await settle();
    expect(log).toEqual(['start a', 'start b']);
    a.release();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'start c', 'start d']);
    c.release();
    d.release();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c', 'd']);
    expect(gate.load()).toEqual({ inUse: 0, queued: 0 });
  });

  it('refuses at once beyond the line, and frees its units when a task fails', async () => {
    const gate = createConcurrencyGate({ capacity: 1, maxQueued: 1, maxWaitMs: 60_000 });
    const log: string[] = [];
    const first = blocker(log, 'first');
    const running = gate.run(1, first.task);
    const queued = gate.run(1, async () => 'queued');
    await expect(gate.run(1, async () => 'excess')).rejects.toEqual(new GateRefusedError('queue-full'));
    expect(gate.load()).toEqual({ inUse: 1, queued: 1 });
    first.release();
    expect(await running).toBe('first');
    expect(await queued).toBe('queued');
    await expect(gate.run(1, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(1, async () => 'after a failure')).toBe('after a failure');
  });

  it('gives a task heavier than the capacity the whole capacity instead of waiting forever', async () => {
    const gate = createConcurrencyGate({ capacity: 5, maxQueued: 0, maxWaitMs: 1 });
    expect(await gate.run(50, async () => gate.load().inUse)).toBe(5);
  });

  describe('waiting too long', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('refuses a caller after maxWaitMs in line, and lets those behind it in', async () => {
      const gate = createConcurrencyGate({ capacity: 4, maxQueued: 5, maxWaitMs: 1000 });
      const log: string[] = [];
      const small = blocker(log, 'small');
      const running = gate.run(2, small.task);
      const large = gate.run(4, async () => 'large');
      const refusal = expect(large).rejects.toEqual(new GateRefusedError('wait-timeout'));
      await vi.advanceTimersByTimeAsync(500);
      // Fits beside `small`, but waits behind `large`.
      const later = gate.run(2, async () => 'later');
      expect(gate.load()).toEqual({ inUse: 2, queued: 2 });
      await vi.advanceTimersByTimeAsync(500);
      await refusal;
      expect(await later).toBe('later');
      small.release();
      expect(await running).toBe('small');
      expect(gate.load()).toEqual({ inUse: 0, queued: 0 });
    });
  });
});

describe('runExport', () => {
  it('answers a refusal as 503 with Retry-After, and passes other failures through', async () => {
    const gate = createConcurrencyGate({ capacity: 1, maxQueued: 0, maxWaitMs: 60_000 });
    const log: string[] = [];
    const first = blocker(log, 'first');
    const running = runExport(gate, 1, first.task);
    const refused = await runExport(gate, 1, async () => 'never').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused).toMatchObject({
      retryAfterSeconds: EXPORT_RETRY_AFTER_SECONDS,
      message: expect.stringMatching(/^Too many exports in progress on this instance .*; retry in 2 s$/),
    });
    first.release();
    await running;
    await expect(runExport(gate, 1, () => Promise.reject(new Error('engine down')))).rejects.toThrow(
      'engine down',
    );
  });
});
