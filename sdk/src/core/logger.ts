/**
 * The tracer's own log output. A user-supplied logger may be missing methods or throw; either way
 * logging must not turn into an error in the host application, so every call is guarded and falls
 * back to the console.
 */
import { createRateLimitedLogger } from '../processing/rate-limited-logger';
import type { WaggleLogger } from './config';

const consoleLogger: WaggleLogger = {
  debug: (message) => console.debug(message),
  warn: (message) => console.warn(message),
};

function method(candidate: unknown, name: keyof WaggleLogger): (message: string) => void {
  try {
    const fn = (candidate as Partial<WaggleLogger> | null | undefined)?.[name];
    if (typeof fn === 'function') {
      return (message) => {
        try {
          fn.call(candidate, message);
        } catch {
          // A throwing logger costs the log line only.
        }
      };
    }
  } catch {
    // A hostile logger object (throwing getter) falls back to the console.
  }
  return consoleLogger[name];
}

/** A logger that never throws: the candidate's methods where usable, the console otherwise. */
export function safeLogger(candidate: unknown): WaggleLogger {
  return { debug: method(candidate, 'debug'), warn: method(candidate, 'warn') };
}

export type DebugLog = (kind: string, message: string) => void;

/** Debug messages for `verbose: true`, at most one per kind per second; a no-op otherwise. */
export function createDebugLog(logger: WaggleLogger, verbose: boolean): DebugLog {
  if (!verbose) return () => {};
  const limited = createRateLimitedLogger({ intervalMs: 1_000, sink: (line) => logger.debug(line) });
  return (kind, message) => limited.log(kind, message);
}
