/**
 * The event schemas (HoneyHive's event_schemas): which fields of an event are described, that no
 * described field is one a filter would refuse, what the writer writes per project and batch, that
 * a failure to write it loses no event, and that compaction merges a project's files.
 */
import { describe, expect, it } from 'vitest';
import { resolveField } from '../../../lambdas/domain/query/fields';
import {
  EVENT_SCHEMA_COLUMNS,
  eventFields,
  eventSchemaRows,
  MAX_SCHEMA_FIELDS_PER_EVENT,
  toSchemaRows,
} from '../../../lambdas/domain/store/event-schema';
import { mergeEventSchemas } from '../../../lambdas/domain/store/event-schema-merge';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import {
  type LookupLatest,
  type WriteFailure,
  writeRecords,
} from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, makeEvent, T0 } from './store-fixtures';

const noLookup: LookupLatest = async () => new Map();

async function schemaRows(store: FaultyMemoryStore, prefix = 'event-schemas/') {
  const rows = [];
  for (const key of store.keys(prefix))
    rows.push(...toSchemaRows(await readParquet(EVENT_SCHEMA_COLUMNS, (await store.get(key)) as Uint8Array)));
  return rows;
}

/** A metadata object whose own keys include `__proto__` (as JSON.parse makes them). */
const hostileMetadata = JSON.parse(
  `{"customer": "acme", "__proto__": {"polluted": 1}, "constructor": 2, "${'k'.repeat(200)}": 3, "it's": 4, "a\\"b": 5, "a.b": 6, "": 7, "ok-key_1": {"deep": {"deeper": {"deepest": 1}}}}`,
) as Record<string, unknown>;

describe('the fields of an event', () => {
  it('lists set top-level columns and typed dotted paths, three keys deep at most', () => {
    const fields = new Map(
      eventFields(
        makeEvent({
          model: 'gpt-4o',
          error: null,
          metadata: hostileMetadata,
          user_properties: { plan: 'pro', seats: 3, trial: false, tags: ['a'] },
        }),
      ),
    );
    expect(fields.get('model')).toBe('string');
    expect(fields.get('start_time')).toBe('number');
    expect(fields.has('error')).toBe(false);
    expect(fields.get('metadata.customer')).toBe('string');
    expect(fields.get('user_properties.seats')).toBe('number');
    expect(fields.get('user_properties.trial')).toBe('boolean');
    expect(fields.get('user_properties.tags')).toBe('array');
    expect(fields.get('metadata.ok-key_1')).toBe('object');
    expect(fields.get('metadata.ok-key_1.deep.deeper')).toBe('object');
    expect(fields.has('metadata.ok-key_1.deep.deeper.deepest')).toBe(false);
  });

  it('never describes a key a filter refuses, nor an object-prototype name', () => {
    const fields = eventFields(makeEvent({ metadata: hostileMetadata })).map(([field]) => field);
    for (const field of fields) expect(() => resolveField(field), field).not.toThrow();
    const metadata = fields.filter((field) => field.startsWith('metadata.'));
    expect(metadata.some((field) => /__proto__|constructor|polluted|'|"|k{65}/.test(field))).toBe(false);
    expect(metadata).toContain('metadata.customer');
  });

  it('describes at most 200 fields of one event', () => {
    const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`f${index}`, index]));
    expect(eventFields(makeEvent({ metadata: wide }))).toHaveLength(MAX_SCHEMA_FIELDS_PER_EVENT);
  });

  it('counts occurrences per type, name, field and field type, with first and last seen', () => {
    const rows = eventSchemaRows([
      makeEvent({ event_id: 'a', metadata: { customer: 'acme' }, start_time: T0 }),
      makeEvent({ event_id: 'b', metadata: { customer: 'globex' }, start_time: T0 + 5 }),
      makeEvent({ event_id: 'c', metadata: { customer: 7 }, start_time: T0 + 9 }),
    ]);
    const customer = rows.filter((row) => row.field === 'metadata.customer');
    expect(customer).toEqual([
      expect.objectContaining({
        field_type: 'number',
        occurrences: 1,
        first_seen: T0 + 9,
        last_seen: T0 + 9,
      }),
      expect.objectContaining({ field_type: 'string', occurrences: 2, first_seen: T0, last_seen: T0 + 5 }),
    ]);
  });
});

