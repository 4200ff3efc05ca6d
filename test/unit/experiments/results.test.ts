/**
 * Experiment results and comparisons from a run's events (domain/experiments): aggregate functions,
 * pass/fail from server-side verdicts and booleans, datapoint keys, deltas over common datapoints,
 * and the response budget.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TooLargeError, ValidationError } from '../../../lambdas/domain/errors';
import {
  AGGREGATE_FUNCTIONS,
  aggregate,
  parseAggregateFunction,
} from '../../../lambdas/domain/experiments/aggregate';
import { compareRuns } from '../../../lambdas/domain/experiments/compare';
import { experimentResult } from '../../../lambdas/domain/experiments/results';
import { runObject, withinResponseBudget } from '../../../lambdas/domain/experiments/run-results';
import type { RunEventRow, RunEvents } from '../../../lambdas/domain/query/run-events';

function row(fields: Partial<RunEventRow> & Pick<RunEventRow, 'event_id' | 'session_id'>): RunEventRow {
  return {
    event_type: 'session',
    event_name: 'eval',
    datapoint_id: null,
    metrics: {},
    error: null,
    inputs: {},
    outputs: {},
    start_time: 0,
    ...fields,
  };
}

/** A session with its session event and one model event, each with metrics. */
function session(
  id: string,
  datapoint: string | null,
  sessionMetrics: Record<string, unknown>,
  modelMetrics: Record<string, unknown>,
  error: string | null = null,
): RunEventRow[] {
  return [
    row({ event_id: id, session_id: id, datapoint_id: datapoint, metrics: sessionMetrics, error }),
    row({
      event_id: `${id}-m`,
      session_id: id,
      datapoint_id: datapoint,
      event_type: 'model',
      event_name: 'generate',
      metrics: modelMetrics,
    }),
  ];
}

const events = (rows: RunEventRow[], verdicts: RunEvents['verdicts'] = []): RunEvents => ({
  rows,
  verdicts,
  truncated: false,
});

describe('aggregate functions', () => {
  it('computes each function, booleans as 1 and 0', () => {
    const values = [1, 2, 3, 4, true];
    expect(aggregate(values, 'average')).toBe(11 / 5);
    expect(aggregate(values, 'sum')).toBe(11);
    expect(aggregate(values, 'min')).toBe(1);
    expect(aggregate(values, 'max')).toBe(4);
    expect(aggregate(values, 'count')).toBe(5);
    expect(aggregate([1, 2, 3, 4], 'median')).toBe(2.5);
    expect(aggregate([0, 10], 'p90')).toBe(9);
    expect(aggregate([], 'average')).toBeUndefined();
    expect(aggregate([], 'count')).toBe(0);
  });

  it('percentiles lie between min and max and grow with the fraction', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (values) => {
          const [min, median, p90, p99, max] = (['min', 'median', 'p90', 'p99', 'max'] as const).map(
            (fn) => aggregate(values, fn) as number,
          );
          expect(min).toBeLessThanOrEqual(median as number);
          expect(median).toBeLessThanOrEqual((p90 as number) + 1e-6);
          expect(p90).toBeLessThanOrEqual((p99 as number) + 1e-6);
          expect(p99).toBeLessThanOrEqual((max as number) + 1e-6);
        },
      ),
    );
  });

  it('parses the function, average by default, refusing others', () => {
    expect(parseAggregateFunction(undefined)).toBe('average');
    for (const fn of AGGREGATE_FUNCTIONS) expect(parseAggregateFunction(fn)).toBe(fn);
    expect(() => parseAggregateFunction('mode')).toThrow(ValidationError);
    expect(() => parseAggregateFunction('AVERAGE')).toThrow(ValidationError);
  });
});

describe('experiment results', () => {
  it('takes a server-side verdict over the value, a boolean as its own verdict, and a number without one as neither', () => {
    const result = experimentResult(
      { status: 'completed' },
      events(
        [
          ...session('s1', 'd1', { exact: true }, { relevance: 0.2 }),
          ...session('s2', 'd2', { exact: true }, { relevance: 0.9 }),
          ...session('s3', 'd3', { exact: 'yes' }, { relevance: 0.9 }),
        ],
        [{ event_id: 's1-m', metric_name: 'relevance', passed: false }],
      ),
      'average',
    );
    expect(result.passed).toEqual(['d2', 'd3']);
    expect(result.failed).toEqual(['d1']);
    const d3 = result.datapoints.find((datapoint) => datapoint.datapoint_id === 'd3');
    // A string metric is not aggregated (HoneyHive's values are numbers and booleans).
    expect(d3?.metrics.map((metric) => metric.name)).toEqual(['relevance']);
    expect(d3?.metrics[0]).not.toHaveProperty('passed');
    const relevance = result.metrics.details.find((detail) => detail.metric_name === 'relevance');
    expect(relevance).toMatchObject({
      metric_type: 'numeric',
      event_type: 'model',
      datapoints: { passed: [], failed: ['d1'] },
    });
    expect(relevance?.aggregate).toBeCloseTo(2 / 3, 10);
    expect(result.event_details).toEqual([
      { event_name: 'eval', event_type: 'session' },
      { event_name: 'generate', event_type: 'model' },
    ]);
  });

  it('fails a datapoint whose session has an error, keys a session without a datapoint by its id, and skips children without their session', () => {
    const result = experimentResult(
      { status: 'pending' },
      events([
        ...session('s1', 'd1', {}, {}, 'boom'),
        ...session('s2', null, { exact: true }, {}),
        row({ event_id: 'orphan', session_id: 's9', event_type: 'model', metrics: { relevance: 1 } }),
      ]),
      'count',
    );
    expect(result.failed).toEqual(['d1']);
    expect(result.passed).toEqual(['s2']);
    expect(result.datapoints).toHaveLength(2);
    expect(result.metrics.details).toEqual([
      expect.objectContaining({ metric_name: 'exact', metric_type: 'boolean', aggregate: 1 }),
    ]);
  });
});

