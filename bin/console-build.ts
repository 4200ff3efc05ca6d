/**
 * Builds the web console (ui/) into ui/dist when the build is missing or older than its sources, so
 * that a fresh clone's `npm start` and `cdk synth` serve the console without a separate step.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { projectPath } from '../lib/common/project-paths';
import { CONSOLE_BUILD_FOLDER } from '../lib/waggle-app';

const CONSOLE_FOLDER = projectPath('ui');
/** ui/dist relative to ui/ (vite.config.ts's build.outDir). */
const BUILD_FOLDER_IN_CONSOLE = CONSOLE_BUILD_FOLDER.replace(/^ui\//, '');
/** What the build reads: a change to any of them makes ui/dist stale. */
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

export type ConsoleBuildResult =
  | { status: 'fresh' }
  | { status: 'built'; ms: number }
  | { status: 'failed'; error: string };

async function newestModification(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestModification(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when the build (dist/index.html) is missing or any console source changed after it was built. */
export async function consoleBuildIsStale(folder = CONSOLE_FOLDER): Promise<boolean> {
  const built = await stat(join(folder, BUILD_FOLDER_IN_CONSOLE, 'index.html')).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(SOURCES.map((source) => newestModification(join(folder, source))));
  return Math.max(...sources) > built.mtimeMs;
}

/**
 * Builds the console with Vite when it is stale; `progress` gets one line before and one after.
 * Never throws: a failed build is reported, and the caller decides what runs without it.
 */
export async function ensureConsoleBuilt(
  progress: (line: string) => void,
  folder = CONSOLE_FOLDER,
): Promise<ConsoleBuildResult> {
  try {
    if (!(await consoleBuildIsStale(folder))) return { status: 'fresh' };
    progress('building the console (ui/) …');
    const started = Date.now();
    const { build } = await import('vite');
    await build({
      configFile: join(folder, 'vite.config.ts'),
      root: folder,
      logLevel: 'warn',
    });
    const ms = Date.now() - started;
    progress(`built the console in ${(ms / 1000).toFixed(1)} s`);
    return { status: 'built', ms };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    progress(`the console did not build: ${message}`);
    return { status: 'failed', error: message };
  }
}
