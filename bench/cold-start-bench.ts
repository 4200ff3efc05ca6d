/**
 * Cold start of each Lambda function: its bundle, built as CDK builds it (lib/common/waggle-function.ts:
 * esbuild, ESM, minified, AWS SDK bundled), and the time Node takes to import it in a fresh process,
 * beside a minimal handler bundled the same way. Import time is what a cold start adds on top of the
 * runtime's own start; the minimal handler is the floor. A column shows the same import with
 * `--enable-source-maps` and the map shipped, which functions run without unless configured.
 *
 * Run alone: npm exec -- tsx bench/cold-start-bench.ts
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { exampleEnvironmentOfEveryFunction } from '../lambdas/config/function-environments';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = 5;

// The same banner as the deployed functions: ESM output cannot `require`; some CJS dependencies do.
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __waggleCreateRequire } from 'node:module';const require = __waggleCreateRequire(import.meta.url);";

interface ColdStartRow {
  name: string;
  bundleBytes: number;
  importMs: number;
  importWithSourceMapsMs: number;
}

/** Every function's handler: one folder under lambdas/ per function, as the constructs deploy them. */
async function handlerEntries(): Promise<Array<{ name: string; entry: string }>> {
  const folders = await readdir(join(ROOT, 'lambdas'), { withFileTypes: true });
  const entries: Array<{ name: string; entry: string }> = [];
  for (const folder of folders) {
    if (!folder.isDirectory()) continue;
    const entry = join(ROOT, 'lambdas', folder.name, 'handler.ts');
    if (await stat(entry).catch(() => undefined)) entries.push({ name: folder.name, entry });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

async function bundle(entry: string, outfile: string, sourceMaps: boolean): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: sourceMaps,
    banner: { js: CREATE_REQUIRE_BANNER },
    logLevel: 'silent',
  });
}

/**
 * The environment a handler reads at start-up: every function's schema's example values
 * (lambdas/<function>/environment.ts), which each handler checks at cold start, so importing
 * succeeds outside Lambda; nothing is called.
 */
async function placeholderEnvironment(): Promise<Record<string, string>> {
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    ...(await exampleEnvironmentOfEveryFunction()),
  };
}

/** Median milliseconds to import `file` in a fresh Node process (the process's own start excluded). */
function importMs(file: string, environment: Record<string, string>, nodeOptions: string[]): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = spawnSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', script], {
      env: environment,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const ms = Number(result.stdout.trim().split('\n').at(-1));
    if (result.status !== 0 || !Number.isFinite(ms)) {
      // The bundle is minified onto a few long lines: name the error, not the code around it.
      const error =
        result.stderr.split('\n').find((line) => /^\w*Error\b/.test(line)) ?? result.stderr.slice(-300);
      throw new Error(`importing ${file} failed: ${error.slice(0, 300)}`);
    }
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

async function measureOne(
  name: string,
  entry: string,
  dir: string,
  environment: Record<string, string>,
): Promise<ColdStartRow> {
  const plain = join(dir, `${name}.mjs`);
  const mapped = join(dir, `${name}.map.mjs`);
  await bundle(entry, plain, false);
  await bundle(entry, mapped, true);
  return {
    name,
    bundleBytes: (await stat(plain)).size,
    importMs: importMs(plain, environment, []),
    importWithSourceMapsMs: importMs(mapped, environment, ['--enable-source-maps']),
  };
}

export async function measureColdStarts(): Promise<ColdStartRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'waggle-cold-start-'));
  try {
    const minimal = join(dir, 'minimal-handler.ts');
    await writeFile(minimal, 'export const handler = async () => ({ statusCode: 200, body: "ok" });\n');
    const environment = await placeholderEnvironment();
    const rows = [await measureOne('minimal handler (baseline)', minimal, dir, environment)];
    for (const { name, entry } of await handlerEntries())
      rows.push(await measureOne(name, entry, dir, environment));
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function formatColdStartSection(rows: ColdStartRow[]): string {
  const [baseline] = rows;
  if (baseline === undefined) throw new Error('no cold-start rows');
  const fmt = (n: number, digits = 0) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const lines = rows.map(
    (row) =>
      `| ${row.name} | ${fmt(row.bundleBytes / 1024)} | ${fmt(row.importMs, 1)} | ${fmt(row.importMs - baseline.importMs, 1)} (${fmt(row.importMs / baseline.importMs, 0)}x) | ${fmt(row.importWithSourceMapsMs, 1)} (${fmt(row.importWithSourceMapsMs / row.importMs, 2)}x) |`,
  );
  return [
    '## Cold start: bundle size and import time per function',
    '',
    'Each function bundled as CDK deploys it (esbuild, ESM, minified, AWS SDK bundled), then imported in a',
    `fresh Node process (median of ${RUNS}; the process's own start excluded), beside a minimal handler bundled`,
    'the same way. Source maps are off by default; the last column is the same import with',
    '`--enable-source-maps` and the map shipped (a deployment-config switch turns that on).',
    '',
    '| function | bundle KiB | import ms | more than the minimal handler, ms (ratio) | import ms with source maps (ratio) |',
    '|---|---:|---:|---:|---:|',
    ...lines,
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await measureColdStarts();
  console.log(formatColdStartSection(rows));
}
