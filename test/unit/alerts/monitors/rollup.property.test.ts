/**
 * Rollups against the raw events, as a property: for any events spread over minutes and
 * dimensions, rolling them up (in any split into batches, merged back in any order) and
 * aggregating the rollups gives the aggregates computed straight from the events: count, sum, min,
 * max and avg exactly (up to float addition order), percentiles within the sketch's documented
 * relative error of the exact nearest-rank percentile.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGGREGATIONS,
  type Aggregation,
  aggregate,
  type MonitorField,
  type RollupRow,
  rollupsOf,
  statsOf,
} from '../../../../lambdas/domain/alerts/monitors/rollup';
import { rollupFromResult, rollupParquetRow } from '../../../../lambdas/domain/alerts/monitors/rollup-table';
import { SKETCH_RELATIVE_ERROR } from '../../../../lambdas/domain/alerts/monitors/sketch';
import { plainEvent, type WaggleEvent } from '../../../../lambdas/domain/events/event';

const TENANT = { org_id: 'o', workspace_id: 'w', project_id: 'p' };
const T0 = Date.UTC(2026, 11, 4, 10);

const value = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 100_000 }),
  fc.constant(0),
);

const eventArb = fc.record({
  minute: fc.integer({ min: 0, max: 30 }),
  type: fc.constantFrom('model', 'tool'),
  name: fc.constantFrom('a', 'b', ''),
  error: fc.boolean(),
  duration: value,
  cost: fc.option(value, { nil: undefined }),
  tokens: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }),
  score: fc.option(fc.oneof(value, fc.boolean()), { nil: undefined }),
});

type EventSpec = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

function eventOf(spec: EventSpec, index: number): WaggleEvent {
  const start = T0 + spec.minute * 60_000 + (index % 60) * 1000;
  return plainEvent(TENANT, {
    event_id: `e${index}`,
    version: 1,
    session_id: 's',
    event_type: spec.type as WaggleEvent['event_type'],
    event_name: spec.name,
    source: 'test',
    start_time: start,
    end_time: start,
    duration: spec.duration,
    ingested_at: start,
    error: spec.error ? 'boom' : null,
    ...(spec.cost !== undefined && { cost: spec.cost }),
    ...(spec.tokens !== undefined && { total_tokens: spec.tokens }),
    metrics: spec.score === undefined ? {} : { score: spec.score },
  });
}

const FIELDS: MonitorField[] = [
  { kind: 'field', field: 'duration' },
  { kind: 'field', field: 'cost' },
  { kind: 'field', field: 'tokens' },
  { kind: 'errors' },
  { kind: 'metric', name: 'score' },
];

function rawValues(events: WaggleEvent[], field: MonitorField): number[] {
  return events.flatMap((event) => {
    if (field.kind === 'errors') return [event.error === null ? 0 : 1];
    if (field.kind === 'metric') {
      const found = event.metrics[field.name];
      if (typeof found === 'boolean') return [found ? 1 : 0];
      return typeof found === 'number' ? [found] : [];
    }
    const column = { duration: 'duration', cost: 'cost', tokens: 'total_tokens' }[field.field];
    const found = (event as unknown as Record<string, unknown>)[column];
    return typeof found === 'number' ? [found] : [];
  });
}

function exact(values: number[], aggregation: Aggregation, field: MonitorField): number | undefined {
  if (aggregation === 'count')
    return field.kind === 'errors' ? values.filter((v) => v === 1).length : values.length;
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const quantile = { median: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 } as Record<string, number>;
  switch (aggregation) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return sorted[0];
    case 'max':
      return sorted[sorted.length - 1];
    default:
      return sorted[Math.max(1, Math.ceil((quantile[aggregation] ?? 0.5) * sorted.length)) - 1];
  }
}

/** Through the Parquet row shape and back, as the statement returns it. */
function roundTrip(rows: RollupRow[]): RollupRow[] {
  return rows.map((row) => {
    const stored = rollupParquetRow(row);
    return rollupFromResult(JSON.parse(JSON.stringify(stored)) as Record<string, unknown>, row.project_id);
  });
}

describe('rollups', () => {
  it('merge to the aggregates of the raw events, whatever the batches', () => {
    fc.assert(
      fc.property(
        fc.array(eventArb, { minLength: 0, maxLength: 120 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(...FIELDS),
        fc.constantFrom(...AGGREGATIONS),
        (specs, batches, field, aggregation) => {
          if (field.kind === 'errors' && !['count', 'sum', 'avg'].includes(aggregation)) return;
          const events = specs.map(eventOf).filter((event) => event.event_type === 'model');
          const all = specs.map(eventOf);
          // Split into batches, rolled up apart (as the writer does), stored and read back.
          const rows = Array.from({ length: batches }, (_, batch) =>
            roundTrip(rollupsOf(all.filter((_, index) => index % batches === batch))),
          )
            .flat()
            .reverse()
            .filter((row) => row.event_type === 'model');
          const got = aggregate(statsOf(rows, field), aggregation, field);
          const want = exact(rawValues(events, field), aggregation, field);
          if (want === undefined) {
            expect(got).toBeUndefined();
            return;
          }
          expect(got).toBeDefined();
          if (['median', 'p90', 'p95', 'p99'].includes(aggregation)) {
            expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(
              SKETCH_RELATIVE_ERROR * Math.abs(want) + 1e-9,
            );
          } else {
            expect(got as number).toBeCloseTo(want, 3);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps one row per minute and dimensions, errors apart', () => {
    const events = [0, 1, 2].map((index) =>
      eventOf(
        {
          minute: 0,
          type: 'model',
          name: 'a',
          error: index === 2,
          duration: 5,
          cost: 1,
          tokens: 3,
          score: 1,
        },
        index,
      ),
    );
    const rows = rollupsOf(events);
    expect(rows.map((row) => [row.has_error, row.count, row.errors])).toEqual([
      [false, 2, 0],
      [true, 1, 1],
    ]);
  });

  it('does not let metric names reach the prototype', () => {
    const event = eventOf(
      {
        minute: 0,
        type: 'model',
        name: 'a',
        error: false,
        duration: 1,
        cost: undefined,
        tokens: undefined,
        score: undefined,
      },
      0,
    );
    event.metrics = JSON.parse('{"__proto__": 3, "constructor": 4}') as Record<string, unknown>;
    const [row] = rollupsOf([event]);
    expect(Object.keys(row?.metrics ?? {}).sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
    expect(
      aggregate(statsOf([row as RollupRow], { kind: 'metric', name: '__proto__' }), 'sum', {
        kind: 'metric',
        name: '__proto__',
      }),
    ).toBe(3);
  });
});
