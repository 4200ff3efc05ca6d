import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createProviderKeyResolver,
  type ProviderKeyResolver,
} from '../../../lambdas/domain/providers/resolve';
import { createProviderKeyService, type ProviderKeyService } from '../../../lambdas/domain/providers/service';
import { FakeSealer, MemoryProviderKeyStore } from '../../support/memory-provider-keys';

const PROJECT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const SIBLING = { ...PROJECT, project_id: 'proj-2' };
const OWN_KEY = 'sk-project-own-key-0001';
const SHARED_KEY = 'sk-workspace-key-0002';

let store: MemoryProviderKeyStore;
let sealer: FakeSealer;
let now: number;
let resolver: ProviderKeyResolver;
let service: ProviderKeyService;
let ids: number;

beforeEach(() => {
  store = new MemoryProviderKeyStore();
  sealer = new FakeSealer();
  now = Date.UTC(2026, 11, 3, 8);
  ids = 0;
  resolver = createProviderKeyResolver({ store, sealer, clock: () => now, ttlMs: 60_000, maxEntries: 3 });
  service = createProviderKeyService({
    store,
    sealer,
    clock: () => now,
    newId: () => `id-${++ids}`,
    onChanged: (ref) => resolver.invalidate(ref),
  });
});

describe('resolveProviderKey', () => {
  it("uses the project's key, else the workspace's, else none", async () => {
    expect(await resolver.resolve(PROJECT, 'openai')).toBeUndefined();
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'workspace', apiKey: SHARED_KEY });
    const shared = await resolver.resolve(PROJECT, 'openai');
    expect(shared?.scope).toBe('workspace');
    expect(shared?.apiKey?.reveal()).toBe(SHARED_KEY);
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'project', apiKey: OWN_KEY });
    expect((await resolver.resolve(PROJECT, 'openai'))?.apiKey?.reveal()).toBe(OWN_KEY);
    // The sibling project has no key of its own: the workspace's.
    expect((await resolver.resolve(SIBLING, 'openai'))?.apiKey?.reveal()).toBe(SHARED_KEY);
    expect(await resolver.resolve(PROJECT, 'anthropic')).toBeUndefined();
    expect(await resolver.resolve({ ...PROJECT, workspace_id: 'ws-2' }, 'openai')).toBeUndefined();
  });

  it('resolves bedrock to its settings with no secret', async () => {
    await service.set('user:a', PROJECT, { provider: 'bedrock', scope: 'project', region: 'us-west-2' });
    expect(await resolver.resolve(PROJECT, 'bedrock')).toEqual({
      provider: 'bedrock',
      scope: 'project',
      region: 'us-west-2',
      version: 1,
    });
  });

  it('keeps an opened key for the TTL, then reads and opens it again', async () => {
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'project', apiKey: OWN_KEY });
    await resolver.resolve(PROJECT, 'openai');
    await resolver.resolve(PROJECT, 'openai');
    expect(sealer.opened).toBe(1);
    now += 59_999;
    await resolver.resolve(PROJECT, 'openai');
    expect(sealer.opened).toBe(1);
    now += 1;
    await resolver.resolve(PROJECT, 'openai');
    expect(sealer.opened).toBe(2);
  });

  it('forgets a key changed or removed in the same instance at once', async () => {
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'workspace', apiKey: SHARED_KEY });
    expect((await resolver.resolve(PROJECT, 'openai'))?.apiKey?.reveal()).toBe(SHARED_KEY);
    expect((await resolver.resolve(SIBLING, 'openai'))?.apiKey?.reveal()).toBe(SHARED_KEY);
    // A new workspace key reaches every project of the workspace.
    await service.set('user:a', PROJECT, {
      provider: 'openai',
      scope: 'workspace',
      apiKey: `${SHARED_KEY}-v2`,
    });
    expect((await resolver.resolve(SIBLING, 'openai'))?.apiKey?.reveal()).toBe(`${SHARED_KEY}-v2`);
    expect((await resolver.resolve(PROJECT, 'openai'))?.version).toBe(2);
    await service.remove('user:a', PROJECT, 'openai', 'workspace');
    expect(await resolver.resolve(PROJECT, 'openai')).toBeUndefined();
    expect(await resolver.resolve(SIBLING, 'openai')).toBeUndefined();
  });

  it('invalidating one project leaves its siblings cached', async () => {
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'workspace', apiKey: SHARED_KEY });
    await resolver.resolve(PROJECT, 'openai');
    await resolver.resolve(SIBLING, 'openai');
    expect(resolver.size()).toBe(2);
    resolver.invalidate({ ...PROJECT, provider: 'openai' });
    expect(resolver.size()).toBe(1);
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    for (const project_id of ['p1', 'p2', 'p3', 'p4'])
      await resolver.resolve({ ...PROJECT, project_id }, 'openai');
    expect(resolver.size()).toBe(3);
    const reads = store.gets;
    await resolver.resolve({ ...PROJECT, project_id: 'p4' }, 'openai');
    expect(store.gets).toBe(reads);
    await resolver.resolve({ ...PROJECT, project_id: 'p1' }, 'openai');
    expect(store.gets).toBeGreaterThan(reads);
  });

  it('does not cache a failure', async () => {
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'project', apiKey: OWN_KEY });
    const open = sealer.open.bind(sealer);
    sealer.open = async () => {
      throw new Error('KMS is down');
    };
    await expect(resolver.resolve(PROJECT, 'openai')).rejects.toThrow('KMS is down');
    sealer.open = open;
    expect((await resolver.resolve(PROJECT, 'openai'))?.apiKey?.reveal()).toBe(OWN_KEY);
  });

  it('gives a secret that prints as [redacted] however it is logged', async () => {
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'project', apiKey: OWN_KEY });
    const resolved = await resolver.resolve(PROJECT, 'openai');
    for (const shown of [
      JSON.stringify(resolved),
      inspect(resolved, { depth: 5 }),
      `${resolved?.apiKey}`,
      String(resolved?.apiKey),
    ]) {
      expect(shown).not.toContain(OWN_KEY);
      expect(shown).toContain('[redacted]');
    }
  });

  it('shares one read and one decryption among callers that miss together', async () => {
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'project', apiKey: OWN_KEY });
    const reads = store.gets;
    const resolved = await Promise.all([1, 2, 3, 4].map(() => resolver.resolve(PROJECT, 'openai')));
    expect(resolved.map((key) => key?.apiKey?.reveal())).toEqual([OWN_KEY, OWN_KEY, OWN_KEY, OWN_KEY]);
    expect(sealer.opened).toBe(1);
    expect(store.gets - reads).toBe(1);
  });

  it('does not keep what a lookup read before a change made it stale', async () => {
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'project', apiKey: OWN_KEY });
    const early = resolver.resolve(PROJECT, 'openai');
    await service.set('user:a', PROJECT, { provider: 'openai', scope: 'project', apiKey: `${OWN_KEY}-v2` });
    await early;
    expect((await resolver.resolve(PROJECT, 'openai'))?.apiKey?.reveal()).toBe(`${OWN_KEY}-v2`);
  });
});
