import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalPlatform } from '../../lambdas/local/platform';
import { minimalTraceRequest } from '../support/minimal-otlp';
import { eventually } from '../support/read-api-client';
import { startTempPlatform, type TempPlatform, WITH_CONTROL_PLANE } from '../support/temp-platform';

type Platform = LocalPlatform;

let dataDir: string;
let local: TempPlatform;
let platform: Platform;
let cpUrl: string;

beforeAll(async () => {
  local = await startTempPlatform('waggle-cp-e2e-', WITH_CONTROL_PLANE);
  ({ platform, dataDir } = local);
  cpUrl = (platform.controlPlane as NonNullable<Platform['controlPlane']>).url;
});

afterAll(() => local?.close());

async function call(method: string, url: string, token: string | undefined, body?: unknown, extra = {}) {
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...extra,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
    body: (text ? JSON.parse(text) : undefined) as any,
  };
}

const spanBody = (name: string) => minimalTraceRequest([name], 'cp-e2e');

async function signIn(): Promise<string> {
  const bootstrap = platform.controlPlane?.bootstrap;
  if (!bootstrap) throw new Error('the first start must create the admin');
  const reply = await call('POST', `${cpUrl}/v1/auth/sign-in`, undefined, {
    email: bootstrap.email,
    password: bootstrap.password,
  });
  expect(reply.status).toBe(200);
  return reply.body.id_token as string;
}

describe('local control plane', () => {
  it('writes the admin credentials to local.json (mode 600) on first start', async () => {
    const path = join(dataDir, 'local.json');
    const info = JSON.parse(await readFile(path, 'utf8'));
    expect(info.apiKey).toBe(platform.apiKey);
    expect(info.controlPlane).toMatchObject({ url: cpUrl, email: 'admin@local', project: 'default' });
    expect(info.controlPlane.password).toBe(platform.controlPlane?.bootstrap?.password);
    expect(info.controlPlane.apiKey).toMatch(/^wgl_/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const jwks = await call('GET', `${cpUrl}/.well-known/jwks.json`, undefined);
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
  });

  it('refuses a wrong password and calls without a valid ID token', async () => {
    const wrong = await call('POST', `${cpUrl}/v1/auth/sign-in`, undefined, {
      email: 'admin@local',
      password: 'not-the-password',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.id_token).toBeUndefined();
    expect((await call('GET', `${cpUrl}/v1/projects`, undefined)).status).toBe(401);
    expect((await call('GET', `${cpUrl}/v1/projects`, 'a.b.c')).status).toBe(401);
    expect((await call('POST', `${cpUrl}/v1/tokens`, undefined, { project_id: 'x' })).status).toBe(401);
  });

  it('sign in, project, key, ingest, read with a token, revoke within 60 s; other projects stay out', async () => {
    const idToken = await signIn();
    const created = await call('POST', `${cpUrl}/v1/projects`, idToken, { name: 'e2e-app' });
    expect(created.status).toBe(200);
    const projectId = created.body.id as string;
    const keyReply = await call('POST', `${cpUrl}/v1/projects/${projectId}/keys`, idToken, {
      scopes: ['ingest', 'read'],
    });
    expect(keyReply.status).toBe(201);
    const apiKey = keyReply.body.key as string;

    // The key reaches the data plane's registry through the sync.
    await eventually(async () => {
      const sent = await call('POST', `${platform.url}/v1/traces`, apiKey, spanBody('cp-e2e-span'));
      return sent.status === 200 ? sent : undefined;
    }, 15_000);

    const tokenReply = await call('POST', `${cpUrl}/v1/tokens`, idToken, { project_id: projectId });
    expect(tokenReply.status).toBe(200);
    expect(tokenReply.body.role).toBe('owner');
    const token = tokenReply.body.token as string;
    const again = await call('POST', `${cpUrl}/v1/tokens`, idToken, { project_id: projectId });
    expect(again.body.token).toBe(token);

    const events = await eventually(async () => {
      const read = await call('POST', `${platform.url}/v1/events/export`, token, { filters: [] });
      expect(read.status).toBe(200);
      return read.body.events.length > 0 ? read.body.events : undefined;
    }, 15_000);
    expect(events.map((event: { event_name: string }) => event.event_name)).toContain('cp-e2e-span');

    // Another project's token: refused on this project, and its own data does not include ours.
    const other = await call('POST', `${cpUrl}/v1/projects`, idToken, { name: 'other-app' });
    const otherToken = (await call('POST', `${cpUrl}/v1/tokens`, idToken, { project_id: other.body.id })).body
      .token as string;
    const crossRead = await call(
      'POST',
      `${platform.url}/v1/events/export`,
      otherToken,
      { filters: [] },
      {
        'x-waggle-project': projectId,
      },
    );
    expect(crossRead.status).toBe(403);
    expect(crossRead.body.events).toBeUndefined();
    const ownRead = await call('POST', `${platform.url}/v1/events/export`, otherToken, { filters: [] });
    expect(ownRead.status).toBe(200);
    expect(ownRead.body.events).toEqual([]);
    // Nor may the key of this project be pointed at the other one.
    const keyCross = await call('POST', `${platform.url}/v1/traces`, apiKey, spanBody('x'), {
      'x-waggle-project': other.body.id,
    });
    expect(keyCross.status).toBe(403);

    const revokedAt = Date.now();
    const revoke = await call(
      'DELETE',
      `${cpUrl}/v1/projects/${projectId}/keys/${keyReply.body.id}`,
      idToken,
    );
    expect(revoke.status).toBe(200);
    expect(revoke.body.status).toBe('revoked');
    const refused = await eventually(async () => {
      const sent = await call('POST', `${platform.url}/v1/traces`, apiKey, spanBody('after-revoke'));
      return sent.status === 200 ? undefined : sent;
    }, 60_000);
    expect(refused.status).toBe(403);
    expect(Date.now() - revokedAt).toBeLessThan(60_000);
  });

  it('answers 405 with Allow for a known path and a method it does not serve', async () => {
    for (const [method, path, allow] of [
      ['GET', '/v1/auth/sign-in', 'POST'],
      ['PATCH', '/v1/projects', 'DELETE, GET, POST, PUT'],
      ['POST', '/.well-known/jwks.json', 'GET'],
    ] as const) {
      const response = await fetch(`${cpUrl}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      await response.arrayBuffer();
    }
  });

  it('rate-limits failed sign-ins with 429 and Retry-After', async () => {
    const attempt = () =>
      call('POST', `${cpUrl}/v1/auth/sign-in`, undefined, {
        email: 'nobody@local',
        password: 'guess-guess-guess',
      });
    // Failures count per account and client address: five, then 429.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const locked = await attempt();
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account at the same address (locally everyone is 127.0.0.1) is not locked out.
    const info = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
    const admin = await call('POST', `${cpUrl}/v1/auth/sign-in`, undefined, {
      email: info.controlPlane.email,
      password: info.controlPlane.password,
    });
    expect(admin.status).toBe(200);
  });
});
