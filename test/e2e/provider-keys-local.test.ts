/**
 * Provider keys on the running local platform (what `npm start` serves on the data plane's port):
 * set, list, replace and remove through the platform's HTTP server with its API key; the secret is
 * sealed on disk with the data folder's key and never comes back, and it survives a restart.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform } from '../../lambdas/local/platform';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;

const SECRET = 'sk-local-e2e-0123456789abcdefWXYZ';
let dataDir: string;
let platform: Platform;

async function call(method: string, path: string, body?: unknown, key = platform.apiKey) {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

/** Every file under the data folder, as text, to look for the secret in clear. */
async function everythingOnDisk(folder: string): Promise<string> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  const contents = await Promise.all(
    files.map((file) => readFile(file).then((bytes) => bytes.toString('latin1'))),
  );
  return contents.join('\n');
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-provider-keys-e2e-'));
  platform = await startLocalPlatform({ port: 0, dataDir });
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('provider keys on the local platform', () => {
  it('are set, listed without the secret, kept sealed on disk across a restart, and removed', async () => {
    const created = await call('PUT', '/v1/provider-keys/openai', { api_key: SECRET, scope: 'project' });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(SECRET);
    expect(JSON.parse(created.text)).toMatchObject({ provider: 'openai', scope: 'project', last4: 'WXYZ' });

    // A model server on the laptop: http on loopback is allowed locally.
    const compatible = await call('PUT', '/v1/provider-keys/openai-compatible', {
      api_key: 'local-model-key-000000',
      base_url: 'http://127.0.0.1:11434/v1',
      scope: 'workspace',
    });
    expect(compatible.status).toBe(201);

    const listed = await call('GET', '/v1/provider-keys');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain(SECRET);
    const providers = (JSON.parse(listed.text) as { provider_keys: { provider: string }[] }).provider_keys;
    expect(providers.map((key) => key.provider).sort()).toEqual(['openai', 'openai-compatible']);

    await platform.close();
    expect(await everythingOnDisk(dataDir)).not.toContain(SECRET);
    platform = await startLocalPlatform({ port: 0, dataDir });

    const afterRestart = await call('GET', '/v1/provider-keys');
    expect(JSON.parse(afterRestart.text).provider_keys).toHaveLength(2);

    const removed = await call('DELETE', '/v1/provider-keys/openai?scope=project');
    expect(removed.status).toBe(200);
    expect(JSON.parse(removed.text)).toMatchObject({ success: true, deleted: 'openai' });
    expect((await call('DELETE', '/v1/provider-keys/openai?scope=project')).status).toBe(404);
  }, 120_000);

  it('refuses a caller without a valid key, and an unknown provider with the known ones listed', async () => {
    expect((await call('GET', '/v1/provider-keys', undefined, 'wgl_not-a-real-key')).status).toBe(401);
    const unknown = await call('PUT', '/v1/provider-keys/skynet', { api_key: SECRET, scope: 'project' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('openai');
    expect(unknown.text).not.toContain(SECRET);
  });
});
