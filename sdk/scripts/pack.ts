/**
 * `npm pack` of the SDK into a folder (prepack builds dist/ first), as the sdk/test/package tests
 * and bench/sdk/sdk-package-bench.ts need it: the tarball's path, its sizes and its files.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SDK_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface PackedSdk {
  tarball: string;
  /** Bytes of the .tgz. */
  size: number;
  /** Bytes of the files once unpacked. */
  unpackedSize: number;
  files: PackedFile[];
}

export interface PackedFile {
  path: string;
  /** Bytes, unpacked. */
  size: number;
}

interface NpmPackEntry {
  filename: string;
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

/**
 * The environment of a child npm: this process's, without the npm_* variables an enclosing
 * `npm exec`/`npm run` sets (npm_config_local_prefix and the like would point the child at this
 * repository instead of the folder it runs in).
 */
export function childNpmEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

export async function packSdk(destination: string): Promise<PackedSdk> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: SDK_DIR,
    env: childNpmEnv(),
    maxBuffer: 16 * 2 ** 20,
  });
  const [entry] = JSON.parse(stdout) as NpmPackEntry[];
  if (!entry) throw new Error(`npm pack printed no package: ${stdout}`);
  return {
    tarball: join(destination, entry.filename),
    size: entry.size,
    unpackedSize: entry.unpackedSize,
    files: entry.files.map(({ path, size }) => ({ path, size })),
  };
}
