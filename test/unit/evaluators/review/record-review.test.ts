/**
 * A reviewer's score (domain/evaluators/review/record-review.ts): written as a metrics update with
 * who reviewed under feedback (the queue marker kept) and a score record of the metric's version,
 * the comment as its explanation; refused, with nothing published, for a metric that is not human,
 * a value not of its return type, an unknown event or metric, and a malformed body.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../../lambdas/domain/errors';
import type { EvaluatorDefinition } from '../../../../lambdas/domain/evaluators/evaluator';
import { recordReview } from '../../../../lambdas/domain/evaluators/review/record-review';
import type { EventRecord } from '../../../../lambdas/domain/events/event';
import { evaluatorDefinition, EVALUATOR_TENANT as tenant } from '../../../support/evaluator-definition';
import { storedEventFixture } from '../../../support/stored-event';

const human = evaluatorDefinition({
  id: 'tone',
  name: 'tone ok',
  type: 'human',
  returnType: 'boolean',
  passWhen: true,
  version: 4,
});
const event = storedEventFixture(tenant, {
  event_id: 'e-1',
  start_time: 7_000,
  feedback: { 'tone ok': { queued_by: 'lead@acme', queued_at: '2026-12-01T00:00:00.000Z' }, other: 1 },
});

function deps(metrics: EvaluatorDefinition[] = [human]) {
  const published: EventRecord[][] = [];
  return {
    published,
    deps: {
      catalog: { get: async (_tenant: unknown, id: string) => metrics.find((metric) => metric.id === id) },
      readEvent: async (_tenant: unknown, id: string) => (id === 'e-1' ? event : undefined),
      publish: async (records: EventRecord[]) => {
        published.push(records);
      },
      clock: () => 9_000,
      newId: () => 'sc-1',
    },
  };
}

describe('recordReview', () => {
  it('publishes the metric value with the reviewer under feedback, and a score of the metric version', async () => {
    const { deps: d, published } = deps();
    const score = await recordReview(
      tenant,
      'tone',
      { event_id: 'e-1', value: 'true', comment: ' Polite and clear ', reviewer_label: 'rev@acme' },
      { id: 'user:u-7' },
      d,
    );
    expect(score).toMatchObject({
      score_id: 'sc-1',
      event_id: 'e-1',
      event_start_time: 7_000,
      evaluator_id: 'tone',
      evaluator_version: 4,
      value: true,
      passed: true,
      explanation: 'Polite and clear',
      source: 'review:user:u-7',
      status: 'ok',
    });
    expect(published).toHaveLength(1);
    const [update, scoreRecord] = published[0] as [EventRecord, EventRecord];
    expect(update).toEqual({
      kind: 'update',
      update: {
        ...tenant,
        event_id: 'e-1',
        version: 9_000_000,
        ingested_at: 9_000,
        patch: {
          metrics: { 'tone ok': true },
          feedback: {
            'tone ok': {
              queued_by: 'lead@acme',
              queued_at: '2026-12-01T00:00:00.000Z',
              reviewed_by: 'rev@acme',
              reviewer_id: 'user:u-7',
              reviewed_at: new Date(9_000).toISOString(),
              comment: 'Polite and clear',
            },
          },
        },
      },
    });
    expect(scoreRecord).toEqual({ kind: 'score', score });
  });

  it.each([
    [
      'a metric that is not human',
      'judge',
      { event_id: 'e-1', value: true },
      ValidationError,
      /only human metrics/,
    ],
    [
      'a value not of the return type',
      'tone',
      { event_id: 'e-1', value: 'maybe' },
      ValidationError,
      /value: expected a boolean/,
    ],
    ['an unknown metric', 'nope', { event_id: 'e-1', value: true }, NotFoundError, /no metric nope/],
    ['an unknown event', 'tone', { event_id: 'e-9', value: true }, NotFoundError, /no event e-9/],
    ['no event id', 'tone', { value: true }, ValidationError, /event_id is required/],
    [
      'an unknown field',
      'tone',
      { event_id: 'e-1', value: true, score: 1 },
      ValidationError,
      /unknown fields: score/,
    ],
    [
      'a huge comment',
      'tone',
      { event_id: 'e-1', value: true, comment: 'x'.repeat(4_001) },
      ValidationError,
      /comment is longer/,
    ],
    ['not an object', 'tone', ['e-1'], ValidationError, /JSON object/],
  ])('refuses %s and publishes nothing', async (_name, metricId, body, kind, message) => {
    const { deps: d, published } = deps([human, evaluatorDefinition({ id: 'judge', type: 'model' })]);
    const attempt = recordReview(tenant, metricId, body, { id: 'user:u-7' }, d);
    await expect(attempt).rejects.toBeInstanceOf(kind);
    await expect(recordReview(tenant, metricId, body, { id: 'user:u-7' }, d)).rejects.toThrow(message);
    expect(published).toEqual([]);
  });
});
