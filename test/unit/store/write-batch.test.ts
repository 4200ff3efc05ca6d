import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Tenant, WaggleEvent } from '../../../lambdas/domain/events/event';
import { EVENT_COLUMNS, TOMBSTONE_COLUMNS } from '../../../lambdas/domain/store/columns';
import { parseChangeMarker } from '../../../lambdas/domain/store/compaction-changes';
import { payloadKey } from '../../../lambdas/domain/store/layout';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import { type LookupLatest, writeRecords } from '../../../lambdas/domain/store/write-batch';
import {
  eventRecord,
  FaultyMemoryStore,
  makeEvent,
  T0,
  TENANT,
  tombstoneRecord,
  updateRecord,
} from './store-fixtures';

const HOUR = 3_600_000;
const noLookup: LookupLatest = async () => new Map();

async function eventRows(store: FaultyMemoryStore, key: string) {
  return readParquet(EVENT_COLUMNS, (await store.get(key)) as Uint8Array);
}

async function allEventRows(store: FaultyMemoryStore) {
  const rows = [];
  for (const key of store.keys('events/')) rows.push(...(await eventRows(store, key)));
  return rows;
}

describe('writeRecords', () => {
  it('writes one file per partition per batch, partitioned by start_time', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b' })] },
        {
          messageId: 'm2',
          records: [
            eventRecord({ event_id: 'c', start_time: T0 + HOUR }),
            eventRecord({ event_id: 'd', project_id: 'proj-2' }),
          ],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'batch-1' },
    );
    expect(result).toEqual({
      failedMessageIds: [],
      poisonMessages: [],
      written: { files: 3, events: 4, tombstones: 0 },
      // One event-schema file per project.
      schemas: { files: 2, failed: 0 },
      // One rollup file per project and day (store/rollup-files.ts); a project's hours share a day.
      rollups: { files: 2, rows: 3 },
    });
    expect(store.keys('events/')).toEqual([
      'events/project_id=proj-1/dt=2026-03-04/hour=05/batch-1.parquet',
      'events/project_id=proj-1/dt=2026-03-04/hour=06/batch-1.parquet',
      'events/project_id=proj-2/dt=2026-03-04/hour=05/batch-1.parquet',
    ]);
    const first = await eventRows(store, 'events/project_id=proj-1/dt=2026-03-04/hour=05/batch-1.parquet');
    expect(first.map((row) => row.event_id)).toEqual(['a', 'b']);
    // One change marker for the batch names every partition it wrote, for compaction.
    expect(parseChangeMarker((await store.get('compaction/changed/batch-1.json')) as Uint8Array)).toEqual({
      v: 1,
      partitions: [
        'events/project_id=proj-1/dt=2026-03-04/hour=05/',
        'events/project_id=proj-1/dt=2026-03-04/hour=06/',
        'events/project_id=proj-2/dt=2026-03-04/hour=05/',
      ],
      deletions: [],
    });
  });

  it('fills computed fields: duration, total tokens, cost, session id', async () => {
    const store = new FaultyMemoryStore();
    await writeRecords(
      [
        {
          messageId: 'm1',
          records: [
            eventRecord({ event_id: 'model', duration: 0, total_tokens: null, cost: null }),
            eventRecord({ event_id: 'sess', event_type: 'session', session_id: '', parent_id: null }),
          ],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    const rows = await allEventRows(store);
    const model = rows.find((row) => row.event_id === 'model');
    expect(model).toMatchObject({ duration: 1500, total_tokens: 15 });
    expect(model?.cost).toBeGreaterThan(0);
    expect(JSON.parse(model?.metadata as string).pricing).toBeDefined();
    expect(rows.find((row) => row.event_id === 'sess')?.session_id).toBe('sess');
  });

  it('applies an update on top of an event of the same batch', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'e', version: 100 })] },
        {
          messageId: 'm2',
          records: [
            updateRecord('e', 200, { metadata: { extra: 1 }, feedback: { rating: 5 }, error: 'bad' }),
          ],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual([]);
    const rows = await allEventRows(store);
    expect(rows.map((row) => row.version)).toEqual([100, 200]);
    expect(rows[1]).toMatchObject({ error: 'bad', model: 'gpt-4o-mini', start_time: T0 });
    expect(JSON.parse(rows[1]?.metadata as string)).toEqual({ k: 'v', extra: 1 });
    expect(JSON.parse(rows[1]?.feedback as string)).toEqual({ rating: 5 });
  });

  it('applies an update on top of the stored version found by lookupLatest', async () => {
    const store = new FaultyMemoryStore();
    const asked: [Tenant, string[]][] = [];
    const stored = makeEvent({
      event_id: 'old',
      version: 500,
      start_time: T0 - 24 * HOUR,
      end_time: T0 - 24 * HOUR + 10,
    });
    const lookupLatest: LookupLatest = async (tenant, ids) => {
      asked.push([tenant, ids]);
      return new Map<string, WaggleEvent>([['old', stored]]);
    };
    // The update's version is older than the stored one: it still supersedes it.
    const result = await writeRecords(
      [
        {
          messageId: 'm1',
          records: [updateRecord('old', 400, { end_time: stored.start_time + 99, outputs: { b: 2 } })],
        },
      ],
      { store, lookupLatest, batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(asked).toEqual([[TENANT, ['old']]]);
    expect(store.keys('events/')).toEqual(['events/project_id=proj-1/dt=2026-03-03/hour=05/b.parquet']);
    const [row] = await allEventRows(store);
    expect(row).toMatchObject({ version: 501, end_time: stored.start_time + 99, duration: 99 });
    expect(JSON.parse(row?.outputs as string)).toEqual({ content: 'hello', b: 2 });
  });

  it('updates a stored event whose row holds truncated sections without losing the full values', async () => {
    const store = new FaultyMemoryStore();
    const bigInputs = { prompt: 'p'.repeat(50_000) };
    const bigOutputs = { text: 'o'.repeat(50_000) };
    const original = makeEvent({ event_id: 'big', version: 10, inputs: bigInputs, outputs: bigOutputs });
    await writeRecords([{ messageId: 'm0', records: [{ kind: 'event', event: original }] }], {
      store,
      lookupLatest: noLookup,
      batchId: 'b0',
    });
    // What the query layer returns: the row's truncated copies plus the payload keys.
    const [storedRow] = await allEventRows(store);
    const lookedUp = {
      ...original,
      inputs: JSON.parse(storedRow?.inputs as string),
      outputs: JSON.parse(storedRow?.outputs as string),
      inputs_ref: storedRow?.inputs_ref as string,
      outputs_ref: storedRow?.outputs_ref as string,
    };
    const result = await writeRecords(
      [{ messageId: 'm1', records: [updateRecord('big', 20, { outputs: { extra: true } })] }],
      { store, lookupLatest: async () => new Map([['big', lookedUp]]), batchId: 'b1' },
    );
    expect(result.failedMessageIds).toEqual([]);
    const inputs = await store.get(payloadKey(TENANT.project_id, 'big', 20, 'inputs'));
    const outputs = await store.get(payloadKey(TENANT.project_id, 'big', 20, 'outputs'));
    expect(JSON.parse(gunzipSync(inputs as Uint8Array).toString())).toEqual(bigInputs);
    expect(JSON.parse(gunzipSync(outputs as Uint8Array).toString())).toEqual({ ...bigOutputs, extra: true });
  });

  it('fails the whole message of an update whose event is not found yet, writing none of its records', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        {
          messageId: 'm1',
          records: [eventRecord({ event_id: 'x' }), updateRecord('missing', 9, { metrics: { a: 1 } })],
        },
        { messageId: 'm2', records: [eventRecord({ event_id: 'y' })] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual(['m1']);
    expect((await allEventRows(store)).map((row) => row.event_id)).toEqual(['y']);
  });

  it('fails messages with updates when the lookup itself fails', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [updateRecord('e', 9, { metrics: { a: 1 } })] },
        { messageId: 'm2', records: [eventRecord({ event_id: 'y' })] },
      ],
      { store, lookupLatest: async () => Promise.reject(new Error('athena down')), batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual(['m1']);
    expect(result.written.events).toBe(1);
  });

  it('fails a malformed message and keeps the others', async () => {
    const store = new FaultyMemoryStore();
    const failures: unknown[] = [];
    const result = await writeRecords(
      [
        { messageId: 'bad', records: [{ kind: 'event', event: { event_id: '' } } as never] },
        { messageId: 'good', records: [eventRecord()] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b', onFailure: (failure) => failures.push(failure) },
    );
    // A malformed record is poison: set aside with its reason, not retried.
    expect(result.failedMessageIds).toEqual([]);
    expect(result.poisonMessages).toEqual([
      { messageId: 'bad', stage: 'resolve', reason: 'event.org_id is not a non-empty string' },
    ]);
    expect(result.written.events).toBe(1);
    expect(failures).toEqual([expect.objectContaining({ stage: 'resolve', messageId: 'bad' })]);
  });

  it('sets aside a message holding a value no column can keep, and writes the rest of its file', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'a' })] },
        { messageId: 'poison', records: [eventRecord({ event_id: 'p', prompt_tokens: 2 ** 63 })] },
        { messageId: 'm2', records: [eventRecord({ event_id: 'b', total_tokens: 1e300 })] },
        { messageId: 'm3', records: [eventRecord({ event_id: 'c' })] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(result.poisonMessages.map((poison) => poison.messageId)).toEqual(['poison', 'm2']);
    expect(result.poisonMessages[0]?.reason).toMatch(
      /prompt_tokens 9223372036854776000 is beyond the largest/,
    );
    expect((await allEventRows(store)).map((row) => row.event_id).sort()).toEqual(['a', 'c']);
  });

  it('splits a file that fails to encode until only the message that cannot be encoded is left', async () => {
    const store = new FaultyMemoryStore();
    // Past every check before encoding, failing only while its row is made: a section that cannot
    // be serialized (the kind of failure nobody foresaw, which the split exists for).
    const unencodable = eventRecord({
      event_id: 'x',
      metadata: {
        toJSON() {
          throw new Error('metadata cannot be serialized');
        },
      },
    });
    const messages = Array.from({ length: 9 }, (_, index) => ({
      messageId: `m${index}`,
      records: [eventRecord({ event_id: `e${index}` })],
    }));
    messages.splice(5, 0, { messageId: 'bad', records: [unencodable] });
    const failures: unknown[] = [];
    const result = await writeRecords(messages, {
      store,
      lookupLatest: noLookup,
      batchId: 'b',
      onFailure: (failure) => failures.push(failure),
    });
    expect(result.failedMessageIds).toEqual([]);
    expect(result.poisonMessages).toEqual([
      { messageId: 'bad', stage: 'encode', reason: 'metadata cannot be serialized' },
    ]);
    expect((await allEventRows(store)).map((row) => row.event_id).sort()).toEqual(
      messages
        .filter((message) => message.messageId !== 'bad')
        .map((_, index) => `e${index}`)
        .sort(),
    );
    expect(result.written.events).toBe(9);
    // Every file of the split has its own name in the partition.
    expect(new Set(store.keys('events/')).size).toBe(store.keys('events/').length);
    expect(failures).toEqual([expect.objectContaining({ stage: 'encode', messageIds: ['bad'] })]);
  });

  it('writes tombstones into tombstones/ partitions by deleted_at', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        {
          messageId: 'm1',
          records: [tombstoneRecord({ target: 'session', id: 's1', deleted_at: T0 + 2 * HOUR })],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    expect(result.written).toEqual({ files: 1, events: 0, tombstones: 1 });
    const key = 'tombstones/project_id=proj-1/dt=2026-03-04/hour=07/b.parquet';
    expect(store.keys()).toEqual(['compaction/changed/b.json', key]);
    // The deletion is marked for compaction, which rewrites the hours that hold its target.
    expect(parseChangeMarker((await store.get('compaction/changed/b.json')) as Uint8Array)).toEqual({
      v: 1,
      partitions: [],
      deletions: [{ project: 'proj-1', target: 'session', id: 's1', deletedAt: T0 + 2 * HOUR }],
    });
    expect(await readParquet(TOMBSTONE_COLUMNS, (await store.get(key)) as Uint8Array)).toEqual([
      { target: 'session', id: 's1', org_id: 'org-1', workspace_id: 'ws-1', deleted_at: T0 + 2 * HOUR },
    ]);
  });

  it('writes a large payload before the row that points at it', async () => {
    const store = new FaultyMemoryStore();
    const big = { text: 'z'.repeat(50_000) };
    await writeRecords([{ messageId: 'm1', records: [eventRecord({ inputs: big })] }], {
      store,
      lookupLatest: noLookup,
      batchId: 'b',
    });
    const key = payloadKey(TENANT.project_id, 'evt-1', 1_000_000, 'inputs');
    // Where the event lies (the id locator), the payload, then the row that points at it, the
    // fields it has (event schema), then the change marker that makes it known to compaction.
    expect(store.putKeys).toEqual([
      'locator/project_id=proj-1/t0-b.parquet',
      key,
      'events/project_id=proj-1/dt=2026-03-04/hour=05/b.parquet',
      'rollups/project_id=proj-1/dt=2026-03-04/b.parquet',
      'event-schemas/project_id=proj-1/b-b.parquet',
      'compaction/changed/b.json',
    ]);
    expect(JSON.parse(gunzipSync((await store.get(key)) as Uint8Array).toString())).toEqual(big);
    expect((await allEventRows(store))[0]?.inputs_ref).toBe(key);
  });

  it('a failing put fails only the messages with rows in that file, and loses nothing else', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.includes('hour=06');
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'a' })] },
        {
          messageId: 'm2',
          records: [eventRecord({ event_id: 'b' }), eventRecord({ event_id: 'c', start_time: T0 + HOUR })],
        },
        { messageId: 'm3', records: [eventRecord({ event_id: 'd', start_time: T0 + HOUR })] },
        { messageId: 'm4', records: [tombstoneRecord()] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual(['m2', 'm3']);
    expect(result.written).toEqual({ files: 2, events: 2, tombstones: 1 });
    expect((await allEventRows(store)).map((row) => row.event_id)).toEqual(['a', 'b']);

    // The retry of the failed messages (a new batch) completes them; b is then stored twice, same version.
    store.failPut = () => false;
    const retry = await writeRecords(
      [
        {
          messageId: 'm2',
          records: [eventRecord({ event_id: 'b' }), eventRecord({ event_id: 'c', start_time: T0 + HOUR })],
        },
        { messageId: 'm3', records: [eventRecord({ event_id: 'd', start_time: T0 + HOUR })] },
      ],
      { store, lookupLatest: noLookup, batchId: 'retry' },
    );
    expect(retry.failedMessageIds).toEqual([]);
    const ids = (await allEventRows(store)).map((row) => `${row.event_id}@${row.version}`);
    expect(new Set(ids)).toEqual(new Set(['a@1000000', 'b@1000000', 'c@1000000', 'd@1000000']));
  });

  it('a failing payload put fails the file that needed it, and that file is not written', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.startsWith('payloads/');
    const result = await writeRecords(
      [{ messageId: 'm1', records: [eventRecord({ inputs: { text: 'z'.repeat(50_000) } })] }],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual(['m1']);
    // Only where the event would lie: a located day without the event costs a read, nothing more.
    expect(store.keys()).toEqual(['locator/project_id=proj-1/t0-b.parquet']);
  });

  it('a failing locator put fails the messages of its project, none of whose events is written', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.startsWith('locator/project_id=proj-1/');
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'a' })] },
        { messageId: 'm2', records: [eventRecord({ event_id: 'b', project_id: 'proj-2' })] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b' },
    );
    expect(result.failedMessageIds).toEqual(['m1']);
    expect(store.keys('events/')).toEqual(['events/project_id=proj-2/dt=2026-03-04/hour=05/b.parquet']);
    expect(store.keys('locator/')).toEqual(['locator/project_id=proj-2/t0-b.parquet']);
  });

  it('the same batch delivered twice adds a second file with the same rows', async () => {
    const store = new FaultyMemoryStore();
    const items = [
      { messageId: 'm1', records: [eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b' })] },
    ];
    await writeRecords(items, { store, lookupLatest: noLookup, batchId: 'first' });
    await writeRecords(items, { store, lookupLatest: noLookup, batchId: 'second' });
    const [first, second] = store.keys('events/');
    expect(store.keys('events/')).toHaveLength(2);
    expect(await eventRows(store, second as string)).toEqual(await eventRows(store, first as string));
  });

  it('refuses a batch id that is not a safe file name', async () => {
    await expect(
      writeRecords([], { store: new FaultyMemoryStore(), lookupLatest: noLookup, batchId: '../x' }),
    ).rejects.toThrow(/batch id/);
  });
});
