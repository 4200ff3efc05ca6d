import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../lambdas/adapters/local/file-object-store';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import { overflowMessageBody, recordsMessageBody } from '../../../lambdas/domain/ingest/queue-envelope';
import { parseDeadLetter } from '../../../lambdas/domain/store/dead-letter';
import { createWriterHandler } from '../../../lambdas/writer/app';
import { sqsEvent } from '../../support/sqs-event';
import { eventRecord, FaultyMemoryStore, T0 } from './store-fixtures';

function body(records: EventRecord[]): string {
  return recordsMessageBody(records.map((record) => JSON.stringify(record)));
}

const noLookup = async () => new Map();
const sqsEventAt = (messages: Parameters<typeof sqsEvent>[0]) => sqsEvent(messages, { sentAt: T0 });

describe('createWriterHandler', () => {
  it('writes packed and overflow messages and reports unreadable ones as failed items only', async () => {
    const store = new FaultyMemoryStore();
    const overflowStore = new FaultyMemoryStore();
    await overflowStore.put(
      'overflow/project_id=proj-1/req-0.json.gz',
      gzipSync(JSON.stringify(eventRecord({ event_id: 'big' }))),
    );
    const handler = createWriterHandler({ store, overflowStore, lookupLatest: noLookup, clock: () => T0 });

    const response = await handler(
      sqsEventAt([
        body([eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b' })]),
        overflowMessageBody('overflow/project_id=proj-1/req-0.json.gz'),
        'not json at all',
        overflowMessageBody('overflow/project_id=proj-1/missing.json.gz'),
        JSON.stringify({ v: 2 }),
      ]),
    );
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'm2',
      'm3',
      'm4',
    ]);
    const files = store.keys('events/');
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(
      /^events\/project_id=proj-1\/dt=2026-03-04\/hour=05\/20260304T050607000Z-[0-9a-f-]{36}\.parquet$/,
    );
  });

  it('hands only the stored new events to onEventsStored, and a failing listener fails nothing', async () => {
    const store = new FaultyMemoryStore();
    const seen: string[] = [];
    const handler = createWriterHandler({
      store,
      overflowStore: store,
      lookupLatest: noLookup,
      clock: () => T0,
      onEventsStored: async (events) => {
        seen.push(...events.map((event) => event.event_id));
        throw new Error('evaluation queue down');
      },
    });
    const response = await handler(
      sqsEventAt([
        body([eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b' })]),
        body([eventRecord({ event_id: 'poison', completion_tokens: 1e19 })]),
        'not json at all',
      ]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  it('reports every message of a batch whose store is down, and throws nothing', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = () => true;
    const handler = createWriterHandler({ store, overflowStore: store, lookupLatest: noLookup });
    const response = await handler(
      sqsEventAt([body([eventRecord()]), body([eventRecord({ event_id: 'z' })])]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }]);
  });

  it('keeps a poison message in the dead-letter archive with its reason and acknowledges it', async () => {
    const store = new FaultyMemoryStore();
    const handler = createWriterHandler({
      store,
      overflowStore: store,
      lookupLatest: noLookup,
      clock: () => T0,
    });
    const poison = body([eventRecord({ event_id: 'p', completion_tokens: 1e19 })]);
    const response = await handler(sqsEventAt([body([eventRecord({ event_id: 'a' })]), poison]));
    expect(response.batchItemFailures).toEqual([]);
    const [key] = store.keys('dead-letters/');
    expect(key).toBe('dead-letters/dt=2026-03-04/m1.json');
    const archived = parseDeadLetter((await store.get(key as string)) as Uint8Array);
    expect(archived).toMatchObject({
      messageId: 'm1',
      body: poison,
      reason: { code: 'resolve', message: expect.stringContaining('completion_tokens 10000000000000000000') },
    });
    expect(store.keys('events/')).toHaveLength(1);
  });

  it('retries a poison message whose dead-letter write failed', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key: string) => key.startsWith('dead-letters/');
    const handler = createWriterHandler({ store, overflowStore: store, lookupLatest: noLookup });
    const response = await handler(
      sqsEventAt([body([eventRecord({ event_id: 'a' })]), body([eventRecord({ prompt_tokens: 2 ** 60 })])]),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  describe('with files on disk', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'waggle-writer-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('produces a Hive-partitioned store that DuckDB queries with the (URL-decoded) partition columns', async () => {
      const store = new FileObjectStore(dir);
      const handler = createWriterHandler({ store, overflowStore: store, lookupLatest: noLookup });
      await handler(
        sqsEventAt([
          body([eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b', project_id: 'p 2' })]),
        ]),
      );
      await handler(sqsEventAt([body([eventRecord({ event_id: 'a' })])])); // a redelivery

      const connection = await (await DuckDBInstance.create(':memory:')).connect();
      const rows = (
        await connection.runAndReadAll(
          `SELECT project_id, dt, hour, event_id, count(*) AS copies
           FROM read_parquet('${dir}/events/*/*/*/*.parquet', hive_partitioning = true, hive_types_autocast = false)
           GROUP BY ALL ORDER BY event_id`,
        )
      ).getRowObjects();
      expect(rows).toEqual([
        { project_id: 'proj-1', dt: '2026-03-04', hour: '05', event_id: 'a', copies: 2n },
        { project_id: 'p 2', dt: '2026-03-04', hour: '05', event_id: 'b', copies: 1n },
      ]);
    });
  });
});
