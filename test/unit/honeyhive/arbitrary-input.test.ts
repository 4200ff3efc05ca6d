import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import { recordTenant } from '../../../lambdas/domain/events/record-tenant';
import {
  createEvent,
  createEventBatch,
  createModelEvent,
  createModelEventBatch,
  type IntakeResult,
  startSession,
  updateEvent,
} from '../../../lambdas/domain/honeyhive';
import { testContext } from './context';
import { LEGACY_EVENT_KEYS } from './spec-examples';

const OPERATIONS = {
  startSession,
  createEvent,
  createEventBatch,
  createModelEvent,
  createModelEventBatch,
  updateEvent,
};

/** Plausible values for each field, mixed with arbitrary JSON, so runs reach past the first check. */
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('model', 'tool', 'chain', 'session', 'my-project', 'proj-1', 'gpt-4o', ''),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.integer({ min: -5, max: 2_000_000_000_000 }),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);
const eventKeys = [
  ...LEGACY_EVENT_KEYS,
  'org_id',
  'tenant',
  'model',
  'provider',
  'messages',
  'response',
  'usage',
  'cost',
  'hyperparameters',
  'session_name',
];
const smallObject = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
/** An event the intake should accept... */
const validEvent = fc.record(
  {
    event_type: fc.constantFrom('model', 'tool', 'chain', 'session'),
    inputs: smallObject,
    event_id: fc.uuid(),
    session_id: fc.uuid(),
    event_name: fc.string({ maxLength: 10 }),
    model: fc.constantFrom('gpt-4o', 'claude-3-haiku', 'a-private-model'),
    metadata: fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat() }, { requiredKeys: [] }),
    start_time: fc.nat({ max: 2_000_000_000_000 }),
    duration: fc.nat({ max: 1_000_000 }),
  },
  { requiredKeys: ['event_type', 'inputs', 'model'] },
);
/** ...then, often, one or two fields replaced by anything at all. */
const corruption = fc.dictionary(fc.constantFrom(...eventKeys), fieldValue, { maxKeys: 2 });
const eventLike = fc
  .tuple(validEvent, fc.oneof(fc.constant({}), corruption))
  .map(([event, corrupted]) => ({ ...event, ...corrupted }));
const eventOrString = fc.oneof(
  eventLike,
  eventLike.map((event) => JSON.stringify(event)),
  fieldValue,
);
const bodyLike = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ session: eventOrString }, { requiredKeys: [] }),
  fc.record({ event: eventOrString }, { requiredKeys: [] }),
  fc.record({ model_event: eventOrString }, { requiredKeys: [] }),
  fc.record(
    {
      events: fc.array(eventLike, { maxLength: 4 }),
      model_events: fc.array(eventLike, { maxLength: 4 }),
      is_single_session: fc.oneof(fc.boolean(), fieldValue),
      session_properties: fc.oneof(eventLike, fieldValue),
    },
    { requiredKeys: [] },
  ),
  eventLike.map((event) => ({ ...event, event_id: event.event_id ?? 'e-1' })),
);

function expectWellFormed(result: IntakeResult, records: EventRecord[]): void {
  const ctx = testContext();
  expect([false, true]).toContain(result.partial);
  for (const record of records) {
    const row = recordTenant(record);
    expect({ org_id: row.org_id, workspace_id: row.workspace_id, project_id: row.project_id }).toEqual(
      ctx.tenant,
    );
    expect(record.kind).not.toBe('tombstone');
    if (record.kind === 'event' || record.kind === 'update') {
      expect(record.kind === 'event' ? record.event.version : record.update.version).toBe(ctx.version);
    }
    if (record.kind === 'event') {
      expect(record.event.end_time).toBeGreaterThanOrEqual(record.event.start_time);
      expect(record.event.duration).toBeGreaterThanOrEqual(0);
      expect(record.event.event_id.length).toBeLessThanOrEqual(128);
    }
  }
}

describe('every intake operation, on arbitrary JSON', () => {
  for (const [name, operation] of Object.entries(OPERATIONS)) {
    it(`${name} returns records of the key's tenant or throws a ValidationError`, () => {
      fc.assert(
        fc.property(bodyLike, (body) => {
          let result: IntakeResult;
          try {
            result = operation(body, testContext());
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect((error as ValidationError).message.length).toBeGreaterThan(0);
            return;
          }
          expectWellFormed(result, result.records);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('does not change the body it was given', () => {
    fc.assert(
      fc.property(bodyLike, (body) => {
        const before = JSON.stringify(body);
        for (const operation of Object.values(OPERATIONS)) {
          try {
            operation(body, testContext());
          } catch {
            // Rejections are covered above; here only the body's integrity matters.
          }
        }
        expect(JSON.stringify(body)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
