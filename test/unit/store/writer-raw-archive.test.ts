/**
 * The writer archives the raw requests of its batch in one object before acknowledging them; a
 * failed archive PUT retries only those messages, never the records of the others.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import { rawRequestMessageBody, recordsMessageBody } from '../../../lambdas/domain/ingest/queue-envelope';
import type { ArchiveHeader } from '../../../lambdas/domain/ingest/raw-archive';
import { decodeRawBatch } from '../../../lambdas/domain/ingest/raw-batch-archive';
import { createWriterHandler } from '../../../lambdas/writer/app';
import { sqsEvent } from '../../support/sqs-event';
import { eventRecord, FaultyMemoryStore, T0 } from './store-fixtures';

const records = (list: EventRecord[]) => recordsMessageBody(list.map((record) => JSON.stringify(record)));
const raw = (requestId: string) => {
  const header: ArchiveHeader = {
    v: 1,
    requestId,
    receivedAt: T0,
    route: 'events-batch',
    contentType: 'application/json',
    tenant: { org_id: 'o', workspace_id: 'w', project_id: 'proj-1' },
    projectName: 'proj',
  };
  return rawRequestMessageBody(header, Buffer.from(`{"events":["${requestId}"]}`), false);
};

function writer(rawArchive: FaultyMemoryStore, store = new FaultyMemoryStore()) {
  const handler = createWriterHandler({
    store,
    overflowStore: rawArchive,
    rawArchive,
    lookupLatest: async () => new Map(),
    clock: () => T0,
  });
  return { handler, store };
}

describe('writer: raw requests', () => {
  it('archives every raw request of a batch in one object and writes the records beside them', async () => {
    const rawArchive = new FaultyMemoryStore();
    const { handler, store } = writer(rawArchive);
    const response = await handler(
      sqsEvent([raw('r1'), records([eventRecord({ event_id: 'a' })]), raw('r2')], { sentAt: T0 }),
    );
    expect(response.batchItemFailures).toEqual([]);
    const keys = rawArchive.keys('raw/');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(
      /^raw\/batches\/dt=2026-03-04\/hour=05\/20260304T050607000Z-[0-9a-f-]{36}\.jsonl\.zst$/,
    );
    const entries = decodeRawBatch(rawArchive.objects.get(keys[0] as string) as Uint8Array);
    expect(entries.map((entry) => entry.header.requestId).sort()).toEqual(['r1', 'r2']);
    expect(store.keys('events/')).toHaveLength(1);
  });

  it('retries only the raw-request messages when their archive PUT fails; the records are written', async () => {
    const rawArchive = new FaultyMemoryStore();
    rawArchive.failPut = (key) => key.startsWith('raw/batches/');
    const { handler, store } = writer(rawArchive);
    const response = await handler(
      sqsEvent([raw('r1'), records([eventRecord({ event_id: 'a' })]), raw('r2')], { sentAt: T0 }),
    );
    expect(response.batchItemFailures.map((item) => item.itemIdentifier).sort()).toEqual(['m0', 'm2']);
    expect(store.keys('events/')).toHaveLength(1);
    expect(rawArchive.keys('raw/')).toEqual([]);

    // Redelivered once the bucket is back: archived, acknowledged.
    rawArchive.failPut = () => false;
    const retry = await handler(sqsEvent([raw('r1'), raw('r2')], { sentAt: T0 }));
    expect(retry.batchItemFailures).toEqual([]);
    expect(rawArchive.keys('raw/batches/')).toHaveLength(1);
  });

  it('reports a raw-request message it cannot read as failed, alone', async () => {
    const rawArchive = new FaultyMemoryStore();
    const { handler } = writer(rawArchive);
    const broken = JSON.stringify({ v: 2, kind: 'raw-request', header: {}, encoding: 'zstd', body: '' });
    const response = await handler(sqsEvent([raw('r1'), broken], { sentAt: T0 }));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(rawArchive.keys('raw/batches/')).toHaveLength(1);
  });
});
