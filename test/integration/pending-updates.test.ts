/**
 * Updates that arrive before their event, end to end on the local stack: the writer over files,
 * DuckDB reading them back, the pending updates in DynamoDB (dynalite). Before, with and after the
 * event; several updates before it, applied in version order; and reads merging an update the
 * writer has not folded yet.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DynamoPendingUpdates,
  PENDING_UPDATES_TABLE,
  PendingUpdateTooLargeError,
} from '../../lambdas/adapters/aws/dynamo-pending-updates';
import {
  createDuckDbQueryEngine,
  type DuckDbQueryEngine,
} from '../../lambdas/adapters/local/duckdb-query-engine';
import { FileObjectStore } from '../../lambdas/adapters/local/file-object-store';
import type { EventRecord, WaggleEventUpdate } from '../../lambdas/domain/events/event';
import type { ObjectStore } from '../../lambdas/domain/ports';
import { createEventQueryService } from '../../lambdas/domain/query/event-query-service';
import { withPendingUpdates } from '../../lambdas/domain/query/pending-merge';
import type { EventQueryService } from '../../lambdas/domain/query/types';
import { writeRecords } from '../../lambdas/domain/store/write-batch';
import { stringKeyedTable, useDynalite } from '../support/dynalite';
import { eventRecord, T0, TENANT, updateRecord } from '../unit/store/store-fixtures';

const dynamo = useDynalite();
let tables = 0;
let root: string;
let engine: DuckDbQueryEngine;
let stored: EventQueryService;
let reads: EventQueryService;
let pending: DynamoPendingUpdates;
let store: FileObjectStore;
let batches = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'waggle-pending-'));
  store = new FileObjectStore(root);
  engine = await createDuckDbQueryEngine({ storeRoot: root });
  stored = createEventQueryService(engine);
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  const table = await dynamo.createTable(
    stringKeyedTable(`pending${++tables}`, PENDING_UPDATES_TABLE.partitionKey, PENDING_UPDATES_TABLE.sortKey),
  );
  pending = new DynamoPendingUpdates(dynamo.client, table);
  reads = withPendingUpdates(
    stored,
    new DynamoPendingUpdates(dynamo.client, table, { consistentReads: false }),
  );
});

/** One writer batch, as the writer function runs it; every record in its own message. */
async function write(records: EventRecord[], options: { into?: ObjectStore } = {}) {
  return writeRecords(
    records.map((record, index) => ({ messageId: `m${index}`, records: [record] })),
    {
      store: options.into ?? store,
      lookupLatest: (tenant, ids) => stored.lookupLatest(tenant, ids),
      pendingUpdates: pending,
      batchId: `batch-${++batches}`,
    },
  );
}

