/**
 * The writer's promise under poison: random batches of messages, with random poison (any type, in
 * any column, at any position) mixed in, are written so that every valid message's events can be
 * read back exactly once, no poison message has a row written, and nothing valid is sent back for a
 * retry. Poison is what ingest would never build: numbers beyond their column, text that is not
 * text, sections that are not objects, and a section that fails only while its row is encoded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRecord, WaggleEvent } from '../../../lambdas/domain/events/event';
import { EVENT_COLUMNS, type EventRow } from '../../../lambdas/domain/store/columns';
import { rowToEvent } from '../../../lambdas/domain/store/event-row';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import { type LookupLatest, writeRecords } from '../../../lambdas/domain/store/write-batch';
import { FaultyMemoryStore, makeEvent, T0 } from './store-fixtures';

const HOUR = 3_600_000;
const noLookup: LookupLatest = async () => new Map();

const notText = fc.constantFrom<unknown>(42, 1.5, true, {}, [], ['a']);
const notObject = fc.constantFrom<unknown>('text', 42, true, [], ['a'], 0);
const badInteger = fc.constantFrom<unknown>(
  2 ** 53 + 2,
  2 ** 63,
  2 ** 64,
  1e300,
  -1e300,
  Number.NaN,
  Infinity,
  '12',
  {},
  true,
);
const badDouble = fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, '1.5', {}, true);

/**
 * Where poison can sit and what it can be. `duration` is left out on purpose: the writer computes a
 * duration that is not a number from the event's times, so a bad one is mended, not poison.
 */
const POISON_BY_FIELD: Record<string, fc.Arbitrary<unknown>> = {
  event_id: fc.oneof(notText, fc.constant('')),
  org_id: fc.oneof(notText, fc.constant('')),
  workspace_id: notText,
  project_id: notText,
  session_id: fc.constantFrom<unknown>(42, true, {}),
  parent_id: notText,
  trace_id: notText,
  span_id: notText,
  event_type: fc.oneof(notText, fc.constant('banana')),
  event_name: notText,
  source: notText,
  model: notText,
  provider: notText,
  error: notText,
  children_ids: fc.constantFrom<unknown>('a', {}, [1], [null], 7),
  config: notObject,
  inputs: notObject,
  outputs: notObject,
  metadata: notObject,
  metrics: notObject,
  feedback: notObject,
  user_properties: notObject,
  version: badInteger,
  start_time: badInteger,
  end_time: badInteger,
  prompt_tokens: badInteger,
  completion_tokens: badInteger,
  total_tokens: badInteger,
  ingested_at: badInteger,
  cost: badDouble,
};

const COLUMN_NAMES = new Set<string>(EVENT_COLUMNS.map((column) => column.name));
for (const field of Object.keys(POISON_BY_FIELD)) {
  if (field !== 'project_id' && !COLUMN_NAMES.has(field)) throw new Error(`${field} is not a column`);
}

type PlannedRecord = { poison?: { field: string; value: unknown } | 'unencodable'; hour: number };

const plannedRecord: fc.Arbitrary<PlannedRecord> = fc.record({
  hour: fc.integer({ min: 0, max: 2 }),
  poison: fc.option(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .constantFrom(...Object.keys(POISON_BY_FIELD))
          .chain((field) =>
            (POISON_BY_FIELD[field] as fc.Arbitrary<unknown>).map((value) => ({ field, value })),
          ),
      },
      { weight: 1, arbitrary: fc.constant('unencodable' as const) },
    ),
    { freq: 4, nil: undefined },
  ),
});

/** A section that passes every check and fails only while its row is serialized for encoding. */
function unencodableSection(): Record<string, unknown> {
  return {
    toJSON() {
      throw new Error('this section cannot be serialized');
    },
  };
}

function buildRecord(plan: PlannedRecord, eventId: string): EventRecord {
  const event = makeEvent({ event_id: eventId, session_id: eventId, start_time: T0 + plan.hour * HOUR });
  event.end_time = event.start_time + 1500;
  if (plan.poison === 'unencodable') event.metadata = unencodableSection();
  else if (plan.poison !== undefined)
    (event as unknown as Record<string, unknown>)[plan.poison.field] = plan.poison.value;
  return { kind: 'event', event };
}

async function readAllEvents(store: FaultyMemoryStore) {
  const events = [];
  for (const key of store.keys('events/')) {
    const projectId = decodeURIComponent(/project_id=([^/]+)/.exec(key)?.[1] ?? '');
    for (const row of await readParquet(EVENT_COLUMNS, (await store.get(key)) as Uint8Array)) {
      // Readable means the read side can turn the row back into an event.
      events.push(rowToEvent({ ...(row as unknown as EventRow), project_id: projectId }));
    }
  }
  return events;
}

describe('poison in a batch', () => {
  it('never costs a valid message its events: each is readable exactly once, poison alone is set aside', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(plannedRecord, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 24 }),
        async (plans) => {
          let next = 0;
          const messages = plans.map((records, index) => ({
            messageId: `m${index}`,
            records: records.map((plan) => buildRecord(plan, `e${next++}`)),
            poison: records.some((plan) => plan.poison !== undefined),
          }));
          const store = new FaultyMemoryStore();
          const result = await writeRecords(
            messages.map(({ messageId, records }) => ({ messageId, records })),
            { store, lookupLatest: noLookup, batchId: 'b' },
          );

          const expectedIds = messages
            .filter((message) => !message.poison)
            .flatMap((message) =>
              message.records.map((record) => (record as { event: WaggleEvent }).event.event_id),
            );
          const readIds = (await readAllEvents(store)).map((event) => event.event_id);
          expect(readIds.length).toBe(new Set(readIds).size);
          expect(readIds.sort()).toEqual(expectedIds.sort());
          expect(result.failedMessageIds).toEqual([]);
          expect(result.poisonMessages.map((poison) => poison.messageId)).toEqual(
            messages.filter((message) => message.poison).map((message) => message.messageId),
          );
          for (const poison of result.poisonMessages) expect(poison.reason).not.toBe('');
        },
      ),
      { numRuns: 150 },
    );
  });
});
