/**
 * The console on the local platform, without a browser: the control plane serves a build (a
 * stand-in folder here: startLocalPlatform never builds unless asked) with config.json naming both
 * planes, keeps its API answers, refuses path traversal over real HTTP, and records the console's
 * address in local.json; the data plane allows the console's origin by CORS and no other; a failed
 * build leaves the platform running and the root saying so.
 */

import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleOrigins, type LocalPlatform, startLocalPlatform } from '../../lambdas/local/platform';
import { rawRequest } from '../support/raw-http';

const INDEX = '<!doctype html><title>Waggle test build</title><div id="root"></div>';

let root: string;
let platform: LocalPlatform;
let cpUrl: string;
const logLines: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'waggle-console-e2e-'));
  const dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), INDEX);
  await writeFile(join(dist, 'assets', 'index-T3st.js'), 'export {}');
  await writeFile(join(root, 'secret.txt'), 'not for the web');
  platform = await startLocalPlatform({
    port: 0,
    grpcPort: 0,
    dataDir: join(root, 'data'),
    log: (line) => logLines.push(line),
    controlPlane: { port: 0, syncBatchingWindowMs: 20, console: { dir: dist } },
    writer: { maximumBatchingWindowMs: 50 },
  });
  cpUrl = (platform.controlPlane as NonNullable<LocalPlatform['controlPlane']>).url;
});

afterAll(async () => {
  await platform?.close();
  await rm(root, { recursive: true, force: true });
});

