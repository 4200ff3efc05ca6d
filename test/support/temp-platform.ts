/**
 * The local platform of an e2e file, in a data folder of its own under the system's temp folder:
 * close() stops it and removes the folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LocalPlatform,
  type LocalPlatformOptions,
  startLocalPlatform,
} from '../../lambdas/local/platform';
import { startedForFile } from './started-for-file';

/**
 * With its control plane, quiet, syncing within 20 ms, writing within 50 ms. The data plane caches an
 * API key's check for 1 s: the revocation bound is sync + this cache, and 1 s keeps tests short
 * (the default is 30 s).
 */
export const WITH_CONTROL_PLANE = {
  log: () => {},
  controlPlane: { port: 0, syncBatchingWindowMs: 20 },
  auth: { positiveTtlMs: 1_000, negativeTtlMs: 100 },
  writer: { maximumBatchingWindowMs: 50 },
} satisfies Partial<LocalPlatformOptions>;

export interface TempPlatform {
  platform: LocalPlatform;
  dataDir: string;
  close(): Promise<void>;
}

/** Starts the platform on a free port in a new folder named `prefix` + a random suffix. */
export async function startTempPlatform(
  prefix: string,
  options: Omit<LocalPlatformOptions, 'port' | 'dataDir'> = {},
): Promise<TempPlatform> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const platform = await startLocalPlatform({ port: 0, dataDir, ...options }).catch(
    async (error: unknown) => {
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    },
  );
  return {
    platform,
    dataDir,
    async close() {
      await platform.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The file's platform: started (as startTempPlatform) before its tests and closed after them. Read
 * its fields inside tests and hooks, once it has started.
 */
export function platformForFile(
  prefix: string,
  options: Omit<LocalPlatformOptions, 'port' | 'dataDir'> = {},
): Omit<TempPlatform, 'close'> {
  const current = startedForFile('the platform', () => startTempPlatform(prefix, options), {
    close: (started) => started.close(),
  });
  return {
    get platform() {
      return current().platform;
    },
    get dataDir() {
      return current().dataDir;
    },
  };
}
