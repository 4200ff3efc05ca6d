/**
 * Locates the shared reference files (OTLP .proto files, the HoneyHive OpenAPI contract) that tests
 * and benchmarks read at run time but the repository does not contain: $WAGGLE_SHARED_DIR, else the
 * `shared` folder beside the repository, else the workspace's /work/shared.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sharedDir(): string {
  const candidates = [process.env.WAGGLE_SHARED_DIR, path.resolve(REPO_ROOT, '../shared'), '/work/shared'];
  for (const candidate of candidates) {
    if (candidate && existsSync(path.join(candidate, 'reference'))) return candidate;
  }
  throw new Error(
    `Shared reference files not found; set WAGGLE_SHARED_DIR (looked in ${candidates.filter(Boolean).join(', ')})`,
  );
}

/** Absolute path of a file under shared/reference. */
export function sharedReference(...parts: string[]): string {
  return path.join(sharedDir(), 'reference', ...parts);
}
