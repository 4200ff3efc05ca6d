/**
 * The one error boundary every SDK entry point goes through: an SDK failure costs the host
 * application telemetry, never an exception. Failures are reported through a rate-limited warning
 * so a broken exporter in a hot loop cannot flood the application's logs either.
 */

export type ErrorReporter = (error: unknown) => void;

export interface RateLimitedWarnerOptions {
  /** At most one warning per interval; the rest are counted and summarised in the next one. */
  intervalMs?: number;
  /** Where warnings go; console.warn by default. */
  log?: (message: string) => void;
  /** Injected clock for tests. */
  now?: () => number;
  prefix?: string;
}

/** Returns a reporter that logs the first error, then at most one line per interval with a count. */
export function createRateLimitedWarner(options: RateLimitedWarnerOptions = {}): ErrorReporter {
  const intervalMs = options.intervalMs ?? 60_000;
  const log = options.log ?? ((message: string) => console.warn(message));
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? '[waggle]';
  let lastLoggedAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (error: unknown) => {
    try {
      const at = now();
      if (at - lastLoggedAt < intervalMs) {
        suppressed++;
        return;
      }
      const extra = suppressed > 0 ? ` (${suppressed} similar errors suppressed)` : '';
      lastLoggedAt = at;
      suppressed = 0;
      log(`${prefix} SDK error ignored so the application is not affected: ${describeError(error)}${extra}`);
    } catch {
      // A logger that throws must not turn into an application error either.
    }
  };
}

function describeError(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return 'unprintable error';
  }
}

/** Default reporter shared by the module: warnings are process-wide output anyway. */
const defaultReporter = createRateLimitedWarner();

function report(error: unknown, onError: ErrorReporter | undefined): void {
  try {
    (onError ?? defaultReporter)(error);
  } catch {
    // onError is user-supplied; its failure is swallowed like any other.
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs fn and returns its result, or fallback if it throws. If fn returns a promise, its rejection
 * is caught too (resolving to fallback) so it can never surface as an unhandled rejection.
 */
export function safely<T>(fn: () => T, fallback: T, onError?: ErrorReporter): T {
  try {
    const result = fn();
    if (isThenable(result)) {
      return Promise.resolve(result).catch((error: unknown) => {
        report(error, onError);
        return fallback;
      }) as T;
    }
    return result;
  } catch (error) {
    report(error, onError);
    return fallback;
  }
}

/** Async variant: awaits fn, resolving to fallback on a throw or a rejection; never rejects. */
export async function safelyAsync<T>(
  fn: () => T | PromiseLike<T>,
  fallback: T,
  onError?: ErrorReporter,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    report(error, onError);
    return fallback;
  }
}
