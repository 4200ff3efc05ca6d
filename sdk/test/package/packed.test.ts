/**
 * The SDK as people install it: `npm pack` (prepack builds dist/), the tarball installed into a
 * temporary plain-JavaScript app, used there with `import` and with `require` under this
 * repository's Node 24, and a TypeScript consumer type-checked against the installed types.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childNpmEnv, type PackedSdk, packSdk, SDK_DIR } from '../../scripts/pack';
import { compareVersions, dependencyEngines, parseVersion, rangeFloor, strictestFloor } from './engines';
import { type Sink, startSink } from './sink';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const CONSUMER = fileURLToPath(new URL('./consumer/', import.meta.url));

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

let work: string | undefined;
let app: string;
let installed: string;
let packed: PackedSdk;
let sink: Sink;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'waggle-sdk-packed-'));
  packed = await packSdk(work);
  app = join(work, 'app');
  installed = join(app, 'node_modules/@waggle/sdk');
  await cp(CONSUMER, app, { recursive: true });
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true }));
  // @types/node for the TypeScript consumer: the version this repository has, so it comes from the cache.
  const typesNode = (await readJson(join(REPO, 'node_modules/@types/node/package.json'))).version;
  const install = ['install', '--no-audit', '--no-fund', '--prefer-offline', packed.tarball];
  await run('npm', [...install, `@types/node@${typesNode}`], { cwd: app, env: childNpmEnv() });
  sink = await startSink();
}, 300_000);

afterAll(async () => {
  await sink?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Runs a consumer script of the app under this process's Node, against the sink. */
async function runConsumer(script: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [script], {
    cwd: app,
    env: { ...process.env, WAGGLE_SERVER_URL: sink.url },
  });
  return JSON.parse(stdout);
}

/** The spans the sink received as OTLP/JSON, with the Authorization header they came with. */
function receivedSpans(): { name: string; json: string; authorization: string | undefined }[] {
  return sink.requests
    .filter((request) => request.method === 'POST' && request.path === '/v1/traces')
    .flatMap((request) =>
      JSON.parse(request.body).resourceSpans.flatMap((rs: { scopeSpans: { spans: { name: string }[] }[] }) =>
        rs.scopeSpans.flatMap((ss) =>
          ss.spans.map((span) => ({
            name: span.name,
            json: JSON.stringify(span),
            authorization: request.authorization,
          })),
        ),
      ),
    );
}

describe('packed @waggle/sdk', () => {
  it('ships only dist/ (JavaScript and declarations), README.md, LICENSE and package.json', () => {
    const paths = packed.files.map((file) => file.path);
    for (const file of paths)
      expect(file).toMatch(/^(dist\/.+\.(js|d\.ts|json)|README\.md|LICENSE|package\.json)$/);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/esm/index.js',
        'dist/esm/index.d.ts',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/cjs/package.json',
        'README.md',
        'LICENSE',
      ]),
    );
  });

  it("declares the Node floor of its strictest dependency, and this repository's Node is above it", async () => {
    const manifest = await readJson(join(installed, 'package.json'));
    const declared = rangeFloor(manifest.engines.node);
    const engines = dependencyEngines(installed);
    expect(engines.size).toBeGreaterThan(0);
    expect(declared).toEqual(strictestFloor(engines.values()));
    const root = await readJson(join(REPO, 'package.json'));
    expect(
      compareVersions(parseVersion(process.versions.node), rangeFloor(root.engines.node)),
    ).toBeGreaterThanOrEqual(0);
    expect(compareVersions(parseVersion(process.versions.node), declared)).toBeGreaterThanOrEqual(0);
  });

  it('traces a call from a plain JavaScript ES module (import)', async () => {
    const result = await runConsumer('esm.mjs');
    const { version } = await readJson(join(SDK_DIR, 'package.json'));
    expect(result).toMatchObject({ answer: 'hello esm', flushed: true, version });
    expect(String(result.resolved)).toMatch(/\/node_modules\/@waggle\/sdk\/dist\/esm\/index\.js$/);
    const span = receivedSpans().find((s) => s.name === 'greetFromImport');
    expect(span?.authorization).toBe('Bearer wgl_packed');
    expect(span?.json).toContain('"import"');
  });

  it('traces a call from a plain JavaScript CommonJS script (require)', async () => {
    const result = await runConsumer('cjs.cjs');
    expect(result).toMatchObject({ answer: 'hello cjs', flushed: true });
    expect(String(result.resolved)).toMatch(/\/node_modules\/@waggle\/sdk\/dist\/cjs\/index\.js$/);
    const span = receivedSpans().find((s) => s.name === 'greetFromRequire');
    expect(span?.authorization).toBe('Bearer wgl_packed');
    expect(span?.json).toContain('"require"');
  });

  it("type-checks a TypeScript consumer (NodeNext, import and require) against the package's declarations", async () => {
    const tsc = join(REPO, 'node_modules/.bin/tsc');
    const { stdout } = await run(tsc, ['-p', join(app, 'tsconfig.json'), '--listFiles'], {
      cwd: app,
      maxBuffer: 16 * 2 ** 20,
    });
    expect(stdout).toContain('node_modules/@waggle/sdk/dist/esm/index.d.ts');
    expect(stdout).toContain('node_modules/@waggle/sdk/dist/cjs/index.d.ts');
  });
});
