/**
 * The local queue's FIFO mode, which the config-sync inbox uses as SQS FIFO is used on AWS: one
 * group is handed out in order, never a later message while an earlier one is in flight or waiting
 * for its retry; deduplication ids drop resends for 5 minutes; a FIFO queue's DLQ is FIFO.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIFO_DEDUPLICATION_INTERVAL_MS, LocalQueue } from '../../lambdas/adapters/local/local-queue';
import { type QueuePoller, startQueuePoller } from '../../lambdas/adapters/local/local-queue-poller';
import { QueueBatchLimitError } from '../../lambdas/adapters/queue-batch-limits';
import type { QueueMessage } from '../../lambdas/domain/ports';
import { until } from '../support/until';

/** Messages of one group, deduplicated by their body. */
function grouped(group: string, ...bodies: string[]): QueueMessage[] {
  return bodies.map((body) => ({ id: body, body, fifo: { groupId: group, deduplicationId: body } }));
}

describe('LocalQueue, FIFO', () => {
  let root: string;
  const pollers: QueuePoller[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'waggle-fifo-'));
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
    await rm(root, { recursive: true, force: true });
  });

  const open = (name: string, options: Parameters<typeof LocalQueue.open>[1] = {}) =>
    LocalQueue.open(join(root, name), { name, fifo: true, ...options });

  it('takes FIFO names and ids as SQS does', async () => {
    await expect(LocalQueue.open(join(root, 'a'), { name: 'inbox', fifo: true })).rejects.toThrow(/\.fifo/);
    await expect(LocalQueue.open(join(root, 'b'), { name: 'inbox.fifo' })).rejects.toThrow(/\.fifo/);
    const standard = await LocalQueue.open(join(root, 'dlq'));
    await expect(
      open('inbox.fifo', { redrive: { deadLetterQueue: standard, maxReceiveCount: 2 } }),
    ).rejects.toThrow(/dead-letter queue/);

    const fifo = await open('inbox.fifo');
    await expect(fifo.sendBatch([{ id: 'x', body: 'x' }])).rejects.toBeInstanceOf(QueueBatchLimitError);
    await expect(
      fifo.sendBatch([{ id: 'x', body: 'x', fifo: { groupId: 'g', deduplicationId: 'has space' } }]),
    ).rejects.toBeInstanceOf(QueueBatchLimitError);
    await expect(standard.sendBatch(grouped('g', 'x'))).rejects.toBeInstanceOf(QueueBatchLimitError);
    expect(fifo.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('hands out a group in order and holds it while a message is in flight; other groups go on', async () => {
    const queue = await open('inbox.fifo');
    await queue.sendBatch([...grouped('dp-1', 'a1', 'a2', 'a3'), ...grouped('dp-2', 'b1')]);

    const [first] = await queue.receive(1, 60_000);
    expect(first?.body).toBe('a1');
    expect(first?.attributes).toMatchObject({ MessageGroupId: 'dp-1', MessageDeduplicationId: 'a1' });
    // a2 and a3 wait behind a1; only the other group can be received.
    expect(queue.depth()).toEqual({ visible: 1, inFlight: 1 });
    expect((await queue.receive(10, 60_000)).map((record) => record.body)).toEqual(['b1']);
    expect(await queue.receive(10, 60_000)).toEqual([]);

    expect(await queue.delete(first?.receiptHandle ?? '')).toBe(true);
    const rest = await queue.receive(10, 60_000);
    expect(rest.map((record) => record.body)).toEqual(['a2', 'a3']);
    const sequence = rest.map((record) => BigInt(record.attributes.SequenceNumber ?? '0'));
    expect(sequence[1]).toBeGreaterThan(sequence[0] ?? 0n);
  });

  it('does not deliver a later message of the group while an earlier one waits for its retry', async () => {
    const queue = await open('inbox.fifo');
    await queue.sendBatch(grouped('dp-1', 'first', 'second'));
    const seen: string[] = [];
    const poller = startQueuePoller(
      queue,
      async (event): Promise<SQSBatchResponse> => {
        const failed = event.Records.filter((record) => {
          seen.push(`${record.body}#${record.attributes.ApproximateReceiveCount}`);
          return record.body === 'first' && record.attributes.ApproximateReceiveCount === '1';
        });
        return { batchItemFailures: failed.map((record) => ({ itemIdentifier: record.messageId })) };
      },
      { batchSize: 1, visibilityTimeoutMs: 150, idlePollMs: 20, log: () => {} },
    );
    pollers.push(poller);
    await until(() => seen.length === 3);
    expect(seen).toEqual(['first#1', 'first#2', 'second#1']);
    await until(() => queue.depth().inFlight === 0 && queue.depth().visible === 0);
  });

  it('a batch that fails from one message on comes back whole and in order', async () => {
    const queue = await open('inbox.fifo');
    await queue.sendBatch(grouped('dp-1', 'm1', 'm2', 'm3', 'm4'));
    const applied: string[] = [];
    let outage = true;
    const poller = startQueuePoller(
      queue,
      // Like the sync controller: after the first failure, the rest of the batch is failed unread.
      async (event): Promise<SQSBatchResponse> => {
        const failed: string[] = [];
        for (const record of event.Records) {
          if (failed.length > 0 || (record.body === 'm2' && outage)) {
            failed.push(record.messageId);
            continue;
          }
          applied.push(record.body);
        }
        outage = false;
        return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
      },
      { visibilityTimeoutMs: 100, idlePollMs: 20, log: () => {} },
    );
    pollers.push(poller);
    await until(() => applied.length === 4);
    expect(applied).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('drops a resend with the same deduplication id for 5 minutes, even across a restart', async () => {
    let now = 1_767_225_600_000;
    const clock = () => now;
    const queue = await open('inbox.fifo', { clock });
    const resent = { id: 'resent', body: 'seq-1 again', fifo: { groupId: 'dp-1', deduplicationId: 'seq-1' } };
    await queue.sendBatch([...grouped('dp-1', 'seq-1', 'seq-2'), resent]);
    expect(queue.depth().visible).toBe(2);
    const [one] = await queue.receive(1, 1_000);
    expect(one?.body).toBe('seq-1');
    await queue.delete(one?.receiptHandle ?? '');
    // A resend of seq-1 right after it was consumed is still a duplicate.
    await queue.sendBatch(grouped('dp-1', 'seq-1'));
    expect((await queue.receive(10, 1_000)).map((record) => record.body)).toEqual(['seq-2']);

    // seq-3 is still queued when the process restarts: its id is remembered.
    await queue.sendBatch(grouped('dp-1', 'seq-3'));
    const restarted = await open('inbox.fifo', { clock });
    await restarted.sendBatch(grouped('dp-1', 'seq-3'));
    expect(restarted.depth().visible).toBe(2);

    now += FIFO_DEDUPLICATION_INTERVAL_MS;
    await restarted.sendBatch(grouped('dp-1', 'seq-3'));
    expect(restarted.depth().visible).toBe(3);
  });

  it('moves the head of a group to the FIFO DLQ after maxReceiveCount, and the group goes on', async () => {
    const dlq = await open('inbox-dlq.fifo');
    const queue = await open('inbox.fifo', { redrive: { deadLetterQueue: dlq, maxReceiveCount: 2 } });
    await queue.sendBatch(grouped('dp-1', 'poison', 'next'));
    const seen: string[] = [];
    const poller = startQueuePoller(
      queue,
      async (event): Promise<SQSBatchResponse> => {
        const failed: string[] = [];
        for (const record of event.Records) {
          seen.push(record.body);
          if (failed.length > 0 || record.body === 'poison') failed.push(record.messageId);
        }
        return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
      },
      { batchSize: 1, visibilityTimeoutMs: 30, idlePollMs: 10, log: () => {} },
    );
    pollers.push(poller);
    await until(() => dlq.depth().visible === 1);
    await until(() => queue.depth().visible === 0 && queue.depth().inFlight === 0);
    // poison's two receives; next, behind it, was failed unread and is received alone after.
    expect(seen).toEqual(['poison', 'poison', 'next']);
    const [redriven] = await dlq.receive(10, 1_000);
    expect(redriven?.body).toBe('poison');
    expect(redriven?.attributes).toMatchObject({
      MessageGroupId: 'dp-1',
      DeadLetterQueueSourceArn: queue.arn,
    });
  });

  it('counts a receive against every message of a failed batch, as SQS does', async () => {
    const dlq = await open('inbox-dlq.fifo');
    const queue = await open('inbox.fifo', { redrive: { deadLetterQueue: dlq, maxReceiveCount: 2 } });
    await queue.sendBatch(grouped('dp-1', 'poison', 'behind'));
    for (let attempt = 0; attempt < 2; attempt++) {
      const records = await queue.receive(10, 0);
      expect(records.map((record) => record.body)).toEqual(['poison', 'behind']);
    }
    // Both were received twice: the next receive moves both to the DLQ, in order.
    expect(await queue.receive(10, 0)).toEqual([]);
    expect((await dlq.receive(10, 1_000)).map((record) => record.body)).toEqual(['poison', 'behind']);
  });
});
