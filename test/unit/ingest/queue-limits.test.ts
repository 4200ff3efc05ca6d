/**
 * One 1 MiB message limit everywhere: ingest packs to it, the local queue refuses what SQS refuses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalQueue } from '../../../lambdas/adapters/local/local-queue';
import { QueueBatchLimitError } from '../../../lambdas/adapters/queue-batch-limits';
import { DEFAULT_INGEST_LIMITS } from '../../../lambdas/domain/ingest/ingest-service';
import { SQS_MAX_MESSAGE_BYTES } from '../../../lambdas/domain/queue-limits';

describe('the events-queue message limit', () => {
  it('is 1 MiB for ingest and for the queue adapters', () => {
    expect(SQS_MAX_MESSAGE_BYTES).toBe(1024 * 1024);
    expect(DEFAULT_INGEST_LIMITS.maxMessageBytes).toBe(SQS_MAX_MESSAGE_BYTES);
  });

  it('the local queue takes a 1 MiB message and refuses one byte more, as SQS does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waggle-queue-limit-'));
    try {
      const queue = await LocalQueue.open(join(dir, 'q'));
      await queue.sendBatch([{ id: 'max', body: 'x'.repeat(SQS_MAX_MESSAGE_BYTES) }]);
      const over = queue.sendBatch([{ id: 'over', body: 'x'.repeat(SQS_MAX_MESSAGE_BYTES + 1) }]);
      await expect(over).rejects.toBeInstanceOf(QueueBatchLimitError);
      await expect(over).rejects.toThrow(/a message holds at most 1048576/);
      expect(queue.depth().visible).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
