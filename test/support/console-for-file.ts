/**
 * The console rig of a browser test file (startConsoleRig), started before its tests and closed after
 * them. Kept apart from console-browser.ts, which the screenshots and the bench load outside vitest.
 */
import type { Page } from 'playwright-core';
import { type Browser, type ConsolePlatform, signedInTab, startConsoleRig } from './console-browser';
import { startedForFile } from './started-for-file';

/** A file's console rig: read its fields inside tests and hooks, once it has started. */
export interface FileConsoleRig {
  readonly cp: ConsolePlatform;
  readonly browser: Browser;
  /** A new signed-in tab (signedInTab): the admin unless `user` is named; page errors and CSP refusals collected. */
  tab(options: {
    timeout: number;
    user?: { email: string; password: string };
  }): Promise<{ page: Page; errors: string[] }>;
}

/**
 * Starts the rig (Chromium with `browserOptions`) before the file's tests, within 180 s (a file's own
 * beforeAll, registered after this call, runs after it); closes it after them.
 */
export function consoleRigForFile(browserOptions: { width?: number; height?: number } = {}): FileConsoleRig {
  const current = startedForFile('the console rig', () => startConsoleRig(browserOptions), {
    close: (started) => started.close(),
    timeoutMs: 180_000,
  });
  return {
    get cp() {
      return current().cp;
    },
    get browser() {
      return current().browser;
    },
    tab: (options) => signedInTab(current().browser, current().cp, options),
  };
}
