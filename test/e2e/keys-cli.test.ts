/**
 * `npm run keys -- create --local` with a control plane: the key belongs to the control plane's
 * project (listed by its API, data under its id), is made while the platform runs (through the API,
 * signed in as the local admin) and while it is stopped (through the store, applied at the next
 * start), has the default scopes ingest and read (the maker reads back what they sent), and a
 * project that does not exist is refused without creating anything.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLocalControlPlaneSection } from '../../lambdas/local/local-info';
import { localPaths, startLocalPlatform } from '../../lambdas/local/platform';
import { minimalTraceRequest } from '../support/minimal-otlp';
import { eventually, readApi } from '../support/read-api-client';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;

let dataDir: string;
let platform: Platform | undefined;

const start = () =>
  startLocalPlatform({
    port: 0,
    dataDir,
    log: () => {},
    controlPlane: { port: 0, syncBatchingWindowMs: 20 },
    auth: { positiveTtlMs: 500, negativeTtlMs: 100 },
    writer: { maximumBatchingWindowMs: 50 },
  });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-keys-cli-'));
  platform = await start();
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const run = promisify(execFile);

async function keys(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('tsx', ['bin/keys.ts', ...args, '--data-dir', dataDir], {
      env: { ...process.env, WAGGLE_DATA_DIR: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function keyOf(stdout: string): string {
  const key = /API key \(shown once, store it now\): (\S+)/.exec(stdout)?.[1];
  if (!key) throw new Error(`no key in: ${stdout}`);
  return key;
}

async function send(url: string, key: string, name: string): Promise<number> {
  const response = await fetch(`${url}/v1/traces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(minimalTraceRequest([name])),
  });
  await response.arrayBuffer();
  return response.status;
}

async function listedKeyIds(projectId: string): Promise<string[]> {
  const admin = await readLocalControlPlaneSection(localPaths(dataDir).info);
  if (!admin) throw new Error('no control-plane section in local.json');
  const signIn = await fetch(`${admin.url}/v1/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  const { id_token } = (await signIn.json()) as { id_token: string };
  const listed = await fetch(`${admin.url}/v1/projects/${projectId}/keys`, {
    headers: { authorization: `Bearer ${id_token}` },
  });
  return ((await listed.json()) as { id: string }[]).map((key) => key.id);
}

describe('npm run keys with the local control plane', () => {
  it('makes a key of the control-plane project while the platform runs, which ingests and reads back', async () => {
    const running = platform as Platform;
    const made = await keys('create', '--project', 'default', '--local');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain(`project    default (id ${running.projectId})`);
    expect(made.stdout).toContain('scopes     ingest,read');
    const key = keyOf(made.stdout);
    const keyId = /key id {5}(\S+)/.exec(made.stdout)?.[1];
    expect(await listedKeyIds(running.projectId)).toContain(keyId);

    expect(
      await eventually(async () => ((await send(running.url, key, 'cli-key')) === 200 ? true : undefined)),
    ).toBe(true);
    // The default scopes let the maker read back (ingest-only keys got 403 here).
    const events = await eventually(async () => {
      const page = await readApi(running.url, key).export({ filters: [] });
      return page.events.some((event) => event.event_name === 'cli-key') ? page.events : undefined;
    });
    expect(events.length).toBeGreaterThan(0);
  }, 60_000);

  it('refuses a project that does not exist, naming the ones that do', async () => {
    const before = await listedKeyIds((platform as Platform).projectId);
    const made = await keys('create', '--project', 'no-such-project', '--local');
    expect(made.code).toBe(1);
    expect(made.stderr).toContain('no project "no-such-project"');
    expect(made.stderr).toContain('"default"');
    expect(await listedKeyIds((platform as Platform).projectId)).toEqual(before);
  }, 30_000);

  it('makes a key through the store while the platform is stopped; it works after the next start', async () => {
    await (platform as Platform).close();
    platform = undefined;
    const made = await keys('create', '--project', 'default', '--local');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain('platform stopped');
    const key = keyOf(made.stdout);

    platform = await start();
    const running = platform;
    expect(
      await eventually(async () =>
        (await send(running.url, key, 'offline-key')) === 200 ? true : undefined,
      ),
    ).toBe(true);
    const keyId = /key id {5}(\S+)/.exec(made.stdout)?.[1];
    expect(await listedKeyIds(running.projectId)).toContain(keyId);
  }, 60_000);
});
