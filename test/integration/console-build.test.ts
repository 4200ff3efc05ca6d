/**
 * The console build that `npm start` runs (lambdas/local/console-build.ts), on a tiny Vite app of
 * its own (no React: fast): built when missing, fresh when nothing changed, built again when a
 * source changes, and a broken source is a failed build with vite's words, never a throw.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsole, consoleBuildIsStale } from '../../lambdas/local/console-build';

let root: string;
let app: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'waggle-console-build-'));
  app = join(root, 'ui');
  await mkdir(join(app, 'src'), { recursive: true });
  await writeFile(
    join(app, 'index.html'),
    '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/main.js"></script></body></html>',
  );
  await writeFile(join(app, 'vite.config.ts'), 'export default { build: { outDir: "dist" } };\n');
  await writeFile(join(app, 'package.json'), '{"name":"tiny","private":true,"type":"module"}\n');
  await writeFile(join(app, 'src', 'main.js'), 'document.getElementById("root").textContent = "tiny";\n');
  // Sources written an hour ago: a build made now is newer than every one of them.
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const path of ['index.html', 'vite.config.ts', 'package.json', 'src/main.js', 'src', '.'])
    await utimes(join(app, path), anHourAgo, anHourAgo);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('console build', () => {
  it('builds when the output is missing, then is fresh until a source changes', async () => {
    const out = join(root, 'out');
    const lines: string[] = [];
    expect(await consoleBuildIsStale(app, out)).toBe(true);
    const first = await buildConsole({ sourceDir: app, outDir: out, progress: (line) => lines.push(line) });
    expect(first.status).toBe('built');
    expect(lines[0]).toBe('building the console (ui/) …');
    expect(lines[1]).toMatch(/^built the console in \d+\.\d s/);
    expect(await readFile(join(out, 'index.html'), 'utf8')).toContain('/assets/');
    expect((await readdir(join(out, 'assets'))).some((name) => /^index-[\w-]+\.js$/.test(name))).toBe(true);

    lines.length = 0;
    expect(await buildConsole({ sourceDir: app, outDir: out, progress: (line) => lines.push(line) })).toEqual(
      {
        status: 'fresh',
      },
    );
    expect(lines).toEqual([]);

    // An edit after the build (its time: now, a moment after the build wrote its output).
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = new Date();
    await utimes(join(app, 'src', 'main.js'), now, now);
    expect(await consoleBuildIsStale(app, out)).toBe(true);
    expect((await buildConsole({ sourceDir: app, outDir: out })).status).toBe('built');
    expect(await consoleBuildIsStale(app, out)).toBe(false);
  });

  it('reports a failed build with what vite said, without throwing', async () => {
    await writeFile(
      join(app, 'src', 'main.js'),
      'import { nothing } from "./missing-module.js";\nnothing();\n',
    );
    const lines: string[] = [];
    const result = await buildConsole({
      sourceDir: app,
      outDir: join(root, 'broken-out'),
      progress: (line) => lines.push(line),
    });
    expect(result.status).toBe('failed');
    expect(result.status === 'failed' && result.error).toContain('missing-module');
    expect(lines[1]).toMatch(/^the console did not build: vite build exited with code 1/);
  });
});
