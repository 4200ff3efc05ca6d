import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so that synth works from any working directory. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The lock file NodejsFunction hashes and resolves dependencies against. */
export const LOCK_FILE = join(PROJECT_ROOT, 'package-lock.json');

/** Absolute path of a function's entry file, given relative to the repository root. */
export function projectPath(relativePath: string): string {
  return join(PROJECT_ROOT, relativePath);
}
