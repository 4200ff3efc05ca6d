/**
 * What a test file starts once for all its tests: a platform, a console rig, a synthesized stack.
 * Used by platformForFile, consoleRigForFile and the infra tests' synthesizedForFile.
 */
import { afterAll, beforeAll } from 'vitest';

/**
 * Registers hooks that start `start()` before the file's tests (within `timeoutMs`, else the hook
 * timeout) and `close` it after them; hooks the file registers later run after this start. The
 * function returned reads what was started, inside tests and hooks; before then it throws, naming
 * `what`.
 */
export function startedForFile<T>(
  what: string,
  start: () => T | Promise<T>,
  options: { close?: (started: T) => unknown; timeoutMs?: number } = {},
): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  }, options.timeoutMs);
  afterAll(() => (started === undefined ? undefined : options.close?.(started)));
  return () => {
    if (started === undefined) throw new Error(`${what} has not started`);
    return started;
  };
}
