/**
 * Builds the publishable package into dist/ (run by `npm run build` and by prepack):
 * - dist/esm: src/index.ts bundled as ESM, with declarations;
 * - dist/cjs: the same bundle as CommonJS, with a copy of the declarations that a
 *   `{"type":"commonjs"}` package.json marks as CommonJS (so `require` consumers type-check
 *   against CommonJS types, not ESM ones).
 * Dependencies stay imports: they are installed beside the package, not bundled into it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Format } from 'esbuild';
import { finishDeclarations } from './declarations';

const sdkDir = fileURLToPath(new URL('..', import.meta.url));
const dist = join(sdkDir, 'dist');
// The oldest Node the dependencies support (package.json engines; sdk/test/package checks both).
const NODE_TARGET = 'node22.15';

async function bundle(format: Format, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(sdkDir, 'src/index.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: NODE_TARGET,
    format,
    logLevel: 'warning',
  });
}

function emitDeclarations(outDir: string): void {
  // `tsc` is the root's TypeScript, on PATH in npm scripts and under npx.
  const result = spawnSync('tsc', ['-p', join(sdkDir, 'tsconfig.build.json'), '--outDir', outDir], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`tsc failed (${result.status ?? result.error?.message})`);
  finishDeclarations(outDir);
}

async function main(): Promise<void> {
  rmSync(dist, { recursive: true, force: true });
  const esm = join(dist, 'esm');
  const cjs = join(dist, 'cjs');
  emitDeclarations(esm);
  cpSync(esm, cjs, { recursive: true });
  writeFileSync(join(cjs, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  await Promise.all([bundle('esm', join(esm, 'index.js')), bundle('cjs', join(cjs, 'index.js'))]);
}

await main();
