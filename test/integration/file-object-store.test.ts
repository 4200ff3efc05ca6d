import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileObjectStore, InvalidObjectKeyError } from '../../lambdas/adapters/local/file-object-store';

async function listAll(store: FileObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.list(prefix)) keys.push(key);
  return keys;
}

describe('FileObjectStore', () => {
  let root: string;
  let store: FileObjectStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'waggle-files-'));
    store = new FileObjectStore(join(root, 'bucket'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores objects as plain files and reads them back', async () => {
    const bytes = new Uint8Array([1, 2, 3, 0, 255]);
    await store.put('raw/project=p/dt=2026-01-01/a.bin', bytes, { contentType: 'application/octet-stream' });
    expect(await store.get('raw/project=p/dt=2026-01-01/a.bin')).toEqual(bytes);
    expect(new Uint8Array(await readFile(join(root, 'bucket/raw/project=p/dt=2026-01-01/a.bin')))).toEqual(
      bytes,
    );
    expect(await store.get('raw/missing')).toBeUndefined();
    expect(await store.get('raw/project=p')).toBeUndefined();

    await store.put('raw/project=p/dt=2026-01-01/a.bin', new Uint8Array([9]));
    expect(await store.get('raw/project=p/dt=2026-01-01/a.bin')).toEqual(new Uint8Array([9]));
  });

  it('lists keys under a prefix in byte order, including partial-segment prefixes', async () => {
    for (const key of ['b/2', 'a/x/1', 'a/10', 'a/1', 'ab/1', 'a/é', 'a/z'])
      await store.put(key, new Uint8Array([1]));
    expect(await listAll(store, 'a/')).toEqual(['a/1', 'a/10', 'a/x/1', 'a/z', 'a/é']);
    expect(await listAll(store, 'a')).toEqual(['a/1', 'a/10', 'a/x/1', 'a/z', 'a/é', 'ab/1']);
    expect(await listAll(store, 'a/1')).toEqual(['a/1', 'a/10']);
    expect(await listAll(store, '')).toHaveLength(7);
    expect(await listAll(store, 'nothing/')).toEqual([]);
    expect(await listAll(store, '../')).toEqual([]);
  });

  it('refuses keys that would escape the root or are malformed, and writes nothing', async () => {
    for (const key of ['../evil', 'a/../../evil', '/etc/passwd', '', 'a//b', './a', 'a/.', 'a\\b', 'a\0b']) {
      await expect(store.put(key, new Uint8Array([1])), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(store.get(key), key).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    expect(await readdir(root)).toEqual([]);
  });

  it('never exposes a half-written object and leaves no temp files behind', async () => {
    const big = new Uint8Array(4 * 1024 * 1024).fill(7);
    const small = new Uint8Array(10).fill(3);
    await store.put('k', small);
    // Readers racing with a large overwrite see the old object or the new one, nothing in between.
    const reads: Promise<Uint8Array | undefined>[] = [];
    const write = store.put('k', big);
    for (let index = 0; index < 20; index++) reads.push(store.get('k'));
    await write;
    for (const read of await Promise.all(reads)) expect([small.length, big.length]).toContain(read?.length);
    expect(await readdir(join(root, 'bucket'))).toEqual(['k']);
    expect(await listAll(store, '')).toEqual(['k']);
  });

  it('hides a temp file left by a crash mid-write from get and list', async () => {
    await store.put('dir/kept', new Uint8Array([1]));
    await writeFile(join(root, 'bucket/dir/next.waggle-tmp-abc123'), 'half');
    expect(await listAll(store, 'dir/')).toEqual(['dir/kept']);
    expect(await store.get('dir/next')).toBeUndefined();
  });

  it('reports a clear error when a key clashes with a folder of other keys', async () => {
    await store.put('a/b', new Uint8Array([1]));
    await expect(store.put('a', new Uint8Array([2]))).rejects.toThrow(/clashes with a folder/);
    await expect(store.put('a/b/c', new Uint8Array([3]))).rejects.toThrow(/clashes with a folder/);
    expect(await store.get('a/b')).toEqual(new Uint8Array([1]));
  });
});
