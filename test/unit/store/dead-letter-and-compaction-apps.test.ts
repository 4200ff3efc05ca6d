import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createCompactionJob } from '../../../lambdas/compaction/app';
import { createDeadLetterArchiver } from '../../../lambdas/dead-letter-archiver/app';
import { writeRecords } from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, T0 } from './store-fixtures';

const HOUR = 3_600_000;

function dlqEvent(ids: string[]): SQSEvent {
  return {
    Records: ids.map(
      (id) =>
        ({
          messageId: id,
          receiptHandle: `r-${id}`,
          body: `{"v":1,"gz":"${id}"}`,
          attributes: {
            ApproximateReceiveCount: '1',
            SentTimestamp: String(T0),
            DeadLetterQueueSourceArn: 'arn:events',
          },
          messageAttributes: { trace: { stringValue: 'x', dataType: 'String' } },
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events-dlq',
          awsRegion: 'us-east-1',
        }) as unknown as SQSRecord,
    ),
  };
}

describe('createDeadLetterArchiver', () => {
  it('archives body and attributes of every message under dead-letters/dt=<sent day>/', async () => {
    const store = new FaultyMemoryStore();
    const archive = createDeadLetterArchiver(store, { clock: () => T0 + 48 * HOUR });
    expect(await archive(dlqEvent(['id-1', 'id-2']))).toEqual({ batchItemFailures: [] });
    expect(store.keys()).toEqual([
      'dead-letters/dt=2026-03-04/id-1.json',
      'dead-letters/dt=2026-03-04/id-2.json',
    ]);
    const archived = JSON.parse(
      Buffer.from((await store.get('dead-letters/dt=2026-03-04/id-1.json')) as Uint8Array).toString(),
    );
    expect(archived).toMatchObject({
      messageId: 'id-1',
      body: '{"v":1,"gz":"id-1"}',
      attributes: { SentTimestamp: String(T0), DeadLetterQueueSourceArn: 'arn:events' },
      messageAttributes: { trace: { stringValue: 'x' } },
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:events-dlq',
      archivedAt: new Date(T0 + 48 * HOUR).toISOString(),
    });
  });

  it('reports only the messages it could not archive', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.includes('id-2');
    const failures: string[] = [];
    const archive = createDeadLetterArchiver(store, { onFailure: (id) => failures.push(id) });
    expect(await archive(dlqEvent(['id-1', 'id-2']))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'id-2' }],
    });
    expect(store.keys()).toEqual(['dead-letters/dt=2026-03-04/id-1.json']);
    expect(failures).toEqual(['id-2']);
  });
});

describe('createCompactionJob', () => {
  async function seed(store: FaultyMemoryStore) {
    for (const batchId of ['b1', 'b2']) {
      await writeRecords(
        [
          {
            messageId: batchId,
            records: [eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b', start_time: T0 + HOUR })],
          },
        ],
        { store, lookupLatest: async () => new Map(), batchId },
      );
    }
  }

  it('compacts the closed partitions and leaves open ones', async () => {
    const store = new FaultyMemoryStore();
    await seed(store);
    const job = createCompactionJob(store, { clock: () => T0 + 2 * HOUR, closedAfterMs: 30 * 60_000 });
    expect(await job()).toEqual({ due: 1, compacted: 1, failed: 0, tooLarge: 0, deferred: 0 });
    expect(store.keys('events/')).toEqual([
      `events/project_id=proj-1/dt=2026-03-04/hour=05/compacted-${T0 + 2 * HOUR}.parquet`,
      'events/project_id=proj-1/dt=2026-03-04/hour=06/b1.parquet',
      'events/project_id=proj-1/dt=2026-03-04/hour=06/b2.parquet',
    ]);
  });

  it('carries on past a failing partition and stops starting new ones when time runs low', async () => {
    const store = new FaultyMemoryStore();
    await seed(store);
    store.failDelete = (key) => key.includes('hour=05');
    const failed: string[] = [];
    const job = createCompactionJob(store, {
      clock: () => T0 + 5 * HOUR,
      onFailure: (partition) => failed.push(partition),
    });
    expect(await job()).toEqual({ due: 2, compacted: 1, failed: 1, tooLarge: 0, deferred: 0 });
    expect(failed).toEqual(['events/project_id=proj-1/dt=2026-03-04/hour=05/']);

    let remaining = 200_000;
    const lowOnTime = await job({ remainingMs: () => (remaining -= 100_000), minRemainingMs: 60_000 });
    expect(lowOnTime).toMatchObject({ due: 1, deferred: 0, failed: 1 });
    remaining = 0;
    expect(await job({ remainingMs: () => remaining })).toEqual({
      due: 1,
      compacted: 0,
      failed: 0,
      tooLarge: 0,
      deferred: 1,
    });
  });

  it('skips a partition too large to compact in memory, touching nothing, and carries on', async () => {
    const store = new FaultyMemoryStore();
    await seed(store);
    const before = store.keys('events/');
    const compacted: string[] = [];
    const job = createCompactionJob(store, {
      clock: () => T0 + 5 * HOUR,
      maxInputBytes: 1,
      onCompacted: (result) => compacted.push(`${result.partition} ${result.skipped ?? 'written'}`),
    });
    expect(await job()).toEqual({ due: 2, compacted: 0, failed: 0, tooLarge: 2, deferred: 0 });
    expect(store.keys('events/')).toEqual(before);
    expect(compacted).toEqual([
      'events/project_id=proj-1/dt=2026-03-04/hour=05/ too-large',
      'events/project_id=proj-1/dt=2026-03-04/hour=06/ too-large',
    ]);
  });
});
