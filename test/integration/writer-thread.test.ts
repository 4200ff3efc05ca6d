import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoPendingUpdates } from '../../lambdas/adapters/aws/dynamo-pending-updates';
import type { Tenant } from '../../lambdas/domain/events/event';
import { recordsMessageBody } from '../../lambdas/domain/ingest/queue-envelope';
import {
  ensurePendingUpdatesTable,
  LOCAL_PENDING_UPDATES_TABLE,
  type LocalDynamo,
  startLocalDynamo,
} from '../../lambdas/local/dynamo-local';
import { startWriterThread, type WriterThread } from '../../lambdas/local/writer-thread';
import { sqsEvent } from '../support/sqs-event';
import { eventRecord, T0, TENANT, updateRecord } from '../unit/store/store-fixtures';

/** Every file under dir, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe('the local writer in its own thread', () => {
  let root: string;
  let dynamo: LocalDynamo;
  let thread: WriterThread;
  const lookups: { tenant: Tenant; eventIds: string[] }[] = [];
  const stored: string[][] = [];
  const written: number[] = [];
  const failures: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'waggle-writer-thread-'));
    dynamo = await startLocalDynamo(undefined);
    await ensurePendingUpdatesTable(dynamo.client);
    thread = await startWriterThread({
      eventStoreDir: join(root, 'store'),
      rawArchiveDir: join(root, 'raw'),
      dynamoEndpoint: dynamo.endpoint,
      pendingUpdatesTable: LOCAL_PENDING_UPDATES_TABLE,
      lookupLatest: async (tenant, eventIds) => {
        lookups.push({ tenant, eventIds });
        return new Map();
      },
      onEventsStored: async (events) => {
        stored.push(events.map((event) => event.event_id));
        throw new Error('a failing listener fails no message');
      },
      onWritten: (summary) => written.push(summary.events),
      onFailure: (failure) =>
        failures.push(`${failure.stage}: ${failure.error instanceof Error ? failure.error.message : ''}`),
    });
  });
  afterAll(async () => {
    await thread.close();
    await dynamo.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('writes a batch there, asking this thread for stored events and telling it what was stored', async () => {
    const body = recordsMessageBody(
      [
        eventRecord({ event_id: 'a' }),
        eventRecord({ event_id: 'b' }),
        updateRecord('later', 2_000_000, {
          metrics: { score: 1 },
        }),
      ].map((record) => JSON.stringify(record)),
    );
    const response = await thread.handler(
      sqsEvent(
        [
          { id: 'good', body },
          { id: 'bad', body: 'not json at all' },
        ],
        { sentAt: T0 },
      ),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(failures).toEqual([expect.stringMatching(/^read: /)]);
    // Asked before the update is kept, and again after (the writer's check for an event stored meanwhile).
    expect(lookups.length).toBeGreaterThan(0);
    for (const lookup of lookups) expect(lookup).toEqual({ tenant: TENANT, eventIds: ['later'] });
    expect(stored).toEqual([['a', 'b']]);
    expect(written).toEqual([2]);
    const files = await filesUnder(join(root, 'store'));
    expect(files.filter((file) => file.startsWith('events/project_id=proj-1/'))).toHaveLength(1);
    // The update for an event not stored yet waits in DynamoDB, written through the thread's own client.
    const waiting = await new DynamoPendingUpdates(dynamo.client, LOCAL_PENDING_UPDATES_TABLE).forEvents(
      TENANT,
      ['later'],
    );
    expect(waiting.get('later')?.map((update) => update.patch)).toEqual([{ metrics: { score: 1 } }]);
  });

  it('answers batches in turn and stops when closed', async () => {
    const batch = (id: string) =>
      sqsEvent([{ id, body: recordsMessageBody([JSON.stringify(eventRecord({ event_id: id }))]) }], {
        sentAt: T0,
      });
    const answers = await Promise.all(['c', 'd', 'e'].map((id) => thread.handler(batch(id))));
    expect(answers).toEqual([
      { batchItemFailures: [] },
      { batchItemFailures: [] },
      { batchItemFailures: [] },
    ]);
    expect(stored.slice(1).flat().sort()).toEqual(['c', 'd', 'e']);

    const closing = await startWriterThread({
      eventStoreDir: join(root, 'other-store'),
      rawArchiveDir: join(root, 'other-raw'),
      dynamoEndpoint: dynamo.endpoint,
      pendingUpdatesTable: LOCAL_PENDING_UPDATES_TABLE,
      lookupLatest: async () => new Map(),
    });
    await closing.close();
    await expect(closing.handler(batch('f'))).rejects.toThrow(/closed/);
  });

  it('fails the batch of a thread that crashed, and starts a new thread for the next batch', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'waggle-writer-crash-'));
    const crashes: string[] = [];
    const crashing = await startWriterThread({
      eventStoreDir: dir,
      rawArchiveDir: dir,
      dynamoEndpoint: dynamo.endpoint,
      pendingUpdatesTable: LOCAL_PENDING_UPDATES_TABLE,
      lookupLatest: async () => new Map(),
      onCrash: (error) => crashes.push(error.message),
      entry: new URL('../support/crashing-writer-worker.ts', import.meta.url).href,
    });
    try {
      const batch = sqsEvent([{ id: 'x', body: 'anything' }]);
      // The batch the thread held fails as a whole: SQS semantics bring its messages back.
      await expect(crashing.handler(batch)).rejects.toThrow(
        /the writer thread stopped: .*exited with code 3/,
      );
      expect(crashes).toEqual(['the writer thread exited with code 3']);
      await expect(crashing.handler(batch)).resolves.toEqual({ batchItemFailures: [] });
    } finally {
      await crashing.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