describe('the console on the local control plane', () => {
  it('serves the build at the root with its headers, and config.json naming both planes', async () => {
    expect(platform.console).toEqual({ url: `${cpUrl}/`, available: true });
    const page = await fetch(`${cpUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(INDEX);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain(
      `connect-src 'self' ${cpUrl} ${platform.url}`,
    );
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');

    const asset = await fetch(`${cpUrl}/assets/index-T3st.js`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const deepLink = await fetch(`${cpUrl}/projects/p/sessions/s?event=e`);
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toBe(INDEX);

    const config = await fetch(`${cpUrl}/config.json`);
    expect(config.headers.get('cache-control')).toBe('no-cache');
    expect(await config.json()).toEqual({
      controlPlaneUrl: cpUrl,
      auth: { mode: 'local' },
      dataPlanes: [
        {
          id: 'local',
          url: platform.url,
          otlpEndpoint: `${platform.url}/v1/traces`,
          grpcEndpoint: platform.grpcUrl,
        },
      ],
    });
  });

  it('keeps the API answers: unknown /v1/ and /.well-known/ paths 404, a wrong method 405, the JWKS', async () => {
    const unknown = await rawRequest(cpUrl, 'GET', '/v1/no-such-route');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/json');
    expect((await rawRequest(cpUrl, 'GET', '/.well-known/openid-configuration')).status).toBe(404);
    const wrongMethod = await rawRequest(cpUrl, 'GET', '/v1/auth/sign-in');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('POST');
    const jwks = await fetch(`${cpUrl}/.well-known/jwks.json`);
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
    expect((await rawRequest(cpUrl, 'POST', '/', { 'content-type': 'application/json' }, '{}')).status).toBe(
      404,
    );
  });

  it('never serves a file outside the build: encoded dots, slashes and backslashes, NUL', async () => {
    for (const path of [
      '/..%2f..%2fetc/passwd',
      '/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/..%5c..%5c..%5cetc%5cpasswd',
      '/assets%5c..%5c..%5csecret.txt',
      '/secret.txt%00',
      '/%00../secret.txt',
    ]) {
      const answer = await rawRequest(cpUrl, 'GET', path);
      expect(answer.status, path).toBe(400);
      expect(answer.body).not.toContain('not for the web');
      expect(answer.body).not.toContain('root:');
    }
    // A plain name outside the build is a page of the app (index.html), not the file.
    const sibling = await rawRequest(cpUrl, 'GET', '/secret.txt');
    expect(sibling.body).toBe(INDEX);
  });

  it("records the console's address in local.json, beside the existing fields", async () => {
    const info = JSON.parse(await readFile(join(platform.dataDir, 'local.json'), 'utf8'));
    expect(info.ui).toBe(`${cpUrl}/`);
    expect(info).toMatchObject({ apiKey: platform.apiKey, url: platform.url, controlPlane: { url: cpUrl } });
  });

  it("allows the console's origin on the data plane by CORS, and no other", async () => {
    const origin = new URL(cpUrl).origin;
    expect(consoleOrigins(cpUrl)).toEqual([origin, origin.replace('127.0.0.1', 'localhost')]);
    const preflight = await rawRequest(platform.url, 'OPTIONS', '/v1/events/export', {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET,POST,PUT,DELETE',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '3600',
      vary: 'Origin',
    });
    const evil = await rawRequest(platform.url, 'OPTIONS', '/v1/events/export', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(evil.status).toBe(204);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();

    // What the console does: sign in, get a data-plane token, read with it from its origin.
    const info = JSON.parse(await readFile(join(platform.dataDir, 'local.json'), 'utf8'));
    const signIn = await fetch(`${cpUrl}/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: info.controlPlane.email, password: info.controlPlane.password }),
    });
    const { id_token } = (await signIn.json()) as { id_token: string };
    const tokenAnswer = await fetch(`${cpUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${id_token}` },
      body: JSON.stringify({ project_id: platform.projectId, data_plane_id: 'local' }),
    });
    const { token } = (await tokenAnswer.json()) as { token: string };
    const read = await rawRequest(
      platform.url,
      'POST',
      '/v1/events/export',
      { origin, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      '{"filters":[],"limit":1}',
    );
    expect(read.status).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBe(origin);
    const session = await rawRequest(platform.url, 'GET', '/v1/sessions/unknown-session', {
      origin,
      authorization: `Bearer ${token}`,
    });
    expect(session.headers['access-control-allow-origin']).toBe(origin);
    const fromEvil = await rawRequest(
      platform.url,
      'POST',
      '/v1/events/export',
      { origin: 'http://evil.example', authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      '{"filters":[],"limit":1}',
    );
    expect(fromEvil.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('the log', () => {
  it("logs the console's files and CORS preflights at debug, API requests at info", async () => {
    await fetch(`${cpUrl}/assets/index-T3st.js`);
    await fetch(`${cpUrl}/v1/no-such-route`);
    await rawRequest(platform.url, 'OPTIONS', '/v1/events/export', {
      origin: new URL(cpUrl).origin,
      'access-control-request-method': 'POST',
    });
    await rawRequest(platform.url, 'OPTIONS', '/v1/events/export');
    const lineOf = async (pattern: RegExp) => {
      for (let tries = 0; tries < 100; tries++) {
        const line = logLines.find((candidate) => pattern.test(candidate));
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`no log line matches ${pattern}`);
    };
    expect(await lineOf(/GET \/assets\/index-T3st\.js status=200/)).toMatch(/^DEBUG /);
    expect(await lineOf(/GET \/v1\/no-such-route status=404/)).toMatch(/^INFO /);
    expect(await lineOf(/OPTIONS \/v1\/events\/export status=204/)).toMatch(/^DEBUG /);
    expect(await lineOf(/OPTIONS \/v1\/events\/export status=405/)).toMatch(/^INFO /);
  });
});

describe('startLocalPlatform and the console build', () => {
  it('does not build unless asked: a missing build is a page saying how to make one; corsOrigins replaces the default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waggle-console-nobuild-'));
    const missing = join(dir, 'dist');
    const other = await startLocalPlatform({
      port: 0,
      dataDir: join(dir, 'data'),
      log: () => {},
      controlPlane: { port: 0, console: { dir: missing } },
      corsOrigins: ['http://localhost:5173'],
    });
    try {
      const preflight = (origin: string) =>
        rawRequest(other.url, 'OPTIONS', '/v1/events/export', {
          origin,
          'access-control-request-method': 'POST',
        });
      expect((await preflight('http://localhost:5173')).headers['access-control-allow-origin']).toBe(
        'http://localhost:5173',
      );
      const consoleOrigin = new URL(other.controlPlane?.url as string).origin;
      expect((await preflight(consoleOrigin)).headers['access-control-allow-origin']).toBeUndefined();
      expect(other.console?.available).toBe(false);
      expect(other.console?.build).toBeUndefined();
      expect(await stat(missing).catch(() => undefined)).toBeUndefined();
      const page = await fetch(`${other.controlPlane?.url}/`);
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm exec -- vite build ui');
    } finally {
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts without the console when the build fails, ingestion working, the root saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waggle-console-broken-'));
    const app = join(dir, 'ui');
    await mkdir(join(app, 'src'), { recursive: true });
    await writeFile(join(app, 'index.html'), '<script type="module" src="/src/main.js"></script>');
    await writeFile(join(app, 'src', 'main.js'), 'import "./does-not-exist.js";\n');
    const lines: string[] = [];
    const other = await startLocalPlatform({
      port: 0,
      dataDir: join(dir, 'data'),
      log: (line) => lines.push(line),
      controlPlane: { port: 0, console: { dir: join(dir, 'dist'), sourceDir: app, build: true } },
    });
    try {
      expect(other.console?.available).toBe(false);
      expect(other.console?.build?.status).toBe('failed');
      expect(lines.some((line) => line.includes('building the console (ui/) …'))).toBe(true);
      expect(
        lines.some((line) => line.includes('the console did not build') && line.includes('does-not-exist')),
      ).toBe(true);
      const page = await fetch(`${other.controlPlane?.url}/sessions`);
      expect(page.status).toBe(503);
      const text = await page.text();
      expect(text).toContain('The last build failed');
      expect(text).toContain('npm exec -- vite build ui');
      const ingest = await fetch(`${other.url}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.apiKey}`, 'content-type': 'application/json' },
        body: '{"resourceSpans":[]}',
      });
      expect(ingest.status).toBe(200);
    } finally {
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
