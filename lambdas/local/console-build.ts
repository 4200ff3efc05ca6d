/**
 * Builds the web console (ui/) for the local platform: `npm start` builds it into ui/dist when the
 * build is missing or older than its sources; tests, the screenshots and the bench build it into a
 * folder of their own. The build runs the vite CLI from node_modules in a child process, so a
 * failure is a message (what vite printed), never a crash of the platform.
 */
import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's package (ui/) in this repository. */
const CONSOLE_SOURCE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ui');
/** Where `vite build` writes it (ui/vite.config.ts's build.outDir), and what `npm start` serves. */
export const CONSOLE_DIST_DIR = join(CONSOLE_SOURCE_DIR, 'dist');
/** What the build reads: a change to any of them (a file added or deleted too) makes a build stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

export type ConsoleBuild =
  | { status: 'fresh' }
  | { status: 'built'; ms: number }
  | { status: 'failed'; error: string };

export interface ConsoleBuildOptions {
  /** The console's sources (ui/). */
  sourceDir?: string;
  /** Where the build goes (ui/dist). */
  outDir?: string;
  /** Builds even when the output is newer than the sources. */
  force?: boolean;
  /** One line before the build and one after ("building the console (ui/) …", the time taken). */
  progress?: (line: string) => void;
}

async function newestModification(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestModification(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when outDir/index.html is missing or a source changed after it was written. */
export async function consoleBuildIsStale(
  sourceDir = CONSOLE_SOURCE_DIR,
  outDir = join(sourceDir, 'dist'),
): Promise<boolean> {
  const built = await stat(join(outDir, 'index.html')).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(SOURCES.map((source) => newestModification(join(sourceDir, source))));
  return Math.max(...sources) > built.mtimeMs;
}

/** Builds the console when stale (or forced). Never throws: a failure comes back with vite's words. */
export async function buildConsole(options: ConsoleBuildOptions = {}): Promise<ConsoleBuild> {
  const sourceDir = options.sourceDir ?? CONSOLE_SOURCE_DIR;
  const outDir = resolve(options.outDir ?? join(sourceDir, 'dist'));
  const progress = options.progress ?? (() => {});
  try {
    if (!options.force && !(await consoleBuildIsStale(sourceDir, outDir))) return { status: 'fresh' };
    progress('building the console (ui/) …');
    const started = performance.now();
    await runVite(['build', sourceDir, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn']);
    const ms = Math.round(performance.now() - started);
    progress(`built the console in ${(ms / 1000).toFixed(1)} s (${outDir})`);
    return { status: 'built', ms };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress(`the console did not build: ${message}`);
    return { status: 'failed', error: message };
  }
}

/** The vite CLI of node_modules, under this Node (npm start's Node 24). */
function runVite(args: string[]): Promise<void> {
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      // The end of the output says what went wrong; keep the last 4 KB of it.
      output = (output + chunk.toString('utf8')).slice(-4096);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new Error(
            `vite build exited with ${signal ?? `code ${code}`}${output.trim() ? `:\n${output.trim()}` : ''}`,
          ),
        );
    });
  });
}
