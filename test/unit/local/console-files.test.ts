import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleFiles,
  isApiPath,
  type LocalConsoleConfig,
  openConsoleFiles,
  safeRequestPath,
} from '../../../lambdas/local/console-files';
import { apigwEvent } from '../../support/apigw-event';

const CONFIG: LocalConsoleConfig = {
  controlPlaneUrl: 'http://127.0.0.1:4319',
  auth: { mode: 'local' },
  dataPlanes: [
    {
      id: 'local',
      url: 'http://127.0.0.1:4318',
      otlpEndpoint: 'http://127.0.0.1:4318/v1/traces',
      grpcEndpoint: 'http://127.0.0.1:4317',
    },
  ],
};
const INDEX = '<!doctype html><title>Waggle</title><div id="root"></div>';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);

let root: string;
let dist: string;
let files: ConsoleFiles;

function get(path: string, method = 'GET') {
  return files.answer(apigwEvent({ method, path }));
}

function bodyOf(result: APIGatewayProxyStructuredResultV2 | undefined): Buffer {
  if (!result?.body) return Buffer.alloc(0);
  return Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'waggle-console-files-'));
  dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets', 'index-AbC123.js'), 'console.log("app")');
  await writeFile(join(dist, 'assets', 'index-AbC123.css'), 'body{}');
  await writeFile(join(dist, 'assets', 'index-AbC123.js.map'), '{}');
  await writeFile(join(dist, 'favicon.png'), PNG);
  // A file beside the build that must never be reachable from it.
  await writeFile(join(root, 'secret.txt'), 'do not serve');
  files = await openConsoleFiles({ dir: dist, config: CONFIG });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the console on the local control plane', () => {
  it('serves index.html at the root, not cached, with the security headers', async () => {
    const answer = await get('/');
    expect(answer?.statusCode).toBe(200);
    expect(bodyOf(answer).toString()).toBe(INDEX);
    expect(answer?.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'strict-origin-when-cross-origin',
    });
    const csp = String(answer?.headers?.['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:4319 http://127.0.0.1:4318;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("script-src 'unsafe-inline'");
  });

  it('serves hashed assets with their content type and a year-long immutable cache', async () => {
    const js = await get('/assets/index-AbC123.js');
    expect(js?.statusCode).toBe(200);
    expect(bodyOf(js).toString()).toBe('console.log("app")');
    expect(js?.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect((await get('/assets/index-AbC123.css'))?.headers?.['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await get('/assets/index-AbC123.js.map'))?.headers?.['content-type']).toBe(
      'application/json; charset=utf-8',
    );
  });

  it('serves binary files byte for byte (base64 to the server), not cached for good outside /assets/', async () => {
    const png = await get('/favicon.png');
    expect(png?.isBase64Encoded).toBe(true);
    expect(bodyOf(png).equals(PNG)).toBe(true);
    expect(png?.headers).toMatchObject({ 'content-type': 'image/png', 'cache-control': 'no-cache' });
  });

  it('answers config.json with the ConsoleConfig, never cached', async () => {
    const answer = await get('/config.json');
    expect(answer?.statusCode).toBe(200);
    expect(answer?.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
    });
    expect(JSON.parse(bodyOf(answer).toString())).toEqual(CONFIG);
  });

  it('answers index.html for any other GET or HEAD (deep links), but 404 for a missing hashed asset', async () => {
    for (const path of ['/projects/p1/sessions/s1', '/sign-in', '/admin/', '/projects/x/events?type=model']) {
      const answer = await get(path.split('?')[0] as string);
      expect(answer?.statusCode, path).toBe(200);
      expect(bodyOf(answer).toString()).toBe(INDEX);
      expect(answer?.headers?.['cache-control']).toBe('no-cache');
    }
    expect((await get('/sessions', 'HEAD'))?.statusCode).toBe(200);
    const stale = await get('/assets/index-Old999.js');
    expect(stale?.statusCode).toBe(404);
    expect(stale?.headers?.['content-type']).toBe('text/plain; charset=utf-8');
  });

  it('leaves API paths and other methods to the API (their 404 and 405 answers stay)', async () => {
    for (const path of ['/v1/projects', '/v1/nope', '/v1', '/.well-known/jwks.json', '/.well-known/other'])
      expect(await get(path), path).toBeUndefined();
    expect(await get('/', 'POST')).toBeUndefined();
    expect(await get('/index.html', 'DELETE')).toBeUndefined();
    expect(isApiPath('/v1x')).toBe(false);
    expect(isApiPath('/v1/')).toBe(true);
  });

  it('refuses paths that could leave the folder: dot segments, encoded slashes and backslashes, NUL, bad escapes', async () => {
    for (const path of [
      '/..%2f..%2fetc/passwd',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/assets\\..\\..\\secret.txt',
      '/index.html%00.js',
      '/%00',
      '/%ff',
      '/./index.html',
    ]) {
      const answer = await get(path);
      expect(answer?.statusCode, path).toBe(400);
      expect(bodyOf(answer).toString()).not.toContain('do not serve');
      expect(answer?.headers?.['content-type']).toBe('text/plain; charset=utf-8');
    }
    expect(safeRequestPath('/assets/a%20b.js')).toBe('/assets/a b.js');
    expect(safeRequestPath('/a/..b/c')).toBe('/a/..b/c');
  });

  it('serves a rebuilt folder without a restart (listed again when index.html changes)', async () => {
    await writeFile(join(dist, 'assets', 'index-New456.js'), 'new');
    await writeFile(join(dist, 'index.html'), `${INDEX}<!-- new -->`);
    const later = new Date(Date.now() + 5_000);
    await utimes(join(dist, 'index.html'), later, later);
    expect(bodyOf(await get('/assets/index-New456.js')).toString()).toBe('new');
    expect(bodyOf(await get('/')).toString()).toContain('<!-- new -->');
  });

  it('without a build, the root says how to build the console; config.json and the APIs still answer', async () => {
    const empty = await openConsoleFiles({ dir: join(root, 'no-such-dist'), config: CONFIG });
    expect(empty.available).toBe(false);
    const page = await empty.answer(apigwEvent({ method: 'GET', path: '/' }));
    expect(page?.statusCode).toBe(503);
    expect(bodyOf(page).toString()).toContain('npm exec -- vite build ui');
    expect((await empty.answer(apigwEvent({ method: 'GET', path: '/config.json' })))?.statusCode).toBe(200);
    expect(await empty.answer(apigwEvent({ method: 'GET', path: '/v1/projects' }))).toBeUndefined();

    const building = await openConsoleFiles({
      dir: dist,
      config: CONFIG,
      unavailable: 'wait',
      building: true,
    });
    const buildingPage = await building.answer(apigwEvent({ method: 'GET', path: '/' }));
    expect(buildingPage?.statusCode).toBe(503);
    expect(buildingPage?.headers?.['retry-after']).toBe('3');
    expect(bodyOf(buildingPage).toString()).toContain('<meta http-equiv="refresh" content="3">');
    expect(bodyOf(buildingPage).toString()).toContain('being built');

    const failed = await openConsoleFiles({
      dir: dist,
      config: CONFIG,
      unavailable: 'The last build failed: <x>',
    });
    expect(failed.available).toBe(false);
    const failedPage = bodyOf(await failed.answer(apigwEvent({ method: 'GET', path: '/sessions' })));
    expect(failedPage.toString()).toContain('The last build failed: &lt;x&gt;');
  });
});
