/**
 * flush and shutdown with a time limit, for callers that must not hang on telemetry: they resolve true
 * when the processor finished in time and false on timeout or error, and never reject.
 */

export interface Flushable {
  forceFlush(): Promise<void>;
}

export interface ShutdownCapable {
  shutdown(): Promise<void>;
}

export function flushWithTimeout(processor: Flushable, timeoutMs: number): Promise<boolean> {
  return settleWithin(() => processor.forceFlush(), timeoutMs);
}

export function shutdownWithTimeout(processor: ShutdownCapable, timeoutMs: number): Promise<boolean> {
  return settleWithin(() => processor.shutdown(), timeoutMs);
}

/** Runs `work` (which may throw synchronously) and resolves whether it fulfilled within `timeoutMs`. */
export function settleWithin(work: () => unknown, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const budget = Number.isFinite(timeoutMs) ? Math.max(0, timeoutMs) : 0;
    const timer = setTimeout(() => resolve(false), budget);
    // A hung flush must not keep the process alive after the caller gave up on it.
    timer.unref();
    const done = (ok: boolean) => (): void => {
      clearTimeout(timer);
      resolve(ok);
    };
    try {
      Promise.resolve(work()).then(done(true), done(false));
    } catch {
      done(false)();
    }
  });
}