describe('an update before its event, through the writer and read back', () => {
  it('is kept, not retried; the event, when it comes, is read back with it', async () => {
    const before = await write([
      updateRecord('early', 7, { feedback: { rating: 5 }, metadata: { tag: 'x' } }),
    ]);
    expect(before).toMatchObject({
      failedMessageIds: [],
      poisonMessages: [],
      pending: { kept: 1, applied: 0 },
    });
    expect(await reads.getEvent(TENANT, 'early')).toBeUndefined();

    const arrival = await write([eventRecord({ event_id: 'early', session_id: 'early-s', version: 1 })]);
    expect(arrival).toMatchObject({ failedMessageIds: [], pending: { kept: 0, applied: 1 } });
    // Folded into the store: even the plain (unmerged) read sees it.
    expect(await stored.getEvent(TENANT, 'early')).toMatchObject({
      version: 7,
      feedback: { rating: 5 },
      metadata: { k: 'v', tag: 'x' },
    });
    expect(await pending.forEvents(TENANT, ['early'])).toEqual(new Map());
  });

  it('applies several updates that came before the event in version order', async () => {
    await write([updateRecord('many', 30, { metadata: { step: 'third' }, metrics: { m: 3 } })]);
    await write([
      updateRecord('many', 10, { metadata: { step: 'first', a: 1 } }),
      updateRecord('many', 20, { metadata: { step: 'second', b: 2 } }),
    ]);
    await write([eventRecord({ event_id: 'many', session_id: 'many-s', version: 1 })]);
    expect(await reads.getEvent(TENANT, 'many')).toMatchObject({
      version: 30,
      metadata: { k: 'v', step: 'third', a: 1, b: 2 },
      metrics: { m: 3 },
    });
  });

  it('with its event in the same batch, before or after it', async () => {
    const result = await write([
      updateRecord('same', 5, { feedback: { before: true } }),
      eventRecord({ event_id: 'same', session_id: 'same-s', version: 1 }),
      updateRecord('same', 6, { feedback: { after: true } }),
    ]);
    expect(result.failedMessageIds).toEqual([]);
    expect(await reads.getEvent(TENANT, 'same')).toMatchObject({
      version: 6,
      feedback: { before: true, after: true },
    });
  });

  it('after its event: applied directly, nothing kept', async () => {
    await write([eventRecord({ event_id: 'late', session_id: 'late-s', version: 1 })]);
    const after = await write([updateRecord('late', 2, { outputs: { content: 'patched' } })]);
    expect(after.pending).toEqual({ kept: 0, applied: 0 });
    expect(await reads.getEvent(TENANT, 'late')).toMatchObject({
      version: 2,
      outputs: { content: 'patched' },
    });
  });

  it('reads merge an update the writer has not folded yet: by id, in exports and in sessions', async () => {
    await write([updateRecord('unfolded', 3, { feedback: { rating: 1 }, metadata: { merged: true } })]);
    // The fold's write fails (its retry would fold it); meanwhile the event is stored without it.
    const failing: ObjectStore = {
      get: (key) => store.get(key),
      put: (key, body, options) =>
        key.endsWith('-pending.parquet')
          ? Promise.reject(new Error('s3 down'))
          : store.put(key, body, options),
    } as ObjectStore;
    const arrival = await write(
      [eventRecord({ event_id: 'unfolded', session_id: 'unfolded-s', version: 1 })],
      {
        into: failing,
      },
    );
    expect(arrival.failedMessageIds).toEqual(['m0']);
    expect(await stored.getEvent(TENANT, 'unfolded')).toMatchObject({ version: 1, feedback: {} });

    expect(await reads.getEvent(TENANT, 'unfolded')).toMatchObject({
      version: 3,
      feedback: { rating: 1 },
      metadata: { k: 'v', merged: true },
    });
    const exported = await reads.exportEvents(TENANT, {
      filters: [{ field: 'event_id', operator: 'is', value: 'unfolded' }],
      projections: ['event_id', 'feedback'],
      dateRange: { from: T0 - 3_600_000, to: T0 + 3_600_000 },
      limit: 10,
      page: 1,
    });
    expect(exported.events).toEqual([{ event_id: 'unfolded', feedback: { rating: 1 } }]);
    const session = await reads.getSession(TENANT, 'unfolded-s');
    const node = session?.root.children.find((child) => child.event_id === 'unfolded') ?? session?.root;
    expect(node).toMatchObject({ event_id: 'unfolded', feedback: { rating: 1 } });
    expect(session?.rollup.has_feedback).toBe(true);
  });
});

describe('DynamoPendingUpdates', () => {
  /** The update a record carries. */
  const update = (eventId: string, version: number, patch: WaggleEventUpdate['patch']) =>
    (updateRecord(eventId, version, patch) as Extract<EventRecord, { kind: 'update' }>).update;

  it('keeps an update once however often it is kept, returns them in version order, forgets them', async () => {
    await pending.add(update('e', 9, { metrics: { v: 9 } }));
    await pending.add(update('e', 4, { metrics: { v: 4 } }));
    await pending.add(update('e', 9, { metrics: { v: 9 } }));
    const found = await pending.forEvents(TENANT, ['e', 'none']);
    expect([...found.keys()]).toEqual(['e']);
    expect(found.get('e')?.map((u) => u.version)).toEqual([4, 9]);
    expect(await pending.forEvents({ ...TENANT, project_id: 'other' }, ['e'])).toEqual(new Map());
    await pending.remove([update('e', 4, { metrics: { v: 4 } })]);
    expect((await pending.forEvents(TENANT, ['e'])).get('e')?.map((u) => u.version)).toEqual([9]);
  });

  it('answers for more events than one BatchGetItem holds', async () => {
    await pending.add(update('id-201', 2, { feedback: { x: 1 } }));
    const ids = Array.from({ length: 230 }, (_, index) => `id-${index}`);
    expect([...(await pending.forEvents(TENANT, ids)).keys()]).toEqual(['id-201']);
  });

  it('refuses an update too big for an item, so that its message is retried instead', async () => {
    const random = Array.from({ length: 60_000 }, () => Math.random().toString(36)).join('');
    await expect(pending.add(update('huge', 2, { outputs: { blob: random } }))).rejects.toBeInstanceOf(
      PendingUpdateTooLargeError,
    );
  });
});
