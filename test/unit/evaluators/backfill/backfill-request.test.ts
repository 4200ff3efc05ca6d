/**
 * A backfill request read and estimated: every field checked with a clear error, the run's filters
 * built from the evaluator's selectors, its filters and the request's, and the estimate's count,
 * judge price and caps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../lambdas/domain/errors';
import { estimateBackfill } from '../../../../lambdas/domain/evaluators/backfill/estimate';
import {
  backfillRun,
  DEFAULT_BACKFILL_MAX_EVENTS,
  MAX_BACKFILL_EVENTS,
  parseBackfillRequest,
} from '../../../../lambdas/domain/evaluators/backfill/request';
import { EVALUATOR_TENANT, evaluatorDefinition } from '../../../support/evaluator-definition';

const day = 86_400_000;
const base = { metric_id: 'ev-1', start_time: '2026-11-01T00:00:00Z', end_time: '2026-11-02T00:00:00Z' };

describe('parseBackfillRequest', () => {
  it('reads ISO and epoch times, filters and caps, with defaults', () => {
    expect(parseBackfillRequest(base)).toEqual({
      metricId: 'ev-1',
      from: Date.parse(base.start_time),
      to: Date.parse(base.end_time),
      filters: [],
      samplingPercentage: undefined,
      maxEvents: DEFAULT_BACKFILL_MAX_EVENTS,
      maxCostUsd: undefined,
    });
    const request = parseBackfillRequest({
      metric_id: 'ev-1',
      start_time: 0,
      end_time: day,
      filters: [{ field: 'metadata.env', operator: 'is', value: 'prod', type: 'string' }],
      sampling_percentage: 10,
      max_events: 500,
      max_cost_usd: 2.5,
    });
    expect(request).toMatchObject({ samplingPercentage: 10, maxEvents: 500, maxCostUsd: 2.5 });
    expect(request.filters).toEqual([
      { field: 'metadata.env', operator: 'is', value: 'prod', type: 'string' },
    ]);
  });

  it.each([
    [{ ...base, metric_id: '' }, /metric_id is required/],
    [{ ...base, metric_id: 'x'.repeat(257) }, /metric_id is required/],
    [{ ...base, start_time: 'yesterday' }, /start_time and end_time are required/],
    [{ ...base, end_time: base.start_time }, /end_time must be after/],
    [{ ...base, start_time: 0, end_time: 367 * day }, /at most 366 days/],
    [{ ...base, max_events: MAX_BACKFILL_EVENTS + 1 }, /max_events must be a number from 1 to 50000/],
    [{ ...base, max_events: 2.5 }, /whole number/],
    [{ ...base, max_events: '10' }, /max_events/],
    [{ ...base, sampling_percentage: 101 }, /sampling_percentage/],
    [{ ...base, max_cost_usd: Number.NaN }, /max_cost_usd/],
    [{ ...base, filters: 'not json' }, /filters/],
    [{ ...base, __proto__x: 1 }, /unknown fields/],
    [null, /JSON object/],
  ])('refuses %j', (body, message) => {
    expect(() => parseBackfillRequest(body)).toThrow(ValidationError);
    expect(() => parseBackfillRequest(body)).toThrow(message);
  });

  it('never throws anything but a ValidationError, whatever the body', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        try {
          parseBackfillRequest(body);
        } catch (error) {
          expect(error).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });
});

describe('backfillRun', () => {
  it("pins the evaluator's version and puts its selectors and filters before the request's", () => {
    const evaluator = evaluatorDefinition({
      version: 4,
      eventType: 'model',
      eventName: 'chat',
      samplingPercentage: 25,
      filters: [{ field: 'metadata.env', operator: 'is', value: 'prod', type: 'string' }],
    });
    const request = parseBackfillRequest({
      ...base,
      filters: [{ field: 'model', operator: 'is', value: 'gpt-4o', type: 'string' }],
    });
    const run = backfillRun(EVALUATOR_TENANT, evaluator, request, {
      backfillId: 'bf_1_abcdef',
      now: 9,
    });
    expect(run).toMatchObject({ evaluator_version: 4, sampling_percentage: 25, requested_at: 9 });
    expect(run.filters.map((filter) => filter.field)).toEqual([
      'event_type',
      'event_name',
      'metadata.env',
      'model',
    ]);
  });
});

describe('estimateBackfill', () => {
  it('counts the sampled share and prices Python at the platform share only', () => {
    const python = evaluatorDefinition({ type: 'custom', samplingPercentage: 50 });
    const estimate = estimateBackfill(python, parseBackfillRequest(base), 1_000);
    expect(estimate).toMatchObject({ matching_events: 1_000, events: 500, judge_usd: 0, within_caps: true });
    expect(estimate.platform_usd).toBeGreaterThan(0);
    expect(estimate.platform_usd).toBeLessThan(0.05);
  });

  it("prices a judge's calls at its model's list price, erring high", () => {
    const judge = evaluatorDefinition({
      type: 'model',
      modelProvider: 'openai',
      modelName: 'gpt-4o-mini',
      prompt: 'Rate {{outputs}}',
    });
    const estimate = estimateBackfill(judge, parseBackfillRequest(base), 1_000);
    // gpt-4o-mini: $0.15 in, $0.60 out per million: ~1,004 prompt tokens + 1,024 completion a call.
    expect(estimate.judge_usd).toBeGreaterThan(0.7);
    expect(estimate.judge_usd).toBeLessThan(0.9);
    const unpriced = estimateBackfill(
      { ...judge, modelName: 'my-finetune' },
      parseBackfillRequest(base),
      1_000,
    );
    expect(unpriced.judge_usd).toBe(0);
  });

  it('refuses over max_events or max_cost_usd, saying which', () => {
    const python = evaluatorDefinition({ type: 'custom' });
    const overCount = estimateBackfill(python, parseBackfillRequest({ ...base, max_events: 10 }), 11);
    expect(overCount).toMatchObject({ within_caps: false });
    expect(overCount.refusal).toMatch(/about 11 events, above max_events 10/);
    const overCost = estimateBackfill(python, parseBackfillRequest({ ...base, max_cost_usd: 0.0001 }), 1_000);
    expect(overCost.refusal).toMatch(/above max_cost_usd 0.0001/);
  });
});