describe('the writer and the event schemas', () => {
  it('writes one schema file per project and batch, of the events it stored', async () => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'a', metadata: hostileMetadata })] },
        { messageId: 'm2', records: [eventRecord({ event_id: 'b', project_id: 'proj-2' })] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b1' },
    );
    expect(result.schemas).toEqual({ files: 2, failed: 0 });
    expect(store.keys('event-schemas/')).toEqual([
      'event-schemas/project_id=proj-1/b-b1.parquet',
      'event-schemas/project_id=proj-2/b-b1.parquet',
    ]);
    const fields = (await schemaRows(store, 'event-schemas/project_id=proj-1/')).map((row) => row.field);
    expect(fields).toContain('metadata.customer');
    for (const field of fields) expect(() => resolveField(field)).not.toThrow();
  });

  it('a failing schema put fails no message: every event is stored, the failure is reported', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.startsWith('event-schemas/');
    const failures: WriteFailure[] = [];
    const result = await writeRecords(
      [{ messageId: 'm1', records: [eventRecord({ event_id: 'a' }), eventRecord({ event_id: 'b' })] }],
      { store, lookupLatest: noLookup, batchId: 'b1', onFailure: (failure) => failures.push(failure) },
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(result.written.events).toBe(2);
    expect(result.schemas).toEqual({ files: 0, failed: 1 });
    expect(failures).toEqual([
      { stage: 'schema', key: 'event-schemas/project_id=proj-1/b-b1.parquet', error: expect.any(Error) },
    ]);
    expect(store.keys('event-schemas/')).toEqual([]);
  });

  it('writes no schema file for a project whose events were not stored', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.startsWith('events/');
    const result = await writeRecords([{ messageId: 'm1', records: [eventRecord({ event_id: 'a' })] }], {
      store,
      lookupLatest: noLookup,
      batchId: 'b1',
    });
    expect(result.failedMessageIds).toEqual(['m1']);
    expect(store.keys('event-schemas/')).toEqual([]);
  });
});

describe('compaction of the event schemas', () => {
  it('merges a project with 8 files into one, occurrences added, inputs deleted; fewer files are left alone', async () => {
    const store = new FaultyMemoryStore();
    for (let batch = 0; batch < 8; batch++)
      await writeRecords(
        [
          {
            messageId: `m${batch}`,
            records: [eventRecord({ event_id: `e${batch}`, metadata: { customer: 'x' } })],
          },
        ],
        { store, lookupLatest: noLookup, batchId: `b${batch}` },
      );
    const before = await schemaRows(store);
    const merged = await mergeEventSchemas(store, 'proj-1', { now: T0 });
    expect(merged.deleted).toHaveLength(8);
    expect(store.keys('event-schemas/')).toEqual(merged.written);
    const after = await schemaRows(store);
    expect(after.find((row) => row.field === 'metadata.customer')?.occurrences).toBe(8);
    expect(after.length).toBeLessThan(before.length);

    const again = await mergeEventSchemas(store, 'proj-1', { now: T0 + 1 });
    expect(again.deleted).toEqual([]);
  });

  it('keeps the merged file to maxRows rows, the most recently seen', async () => {
    const store = new FaultyMemoryStore();
    for (let batch = 0; batch < 2; batch++)
      await writeRecords(
        [
          {
            messageId: `m${batch}`,
            records: [
              eventRecord({ event_id: `e${batch}`, event_name: `name-${batch}`, start_time: T0 + batch }),
            ],
          },
        ],
        { store, lookupLatest: noLookup, batchId: `b${batch}` },
      );
    const merged = await mergeEventSchemas(store, 'proj-1', { now: T0, minFiles: 2, maxRows: 5 });
    expect(merged.rowsWritten).toBe(5);
    const rows = await schemaRows(store);
    expect(rows.every((row) => row.event_name === 'name-1')).toBe(true);
  });

  it('writes the merged file before deleting an input: a failed write deletes nothing', async () => {
    const store = new FaultyMemoryStore();
    for (let batch = 0; batch < 8; batch++)
      await writeRecords([{ messageId: `m${batch}`, records: [eventRecord({ event_id: `e${batch}` })] }], {
        store,
        lookupLatest: noLookup,
        batchId: `b${batch}`,
      });
    store.failPut = (key) => key.includes('/m-');
    await expect(mergeEventSchemas(store, 'proj-1', { now: T0 })).rejects.toThrow(/simulated put failure/);
    expect(store.keys('event-schemas/')).toHaveLength(8);
  });
});
