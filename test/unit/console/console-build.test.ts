import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleBuildIsStale, ensureConsoleBuilt } from '../../../bin/console-build';

let folder: string;

/** Writes a file and dates it (and the folders it made, whose times count too) `secondsAgo`. */
async function writeAt(path: string, text: string, secondsAgo: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, text);
  const when = new Date(Date.now() - secondsAgo * 1000);
  for (let current = path; current.length > folder.length; current = join(current, '..')) {
    await utimes(current, when, when);
  }
}

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'waggle-console-build-'));
  await writeAt(join(folder, 'index.html'), '<!doctype html>', 100);
  await writeAt(join(folder, 'src', 'pages', 'page.tsx'), 'export {};', 100);
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('the console build', () => {
  it('is stale when dist/index.html is missing', async () => {
    expect(await consoleBuildIsStale(folder)).toBe(true);
  });

  it('is fresh when built after every source, and stale again once a nested source changes', async () => {
    await writeAt(join(folder, 'dist', 'index.html'), 'built', 50);
    expect(await consoleBuildIsStale(folder)).toBe(false);
    await writeAt(join(folder, 'src', 'pages', 'page.tsx'), 'export const changed = 1;', 10);
    expect(await consoleBuildIsStale(folder)).toBe(true);
  });

  it('reports a failed build with its error instead of throwing, after one progress line', async () => {
    await writeAt(join(folder, 'vite.config.ts'), 'throw new Error("broken config");', 100);
    const lines: string[] = [];
    const result = await ensureConsoleBuilt((line) => lines.push(line), folder);
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.error).toContain('broken config');
    expect(lines[0]).toBe('building the console (ui/) …');
    expect(lines[1]).toContain('the console did not build');
  });

  it('does nothing when the build is fresh', async () => {
    await writeAt(join(folder, 'dist', 'index.html'), 'built', 50);
    const lines: string[] = [];
    expect(await ensureConsoleBuilt((line) => lines.push(line), folder)).toEqual({ status: 'fresh' });
    expect(lines).toEqual([]);
  });
});
