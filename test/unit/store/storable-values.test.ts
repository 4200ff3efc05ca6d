/**
 * The store's value ranges, and the two ways ingest applies them: OTLP drops the value and warns,
 * the REST builder refuses the item. The edges are checked exactly: 2^53 - 1 fits, 2^53 does not.
 */
import { describe, expect, it } from 'vitest';
import { createEventBatch } from '../../../lambdas/domain/honeyhive';
import { otlpToRecords } from '../../../lambdas/domain/ingest/otlp-to-records';
import {
  dropUnstorableValues,
  isStorableCount,
  MAX_STORED_INTEGER,
  rowProblems,
  unstorableReason,
  unstorableValues,
} from '../../../lambdas/domain/store/storable-values';
import { makeContext, makeSpan } from '../events/span-fixtures';
import { rejectionOf, testContext } from '../honeyhive/context';
import { makeEvent } from './store-fixtures';

describe('what the columns can hold', () => {
  it('INT64 columns: whole numbers within +-(2^53 - 1) after rounding, or NULL', () => {
    expect(MAX_STORED_INTEGER).toBe(2 ** 53 - 1);
    for (const fits of [null, 0, -0, 1.4, MAX_STORED_INTEGER, -MAX_STORED_INTEGER, 1_763_000_000_000]) {
      expect(unstorableReason('bigint', fits)).toBeUndefined();
    }
    for (const beyond of [2 ** 53, 2 ** 63 - 1, 2 ** 64, 1e300, -1e19, Number.NaN, Infinity, '5', true]) {
      expect(unstorableReason('bigint', beyond)).toBeDefined();
    }
  });

  it('DOUBLE columns: finite numbers; text and booleans by type', () => {
    expect(unstorableReason('double', 1e300)).toBeUndefined();
    expect(unstorableReason('double', Number.NaN)).toBe('is not a finite number');
    expect(unstorableReason('double', -Infinity)).toBe('is not a finite number');
    expect(unstorableReason('string', 4)).toBe('is not a string');
    expect(unstorableReason('boolean', 'false')).toBe('is not a boolean');
  });

  it('a count is storable only from 0 to 2^53 - 1', () => {
    expect(isStorableCount(0)).toBe(true);
    expect(isStorableCount(MAX_STORED_INTEGER)).toBe(true);
    expect(isStorableCount(MAX_STORED_INTEGER + 2)).toBe(false);
    expect(isStorableCount(-1)).toBe(false);
    expect(isStorableCount(Number.NaN)).toBe(false);
  });

  it('names every number column of an event that does not fit, and drops only the nullable ones', () => {
    const event = makeEvent({ prompt_tokens: 2 ** 64, total_tokens: 1e300, end_time: 1e20 });
    expect(unstorableValues(event).map((problem) => problem.column)).toEqual([
      'end_time',
      'prompt_tokens',
      'total_tokens',
    ]);
    const { dropped, refused } = dropUnstorableValues(event);
    expect(dropped.map((problem) => problem.column)).toEqual(['prompt_tokens', 'total_tokens']);
    expect(refused.map((problem) => problem.column)).toEqual(['end_time']);
    expect(event.prompt_tokens).toBeNull();
    expect(event.total_tokens).toBeNull();
    expect(event.metadata.normalization_notes).toEqual([
      'prompt_tokens 18446744073709552000 is beyond the largest whole number the store keeps exactly (9007199254740991); left empty',
      'total_tokens 1e+300 is beyond the largest whole number the store keeps exactly (9007199254740991); left empty',
    ]);
  });

  it('rowProblems also names text, sections and event types the row cannot hold', () => {
    expect(rowProblems(makeEvent())).toEqual([]);
    const bad = makeEvent({ event_name: 7 as never, inputs: 'x' as never, children_ids: [1] as never });
    (bad as unknown as Record<string, unknown>).event_type = 'banana';
    expect(rowProblems(bad)).toEqual([
      'children_ids is not a list of ids',
      'event_name is not text',
      'inputs is not a JSON object',
      'event_type "banana" is not one of session, model, tool, chain',
    ]);
  });
});

describe('ingest applies the ranges before it acknowledges', () => {
  it('OTLP: keeps the span, drops the value, and says so as a warning', () => {
    const poisoned = makeSpan({
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': '9223372036854775807',
    });
    const fine = makeSpan({ 'gen_ai.usage.input_tokens': 12 }, { spanId: '00f067aa0ba902b8', name: 'fine' });
    const { tenant, ingestedAt, version, rawArchiveKey, projectName } = makeContext();
    const conversion = otlpToRecords(
      {
        resourceSpans: [
          {
            resourceAttributes: {},
            scopeSpans: [{ scopeName: 's', scopeVersion: '1', spans: [poisoned, fine] }],
          },
        ],
      },
      { tenant, ingestedAt, version, rawArchiveKey, projectName },
    );
    expect(conversion.records).toHaveLength(2);
    expect(conversion.rejectedSpans).toBe(0);
    expect(conversion.droppedValues).toBe(1);
    expect(conversion.rejectionMessage).toBe(
      '1 value(s) the store cannot keep were dropped from accepted spans: span "test span": prompt_tokens 9223372036854776000 is beyond the largest whole number the store keeps exactly (9007199254740991)',
    );
    const [first, second] = conversion.records.map((record) =>
      record.kind === 'event' ? record.event : undefined,
    );
    expect(first?.prompt_tokens).toBeNull();
    // A count beyond the range takes no part in a total or a price.
    expect(first?.total_tokens).toBeNull();
    expect(first?.cost).toBeNull();
    expect(second?.prompt_tokens).toBe(12);
  });

  it('REST: refuses the item naming the value; the batch keeps its other items', () => {
    const result = createEventBatch(
      {
        events: [
          { event_type: 'tool', inputs: {} },
          {
            event_type: 'model',
            inputs: {},
            config: { model: 'gpt-4o' },
            metadata: { prompt_tokens: 5e15, completion_tokens: 5e15 },
          },
        ],
      },
      testContext(),
    );
    expect(result.records).toHaveLength(1);
    expect((result.response as { errors: string[] }).errors).toEqual([
      'events[1] cannot be stored: total_tokens 10000000000000000 is beyond the largest whole number the store keeps exactly (9007199254740991)',
    ]);
    const refused = rejectionOf(() =>
      createEventBatch(
        { events: [{ event_type: 'tool', inputs: {}, metadata: { total_tokens: 1e300 } }] },
        testContext(),
      ),
    );
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/total_tokens 1e\+300 is beyond/);
  });
});
