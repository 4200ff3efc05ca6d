/**
 * A Lambda function (a folder under lambdas/ with a handler.ts) imports nothing from another
 * function's folder: what two functions share lives in lambdas/domain, lambdas/http,
 * lambdas/adapters or lambdas/config. The shared folders import no function either, except the
 * local platform (lambdas/local/), which runs the functions' apps and is not a function.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFilesUnder, specifiersOf } from '../support/source-imports';

const ROOT = resolve(import.meta.dirname, '../..');
const LAMBDAS = join(ROOT, 'lambdas');
const LOCAL_PLATFORM = join(LAMBDAS, 'local');

const FUNCTIONS = readdirSync(LAMBDAS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(LAMBDAS, entry.name, 'handler.ts')))
  .map((entry) => entry.name);

/** The function folder a path is in, if any. */
function functionOf(path: string): string | undefined {
  const [top] = relative(LAMBDAS, path).split(sep);
  return top !== undefined && FUNCTIONS.includes(top) ? top : undefined;
}

/** `file imports specifier` for every relative import of `file` that lands in a function's folder other than `own`. */
function crossings(file: string, own: string | undefined): string[] {
  return specifiersOf(readFileSync(file, 'utf8')).flatMap((specifier) => {
    if (!specifier.startsWith('.')) return [];
    const target = functionOf(resolve(dirname(file), specifier));
    return target !== undefined && target !== own ? [`${relative(ROOT, file)} imports ${specifier}`] : [];
  });
}

describe('function boundaries', () => {
  it('finds every function folder', () => {
    expect(FUNCTIONS).toEqual(expect.arrayContaining(['ingest', 'query-api', 'sync-reconciler', 'writer']));
    expect(FUNCTIONS).not.toContain('local');
    expect(FUNCTIONS).not.toContain('http');
  });

  it("no function imports from another function's folder", () => {
    const found = FUNCTIONS.flatMap((name) =>
      sourceFilesUnder(join(LAMBDAS, name)).flatMap((file) => crossings(file, name)),
    );
    expect(found).toEqual([]);
  });

  it('no shared module imports a function', () => {
    const shared = readdirSync(LAMBDAS, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !FUNCTIONS.includes(entry.name))
      .map((entry) => join(LAMBDAS, entry.name))
      .filter((dir) => dir !== LOCAL_PLATFORM);
    const found = shared
      .flatMap((dir) => sourceFilesUnder(dir))
      .flatMap((file) => crossings(file, undefined));
    expect(found).toEqual([]);
  });

  it('would notice a crossing (the check itself)', () => {
    const file = join(LAMBDAS, 'control-plane-tokens', 'app.ts');
    const target = functionOf(resolve(dirname(file), '../control-plane-api/request'));
    expect(target).toBe('control-plane-api');
    expect(functionOf(resolve(dirname(file), '../http/json-object-body'))).toBeUndefined();
    expect(functionOf(resolve(dirname(file), './routes'))).toBe('control-plane-tokens');
  });
});
