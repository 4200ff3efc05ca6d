import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoKeyRegistry } from '../../lambdas/adapters/aws/dynamo-key-registry';
import { S3ObjectStore } from '../../lambdas/adapters/aws/s3-object-store';
import { SqsMessageQueue } from '../../lambdas/adapters/aws/sqs-message-queue';
import { QueueBatchLimitError } from '../../lambdas/adapters/queue-batch-limits';
import type { ApiKeyRecord } from '../../lambdas/domain/auth/principal';
import { startDynalite, stringKeyedTable, type TestDynalite } from '../support/dynalite';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';

describe('AWS adapters against fauxqs (SQS + S3)', () => {
  let fauxqs: FauxqsServer;
  let s3: S3Client;
  let sqs: SQSClient;

  beforeAll(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    s3 = new S3Client({ endpoint: fauxqs.address, region, credentials, forcePathStyle: true });
    sqs = new SQSClient({ endpoint: fauxqs.address, region, credentials });
  });
  afterAll(async () => {
    s3?.destroy();
    sqs?.destroy();
    await fauxqs?.stop();
  });

  it('S3ObjectStore puts, gets and lists with paging', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'raw' }));
    const store = new S3ObjectStore(s3, 'raw');
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await store.put('a/1.bin', bytes, { contentType: 'application/x-protobuf', contentEncoding: 'gzip' });
    expect(await store.get('a/1.bin')).toEqual(bytes);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'raw', Key: 'a/1.bin' }));
    expect(head.ContentType).toBe('application/x-protobuf');
    expect(head.ContentEncoding).toBe('gzip');
    expect(await store.get('a/missing')).toBeUndefined();

    // More than one ListObjectsV2 page (1000 keys) to exercise continuation tokens.
    const keys = Array.from({ length: 1005 }, (_, index) => `p/${String(index).padStart(4, '0')}`);
    for (let start = 0; start < keys.length; start += 100) {
      await Promise.all(keys.slice(start, start + 100).map((key) => store.put(key, new Uint8Array([1]))));
    }
    const listed: string[] = [];
    for await (const key of store.list('p/')) listed.push(key);
    expect(listed).toEqual(keys);
  });

  it('SqsMessageQueue sends a batch that a consumer receives intact', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'events' }));
    if (!QueueUrl) throw new Error('no queue url');
    const queue = new SqsMessageQueue(sqs, QueueUrl);
    const bodies = ['{"n":1}', 'ünïcødé ✓', 'x'.repeat(200_000)];
    await queue.sendBatch(bodies.map((body, index) => ({ id: `event:${index}`, body })));
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect((received.Messages ?? []).map((message) => message.Body).sort()).toEqual([...bodies].sort());
  });

  it('SqsMessageQueue holds back a message sent with a delay (DelaySeconds), and refuses one over 900 s', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'delayed' }));
    if (!QueueUrl) throw new Error('no queue url');
    const queue = new SqsMessageQueue(sqs, QueueUrl);
    await queue.sendBatch([
      { id: 'now', body: 'now' },
      { id: 'later', body: 'later', delaySeconds: 2 },
    ]);
    const receive = async () =>
      (
        await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))
      ).Messages?.map((message) => message.Body) ?? [];
    expect(await receive()).toEqual(['now']);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(await receive()).toEqual(['later']);
    await expect(queue.sendBatch([{ id: 'x', body: 'x', delaySeconds: 901 }])).rejects.toThrow(
      QueueBatchLimitError,
    );
  });

  it('SqsMessageQueue refuses batches over the SQS limits before sending', async () => {
    const queue = new SqsMessageQueue(sqs, 'http://unused.invalid/queue');
    const eleven = Array.from({ length: 11 }, (_, index) => ({ id: String(index), body: 'b' }));
    await expect(queue.sendBatch(eleven)).rejects.toThrow(QueueBatchLimitError);
    const tooBig = [
      { id: 'a', body: 'x'.repeat(600_000) },
      { id: 'b', body: 'y'.repeat(600_000) },
    ];
    await expect(queue.sendBatch(tooBig)).rejects.toThrow(/at most 1048576 bytes/);
    await expect(queue.sendBatch([])).rejects.toThrow(QueueBatchLimitError);
    await expect(queue.sendBatch([{ id: 'c', body: 'bad \u0000 char' }])).rejects.toThrow(/characters/);
  });
});

describe('DynamoKeyRegistry against dynalite', () => {
  let dynamo: TestDynalite;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startDynalite();
    client = dynamo.client;
    await dynamo.createTable(stringKeyedTable('keys', 'keyHash'));
  });
  afterAll(() => dynamo?.stop());

  it('stores a record and finds it by hash; unknown hashes are undefined', async () => {
    const registry = new DynamoKeyRegistry(client, 'keys');
    const record: ApiKeyRecord = {
      keyHash: 'a'.repeat(64),
      org_id: 'org1',
      workspace_id: 'ws1',
      project_id: 'proj1',
      projectName: 'My Project',
      scopes: ['ingest', 'read'],
      revoked: false,
      createdAt: 1_700_000_000_000,
    };
    await registry.put(record);
    expect(await registry.findByHash(record.keyHash)).toEqual(record);
    expect(await registry.findByHash('b'.repeat(64))).toBeUndefined();

    await registry.put({ ...record, revoked: true, scopes: [] });
    expect(await registry.findByHash(record.keyHash)).toEqual({ ...record, revoked: true, scopes: [] });
  });
});
