import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { FileObjectStore, InvalidObjectKeyError } from '../../../lambdas/adapters/local/file-object-store';

describe('FileObjectStore.delete', () => {
  let dir: string;
  let store: FileObjectStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waggle-delete-'));
    store = new FileObjectStore(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the object and only that object', async () => {
    await store.put('events/a/1.parquet', new Uint8Array([1]));
    await store.put('events/a/2.parquet', new Uint8Array([2]));
    await store.delete('events/a/1.parquet');
    expect(await store.get('events/a/1.parquet')).toBeUndefined();
    const keys: string[] = [];
    for await (const key of store.list('events/')) keys.push(key);
    expect(keys).toEqual(['events/a/2.parquet']);
  });

  it('is a no-op for a missing key or a key that names a folder', async () => {
    await store.put('events/a/2.parquet', new Uint8Array([2]));
    await expect(store.delete('events/a/none.parquet')).resolves.toBeUndefined();
    await expect(store.delete('events/a')).resolves.toBeUndefined();
    expect(await store.get('events/a/2.parquet')).toEqual(new Uint8Array([2]));
  });

  it('refuses keys that would leave the root', async () => {
    await expect(store.delete('../outside')).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });
});

describe('S3ObjectStore.delete', () => {
  it('sends DeleteObject for the bucket and key', async () => {
    const s3 = mockClient(S3Client);
    s3.on(DeleteObjectCommand).resolves({});
    await new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'bucket-1').delete('events/x.parquet');
    expect(s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: 'bucket-1', Key: 'events/x.parquet' },
    ]);
    s3.restore();
  });

  it('passes S3 errors on', async () => {
    const s3 = mockClient(S3Client);
    s3.on(DeleteObjectCommand).rejects(new Error('AccessDenied'));
    await expect(
      new S3ObjectStore(new S3Client({ region: 'us-east-1' }), 'bucket-1').delete('k'),
    ).rejects.toThrow(/AccessDenied/);
    s3.restore();
  });
});