describe('run comparisons', () => {
  const old = experimentResult(
    { status: 'completed' },
    events([
      ...session('o1', 'd1', { exact: false }, { relevance: 0.5 }),
      ...session('o2', 'd2', { exact: true }, { relevance: 0.9 }),
      ...session('o3', 'd3', { exact: true }, { relevance: 0.4 }),
    ]),
    'average',
  );
  const fresh = experimentResult(
    { status: 'completed' },
    events([
      ...session('n1', 'd1', { exact: true }, { relevance: 0.8 }),
      ...session('n2', 'd2', { exact: true }, { relevance: 0.3 }),
      ...session('n4', 'd4', { exact: true, brevity: 3 }, { relevance: 1 }),
    ]),
    'average',
  );

  it('counts improved, degraded and same over the common datapoints only', () => {
    const comparison = compareRuns(fresh, old);
    expect(comparison.commonDatapoints).toEqual(['d1', 'd2']);
    const relevance = comparison.metrics.find((metric) => metric.metric_name === 'relevance');
    expect(relevance).toMatchObject({
      found_count: 2,
      improved: ['d1'],
      degraded: ['d2'],
      same: [],
      improved_count: 1,
    });
    expect(relevance?.old_aggregate).toBeCloseTo(0.6, 10);
    expect(relevance?.new_aggregate).toBeCloseTo(0.7, 10);
    expect(relevance?.difference).toBeCloseTo(0.1, 10);
    expect(relevance?.percentage_change).toBeCloseTo(100 / 6, 6);
    expect(comparison.metrics.find((metric) => metric.metric_name === 'exact')).toMatchObject({
      improved: ['d1'],
      same: ['d2'],
    });
    // A metric only the new run has: its aggregate, no old one, nothing found in common.
    const brevity = comparison.metrics.find((metric) => metric.metric_name === 'brevity');
    expect(brevity).toMatchObject({ new_aggregate: 3, found_count: 0, old_values: [] });
    expect(brevity).not.toHaveProperty('old_aggregate');
    expect(brevity).not.toHaveProperty('difference');
  });

  it('is antisymmetric: swapping the runs swaps improved and degraded', () => {
    const forward = compareRuns(fresh, old);
    const backward = compareRuns(old, fresh);
    for (const metric of forward.metrics) {
      const other = backward.metrics.find((candidate) => candidate.metric_name === metric.metric_name);
      expect(other?.improved).toEqual(metric.degraded);
      expect(other?.degraded).toEqual(metric.improved);
      expect(other?.same).toEqual(metric.same);
    }
    expect(backward.event_details).toEqual(forward.event_details);
  });
});

describe('the response budget', () => {
  const big = (bytes: number) => ({
    datapoints: [{ inputs: { text: 'x'.repeat(bytes) }, outputs: { text: 'y' } }],
  });

  it('keeps a result that fits whole', () => {
    expect(withinResponseBudget(big(100))).toMatchObject({
      payloads_omitted: false,
      datapoints: [{ inputs: { text: 'x'.repeat(100) } }],
    });
  });

  it('drops inputs and outputs before going over Lambda 6 MB response, and refuses what still does not fit', () => {
    expect(withinResponseBudget(big(6_000_000))).toMatchObject({
      payloads_omitted: true,
      datapoints: [{ inputs: {}, outputs: {} }],
    });
    const huge = { datapoints: [{ inputs: {}, outputs: {} }], metrics: 'z'.repeat(6_000_000) };
    expect(() => withinResponseBudget(huge)).toThrow(TooLargeError);
  });
});

describe('the run object', () => {
  const run = {
    run_id: 'r1',
    project_id: 'p1',
    name: 'baseline',
    event_ids: ['s1'],
    dataset_id: null,
    datapoint_ids: ['d1'],
    configuration: {},
    metadata: {},
    status: 'completed' as const,
    created_at: 0,
    updated_at: 1_000,
  };

  it('leaves out a missing dataset (the client wants a string) and shows the dataset version a run used', () => {
    expect(runObject(run, 'default')).not.toHaveProperty('dataset_id');
    expect(runObject(run, 'default')).not.toHaveProperty('dataset_version');
    expect(runObject({ ...run, dataset_id: 'a'.repeat(24), dataset_version: 3 }, 'default')).toMatchObject({
      id: 'r1',
      run_id: 'r1',
      project: 'default',
      dataset_id: 'a'.repeat(24),
      dataset_version: 3,
      created_at: '1970-01-01T00:00:00.000Z',
      updated_at: '1970-01-01T00:00:01.000Z',
    });
  });
});

describe('session metrics across runs', () => {
  it('compare across runs of different names: a session event is named after its run', () => {
    const named = (name: string, exact: boolean) =>
      experimentResult(
        { status: 'completed' },
        events([
          row({
            event_id: `${name}-s`,
            session_id: `${name}-s`,
            event_name: name,
            datapoint_id: 'd1',
            metrics: { exact },
          }),
        ]),
        'average',
      );
    const comparison = compareRuns(named('candidate', true), named('baseline', false));
    expect(comparison.metrics).toEqual([
      expect.objectContaining({
        metric_name: 'exact',
        event_type: 'session',
        found_count: 1,
        improved: ['d1'],
        old_aggregate: 0,
        new_aggregate: 1,
      }),
    ]);
  });
});
