/**
 * A logger for the SDK's own trouble (export failures, a full queue): a failing endpoint must not flood the
 * host application's logs, so each kind of message is written at most once per interval and the lines
 * held back in between are counted and reported with the next one written.
 */

export type LogSink = (line: string) => void;

export interface RateLimitedLogger {
  /** `kind` groups messages for rate limiting ('export-failed', 'queue-full'...); `message` is the text. */
  log(kind: string, message: string): void;
}

export interface RateLimitedLoggerOptions {
  intervalMs: number;
  sink: LogSink;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

interface KindState {
  lastWrittenMs: number;
  suppressed: number;
}

export function createRateLimitedLogger(options: RateLimitedLoggerOptions): RateLimitedLogger {
  const now = options.now ?? (() => performance.now());
  const kinds = new Map<string, KindState>();
  return {
    log(kind, message) {
      try {
        const at = now();
        const state = kinds.get(kind);
        if (state !== undefined && at - state.lastWrittenMs < options.intervalMs) {
          state.suppressed++;
          return;
        }
        const suppressed = state?.suppressed ?? 0;
        kinds.set(kind, { lastWrittenMs: at, suppressed: 0 });
        const suffix =
          suppressed > 0 ? ` (${suppressed} similar message${suppressed === 1 ? '' : 's'} suppressed)` : '';
        options.sink(`[waggle] ${message}${suffix}`);
      } catch {
        // A broken sink must not turn logging into an error in the host application.
      }
    },
  };
}

/** The default: console.warn, one line per kind per minute. */
export function defaultLogger(): RateLimitedLogger {
  return createRateLimitedLogger({ intervalMs: 60_000, sink: (line) => console.warn(line) });
}
