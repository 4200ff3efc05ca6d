import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../lambdas/domain/auth/api-key';
import { type LocalPlatformOptions, startLocalPlatform } from '../../lambdas/local/platform';
import { minimalTraceRequest } from '../support/minimal-otlp';
import { eventually } from '../support/read-api-client';
import { WITH_CONTROL_PLANE } from '../support/temp-platform';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;

const folders: string[] = [];
const running: Platform[] = [];

afterAll(async () => {
  for (const platform of running) await platform.close().catch(() => undefined);
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function newFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'waggle-default-project-'));
  folders.push(folder);
  return folder;
}

async function start(dataDir: string, extra: Partial<LocalPlatformOptions> = {}): Promise<Platform> {
  const platform = await startLocalPlatform({ port: 0, dataDir, ...WITH_CONTROL_PLANE, ...extra });
  running.push(platform);
  return platform;
}

async function stop(platform: Platform): Promise<void> {
  await platform.close();
  running.splice(running.indexOf(platform), 1);
}

async function call(method: string, url: string, token: string | undefined, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

const spanBody = (name: string) => minimalTraceRequest([name], 'default-project');

async function localJson(dataDir: string) {
  return JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
}

async function signIn(platform: Platform, password: string): Promise<string> {
  const reply = await call('POST', `${platform.controlPlane?.url}/v1/auth/sign-in`, undefined, {
    email: 'admin@local',
    password,
  });
  expect(reply.status).toBe(200);
  return reply.body.id_token as string;
}

async function tokenFor(platform: Platform, idToken: string, projectId: string): Promise<string> {
  const reply = await call('POST', `${platform.controlPlane?.url}/v1/tokens`, idToken, {
    project_id: projectId,
  });
  expect(reply.status).toBe(200);
  return reply.body.token as string;
}

async function readNames(platform: Platform, credential: string): Promise<string[]> {
  const read = await call('POST', `${platform.url}/v1/events/export`, credential, { filters: [] });
  expect(read.status).toBe(200);
  return read.body.events.map((event: { event_name: string }) => event.event_name);
}

async function eventuallyReads(platform: Platform, credential: string, name: string): Promise<void> {
  await eventually(async () => ((await readNames(platform, credential)).includes(name) ? true : undefined));
}

describe('the local default project', () => {
  it('the local key belongs to the control-plane project "default"; tokens read its data; restarts keep it; revocation refuses it', async () => {
    const dataDir = await newFolder();
    let platform = await start(dataDir);
    const bootstrap = platform.controlPlane?.bootstrap;
    if (!bootstrap) throw new Error('the first start must create the admin');
    const info = await localJson(dataDir);
    expect(info.apiKey).toBe(platform.apiKey);
    expect(info.project).toBe('default');
    expect(info.project_id).toBe(bootstrap.project_id);
    expect(platform.projectId).toBe(bootstrap.project_id);
    expect(info.controlPlane).toMatchObject({ project_id: bootstrap.project_id, apiKey: platform.apiKey });
    expect(info.legacyApiKey).toBeUndefined();

    // The key works as soon as the start returns, and its data is the CP project's.
    const sent = await call('POST', `${platform.url}/v1/traces`, platform.apiKey, spanBody('first-span'));
    expect(sent.status).toBe(200);
    const idToken = await signIn(platform, bootstrap.password);
    const projects = await call('GET', `${platform.controlPlane?.url}/v1/projects`, idToken);
    expect(JSON.stringify(projects.body)).toContain(bootstrap.project_id);
    const keys = await call(
      'GET',
      `${platform.controlPlane?.url}/v1/projects/${bootstrap.project_id}/keys`,
      idToken,
    );
    expect(keys.status).toBe(200);
    expect(keys.body).toHaveLength(1);
    expect(keys.body[0]).toMatchObject({ prefix: platform.apiKey.slice(0, 8), status: 'active' });
    const keyId = keys.body[0].id as string;
    await eventuallyReads(platform, await tokenFor(platform, idToken, bootstrap.project_id), 'first-span');

    // A restart keeps the key and the project; the data is still there.
    const firstKey = platform.apiKey;
    await stop(platform);
    platform = await start(dataDir);
    expect(platform.controlPlane?.bootstrap).toBeUndefined();
    expect(platform.apiKey).toBe(firstKey);
    expect(platform.projectId).toBe(bootstrap.project_id);
    const again = await localJson(dataDir);
    expect(again).toMatchObject({ apiKey: firstKey, project_id: bootstrap.project_id });
    expect(again.controlPlane.password).toBe(bootstrap.password);
    expect(
      (await call('POST', `${platform.url}/v1/traces`, firstKey, spanBody('after-restart'))).status,
    ).toBe(200);
    const idToken2 = await signIn(platform, bootstrap.password);
    const token = await tokenFor(platform, idToken2, bootstrap.project_id);
    await eventuallyReads(platform, token, 'after-restart');
    expect(await readNames(platform, token)).toContain('first-span');
    const listed = await call(
      'GET',
      `${platform.controlPlane?.url}/v1/projects/${bootstrap.project_id}/keys`,
      idToken2,
    );
    expect(listed.body).toHaveLength(1);

    // Revoking the local key through the control plane refuses it.
    const revoke = await call(
      'DELETE',
      `${platform.controlPlane?.url}/v1/projects/${bootstrap.project_id}/keys/${keyId}`,
      idToken2,
    );
    expect(revoke.status).toBe(200);
    const refused = await eventually(async () => {
      const reply = await call('POST', `${platform.url}/v1/traces`, firstKey, spanBody('after-revoke'));
      return reply.status === 200 ? undefined : reply;
    }, 30_000);
    expect(refused.status).toBe(403);

    // The next start does not bring a revoked key back: it makes a new key of the same project.
    await stop(platform);
    platform = await start(dataDir);
    expect(platform.apiKey).not.toBe(firstKey);
    expect(platform.projectId).toBe(bootstrap.project_id);
    expect(
      (await call('POST', `${platform.url}/v1/traces`, platform.apiKey, spanBody('new-key'))).status,
    ).toBe(200);
    await eventuallyReads(platform, platform.apiKey, 'first-span');
    await stop(platform);
  }, 120_000);

  it('a data folder from before keeps its own key valid; the local key becomes the control plane one', async () => {
    const dataDir = await newFolder();
    // Before this change: the data plane's own key (project id "default") and the CP's bootstrap key.
    const old = await start(dataDir, { controlPlane: undefined });
    const oldKey = old.apiKey;
    expect(old.projectId).toBe('default');
    expect((await call('POST', `${old.url}/v1/traces`, oldKey, spanBody('old-span'))).status).toBe(200);
    await eventuallyReads(old, oldKey, 'old-span');
    await stop(old);

    const platform = await start(dataDir);
    const bootstrap = platform.controlPlane?.bootstrap;
    if (!bootstrap) throw new Error('the first start with the control plane must create the admin');
    expect(platform.apiKey).not.toBe(oldKey);
    expect(platform.projectId).toBe(bootstrap.project_id);
    const info = await localJson(dataDir);
    expect(info).toMatchObject({
      apiKey: platform.apiKey,
      legacyApiKey: oldKey,
      project_id: bootstrap.project_id,
    });
    // The old key still ingests and reads its own project's data.
    expect((await call('POST', `${platform.url}/v1/traces`, oldKey, spanBody('old-again'))).status).toBe(200);
    await eventuallyReads(platform, oldKey, 'old-again');
    expect(await readNames(platform, oldKey)).toContain('old-span');
    // The new local key's data goes to the control-plane project.
    expect(
      (await call('POST', `${platform.url}/v1/traces`, platform.apiKey, spanBody('cp-span'))).status,
    ).toBe(200);
    const token = await tokenFor(platform, await signIn(platform, bootstrap.password), bootstrap.project_id);
    await eventuallyReads(platform, token, 'cp-span');
    expect(await readNames(platform, token)).not.toContain('old-span');
    await stop(platform);
  }, 120_000);

  it('WAGGLE_LOCAL_API_KEY is registered, as is, for the control-plane project', async () => {
    const dataDir = await newFolder();
    const chosen = generateApiKey();
    let platform = await start(dataDir, { apiKey: chosen });
    const bootstrap = platform.controlPlane?.bootstrap;
    if (!bootstrap) throw new Error('the first start must create the admin');
    expect(platform.apiKey).toBe(chosen);
    expect(platform.projectId).toBe(bootstrap.project_id);
    const idToken = await signIn(platform, bootstrap.password);
    const keys = await call(
      'GET',
      `${platform.controlPlane?.url}/v1/projects/${bootstrap.project_id}/keys`,
      idToken,
    );
    expect(keys.body.map((key: { prefix: string }) => key.prefix)).toEqual([chosen.slice(0, 8)]);
    expect((await call('POST', `${platform.url}/v1/traces`, chosen, spanBody('chosen-span'))).status).toBe(
      200,
    );
    await eventuallyReads(platform, await tokenFor(platform, idToken, bootstrap.project_id), 'chosen-span');

    // Restarting with the same key does not register it twice.
    await stop(platform);
    platform = await start(dataDir, { apiKey: chosen });
    expect(platform.apiKey).toBe(chosen);
    const listed = await call(
      'GET',
      `${platform.controlPlane?.url}/v1/projects/${bootstrap.project_id}/keys`,
      await signIn(platform, bootstrap.password),
    );
    expect(listed.body).toHaveLength(1);
    await stop(platform);
  }, 120_000);
});
