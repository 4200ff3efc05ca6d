import { appendFile, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalQueue } from '../../lambdas/adapters/local/local-queue';
import {
  type QueuePoller,
  type SqsConsumer,
  startQueuePoller,
} from '../../lambdas/adapters/local/local-queue-poller';
import { QueueBatchLimitError } from '../../lambdas/adapters/queue-batch-limits';
import { until } from '../support/until';

function messages(...bodies: string[]) {
  return bodies.map((body, index) => ({ id: `id-${index}`, body }));
}

describe('LocalQueue', () => {
  let root: string;
  const pollers: QueuePoller[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'waggle-queue-'));
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
    await rm(root, { recursive: true, force: true });
  });

  function poll(
    queue: LocalQueue,
    consumer: SqsConsumer,
    options: Parameters<typeof startQueuePoller>[2] = {},
  ) {
    const poller = startQueuePoller(queue, consumer, { idlePollMs: 20, ...options });
    pollers.push(poller);
    return poller;
  }

  it('enforces the SQS batch limits and writes nothing for a refused batch', async () => {
    const queue = await LocalQueue.open(join(root, 'events'));
    await expect(queue.sendBatch(messages(...Array(11).fill('x')))).rejects.toBeInstanceOf(
      QueueBatchLimitError,
    );
    await expect(queue.sendBatch(messages('a'.repeat(700_000), 'b'.repeat(400_000)))).rejects.toThrow(
      /1048576/,
    );
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    expect(await readdir(join(root, 'events/messages'))).toEqual([]);
  });

  it('delivers Lambda-shaped SQS records in batches of batchSize', async () => {
    const queue = await LocalQueue.open(join(root, 'events'));
    await queue.sendBatch(messages('1', '2', '3', '4', '5'));
    const batches: SQSRecord[][] = [];
    poll(
      queue,
      async (event) => {
        batches.push(event.Records);
      },
      { batchSize: 2 },
    );
    await until(() => batches.flat().length === 5);
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(batches.flat().map((record) => record.body)).toEqual(['1', '2', '3', '4', '5']);
    const [record] = batches[0] ?? [];
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events',
      awsRegion: 'us-east-1',
      md5OfBody: 'c4ca4238a0b923820dcc509a6f75849b',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(record?.messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record?.attributes.SentTimestamp),
    );
    await until(() => queue.depth().inFlight === 0);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('waits up to the batching window to fill a batch', async () => {
    const queue = await LocalQueue.open(join(root, 'events'));
    const batches: { size: number; at: number }[] = [];
    poll(
      queue,
      async (event) => {
        batches.push({ size: event.Records.length, at: Date.now() });
      },
      { batchSize: 10, maximumBatchingWindowMs: 300 },
    );
    const start = Date.now();
    await queue.sendBatch(messages('a'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await queue.sendBatch(messages('b', 'c'));
    await until(() => batches.length === 1);
    expect(batches[0]?.size).toBe(3);
    expect((batches[0]?.at ?? 0) - start).toBeGreaterThanOrEqual(250);

    // A full batch does not wait for the window.
    const fullStart = Date.now();
    await queue.sendBatch(messages(...'0123456789'.split('')));
    await until(() => batches.length === 2);
    expect(batches[1]?.size).toBe(10);
    expect((batches[1]?.at ?? 0) - fullStart).toBeLessThan(250);
  });

  it('retries only the records named in batchItemFailures, after the visibility timeout', async () => {
    const queue = await LocalQueue.open(join(root, 'events'));
    await queue.sendBatch(messages('ok-1', 'fail', 'ok-2'));
    const seen: { body: string; receiveCount: string; at: number }[] = [];
    poll(
      queue,
      async (event): Promise<SQSBatchResponse> => {
        for (const record of event.Records) {
          seen.push({
            body: record.body,
            receiveCount: record.attributes.ApproximateReceiveCount,
            at: Date.now(),
          });
        }
        const failing = event.Records.filter(
          (record) => record.body === 'fail' && record.attributes.ApproximateReceiveCount === '1',
        );
        return { batchItemFailures: failing.map((record) => ({ itemIdentifier: record.messageId })) };
      },
      { visibilityTimeoutMs: 150 },
    );
    await until(() => seen.length === 4);
    expect(seen.map((entry) => [entry.body, entry.receiveCount])).toEqual([
      ['ok-1', '1'],
      ['fail', '1'],
      ['ok-2', '1'],
      ['fail', '2'],
    ]);
    expect((seen[3]?.at ?? 0) - (seen[1]?.at ?? 0)).toBeGreaterThanOrEqual(140);
    await until(() => queue.depth().inFlight === 0 && queue.depth().visible === 0);
  });

  it('retries the whole batch when the consumer throws or names an unknown record', async () => {
    const queue = await LocalQueue.open(join(root, 'events'));
    await queue.sendBatch(messages('a', 'b'));
    let calls = 0;
    const counts: string[][] = [];
    poll(
      queue,
      async (event) => {
        calls++;
        counts.push(event.Records.map((record) => record.attributes.ApproximateReceiveCount));
        if (calls === 1) throw new Error('boom');
        if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
        return undefined;
      },
      { visibilityTimeoutMs: 50, log: () => {} },
    );
    await until(() => calls === 3);
    expect(counts).toEqual([
      ['1', '1'],
      ['2', '2'],
      ['3', '3'],
    ]);
    await until(() => queue.depth().inFlight === 0);
    expect(queue.depth().visible).toBe(0);
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const dlq = await LocalQueue.open(join(root, 'events-dlq'));
    const queue = await LocalQueue.open(join(root, 'events'), {
      redrive: { deadLetterQueue: dlq, maxReceiveCount: 2 },
    });
    await queue.sendBatch(messages('poison', 'fine'));
    const receivesOfPoison: string[] = [];
    poll(
      queue,
      async (event) => {
        const poison = event.Records.filter((record) => record.body === 'poison');
        for (const record of poison) receivesOfPoison.push(record.attributes.ApproximateReceiveCount);
        return { batchItemFailures: poison.map((record) => ({ itemIdentifier: record.messageId })) };
      },
      { visibilityTimeoutMs: 30 },
    );
    await until(() => dlq.depth().visible === 1);
    expect(receivesOfPoison).toEqual(['1', '2']);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    const [redriven] = await dlq.receive(10, 1_000);
    expect(redriven?.body).toBe('poison');
    expect(redriven?.attributes.DeadLetterQueueSourceArn).toBe(queue.arn);
    expect(redriven?.attributes.ApproximateReceiveCount).toBe('1');
  });

  it('survives a restart: pending and in-flight messages come back with their receive counts', async () => {
    const dir = join(root, 'events');
    const first = await LocalQueue.open(dir);
    await first.sendBatch(messages('in-flight', 'pending'));
    const [inFlight] = await first.receive(1, 60_000);
    expect(inFlight?.body).toBe('in-flight');
    expect(first.depth()).toEqual({ visible: 1, inFlight: 1 });
    // A crash mid-write leaves a temp file; the restarted queue discards it once it is old enough to
    // be no other process's write in progress, and keeps a young one.
    await writeFile(join(dir, 'messages', '.tmp-crashed'), '{"half":');
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await utimes(join(dir, 'messages', '.tmp-crashed'), twoMinutesAgo, twoMinutesAgo);
    await writeFile(join(dir, 'messages', '.tmp-in-progress'), '{"being written":');

    const restarted = await LocalQueue.open(dir);
    expect(restarted.depth()).toEqual({ visible: 2, inFlight: 0 });
    const records = await restarted.receive(10, 60_000);
    expect(records.map((record) => [record.body, record.attributes.ApproximateReceiveCount])).toEqual([
      ['in-flight', '2'],
      ['pending', '1'],
    ]);
    expect(records[0]?.messageId).toBe(inFlight?.messageId);
    expect(records[0]?.attributes.ApproximateFirstReceiveTimestamp).toBe(
      inFlight?.attributes.ApproximateFirstReceiveTimestamp,
    );
    expect((await readdir(join(dir, 'messages'))).filter((name) => name.startsWith('.tmp-'))).toEqual([
      '.tmp-in-progress',
    ]);
    await rm(join(dir, 'messages', '.tmp-in-progress'));
    expect(await readdir(join(dir, 'messages'))).toHaveLength(2);

    // A stale receipt handle (from before the restart) deletes nothing.
    expect(await restarted.delete(inFlight?.receiptHandle ?? '')).toBe(false);
    for (const record of records) expect(await restarted.delete(record.receiptHandle)).toBe(true);
    expect(await readdir(join(dir, 'messages'))).toEqual([]);
  });

  it('keeps receive counts across restarts in its receive log, through a torn last line', async () => {
    const dir = join(root, 'events');
    const dlq = await LocalQueue.open(join(root, 'events-dlq'));
    const redrive = { deadLetterQueue: dlq, maxReceiveCount: 3 };
    const first = await LocalQueue.open(dir, { redrive });
    await first.sendBatch(messages('poison', 'other'));
    const [received] = await first.receive(1, 60_000);
    // A crash in the middle of the next receive's append leaves half a line behind.
    await appendFile(join(dir, 'receives.log'), '\n{"file":"0000');

    const second = await LocalQueue.open(dir, { redrive });
    const again = await second.receive(10, 60_000);
    expect(again.map((record) => [record.body, record.attributes.ApproximateReceiveCount])).toEqual([
      ['poison', '2'],
      ['other', '1'],
    ]);
    expect(again[0]?.attributes.ApproximateFirstReceiveTimestamp).toBe(
      received?.attributes.ApproximateFirstReceiveTimestamp,
    );
    expect(await second.delete(again[1]?.receiptHandle ?? '')).toBe(true);

    const third = await LocalQueue.open(dir, { redrive });
    const [thirdReceive] = await third.receive(10, 60_000);
    expect([thirdReceive?.body, thirdReceive?.attributes.ApproximateReceiveCount]).toEqual(['poison', '3']);
    // The count reached maxReceiveCount on disk: after another restart it goes to the DLQ, not out.
    const fourth = await LocalQueue.open(dir, { redrive });
    expect(await fourth.receive(10, 60_000)).toEqual([]);
    expect(dlq.depth().visible).toBe(1);
    expect(await readdir(join(dir, 'messages'))).toEqual([]);
  });

  it('folds a long receive log into the messages still queued, and keeps their counts', async () => {
    const dir = join(root, 'events');
    const queue = await LocalQueue.open(dir);
    await queue.sendBatch(messages('kept'));
    // 20,000 lines fold the log: one message received over and over, then made visible again.
    const batch = Array.from({ length: 10 }, (_, index) => ({ id: `m-${index}`, body: `body ${index}` }));
    for (let round = 0; round < 25; round++) {
      await Promise.all(Array.from({ length: 80 }, () => queue.sendBatch(batch)));
      const records = await queue.receive(10_000, 60_000);
      await Promise.all(
        records
          .filter((record) => record.body !== 'kept')
          .map((record) => queue.delete(record.receiptHandle)),
      );
      const kept = records.find((record) => record.body === 'kept');
      queue.changeVisibility(kept?.receiptHandle ?? '', 0);
    }
    const log = await readFile(join(dir, 'receives.log'), 'utf8');
    const lines = log.split('\n').filter((line) => line.length > 0);
    expect(lines.length).toBeLessThan(20_000);
    const restarted = await LocalQueue.open(dir);
    const [kept] = await restarted.receive(10, 60_000);
    expect([kept?.body, kept?.attributes.ApproximateReceiveCount]).toEqual(['kept', '26']);
  });

  it('holds back a message sent with a delay, also across a restart', async () => {
    const dir = join(root, 'events');
    let now = 1_000_000;
    const queue = await LocalQueue.open(dir, { clock: () => now });
    await queue.sendBatch([
      { id: 'a', body: 'now' },
      { id: 'b', body: 'in a minute', delaySeconds: 60 },
    ]);
    expect((await queue.receive(10, 1_000)).map((record) => record.body)).toEqual(['now']);
    const restarted = await LocalQueue.open(dir, { clock: () => now });
    now += 59_000;
    expect((await restarted.receive(10, 60_000)).map((record) => record.body)).toEqual(['now']);
    now += 1_000;
    expect((await restarted.receive(10, 60_000)).map((record) => record.body)).toEqual(['in a minute']);
    await expect(queue.sendBatch([{ id: 'c', body: 'x', delaySeconds: 1.5 }])).rejects.toThrow(
      QueueBatchLimitError,
    );
  });

  it('picks up messages another process wrote into the folder', async () => {
    const dir = join(root, 'events');
    const owner = await LocalQueue.open(dir);
    const bodies: string[] = [];
    poll(owner, async (event) => {
      for (const record of event.Records) bodies.push(record.body);
    });
    const otherProcess = await LocalQueue.open(dir);
    await otherProcess.sendBatch(messages('from-replay'));
    await until(() => bodies.length === 1);
    expect(bodies).toEqual(['from-replay']);
  });

  it('stop() waits for the batch in flight and leaves unprocessed messages queued', async () => {
    const queue = await LocalQueue.open(join(root, 'events'));
    await queue.sendBatch(messages('slow'));
    let finished = false;
    let started = false;
    const poller = startQueuePoller(queue, async (_event: SQSEvent) => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 100));
      finished = true;
    });
    await until(() => started);
    await poller.stop();
    expect(finished).toBe(true);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });
});
