/**
 * One evaluation to its stored score: Python metrics in the real local sandbox, judges through the
 * JudgeRunner port, composites from their children, passed from the threshold, the evaluator's own
 * failures as error scores and the platform's as a retryable error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PythonSandbox } from '../../../../lambdas/adapters/local/python-sandbox';
import type {
  CodeMetricRunner,
  EvaluatorDefinition,
  JudgeRunner,
} from '../../../../lambdas/domain/evaluators/evaluator';
import {
  evaluateEvent,
  RetryableEvaluationError,
} from '../../../../lambdas/domain/evaluators/online/evaluate-event';
import type { WaggleEvent } from '../../../../lambdas/domain/events/event';
import { evaluationInput } from '../../../support/evaluation-input';
import { evaluatorDefinition } from '../../../support/evaluator-definition';

const sandbox = new PythonSandbox({ prewarm: false });
afterAll(() => sandbox.close());

const event = {
  ...evaluationInput({ event_id: 'e-1', session_id: 's-1' }),
  org_id: 'o',
  workspace_id: 'w',
  project_id: 'p1',
} as unknown as WaggleEvent;

function definition(overrides: Partial<EvaluatorDefinition>): EvaluatorDefinition {
  return evaluatorDefinition({ id: 'ev', version: 3, ...overrides });
}

const length = definition({
  id: 'len',
  name: 'answer length',
  codeSnippet:
    'def m(event):\n    print("counted characters")\n    return len(event["outputs"]["content"])\n',
  threshold: { max: 5 },
});
const judge: JudgeRunner = {
  run: async ({ input }) => ({
    status: 'ok',
    value: String(input.outputs.content).includes('4'),
    explanation: 'names 4',
    durationMs: 1,
    costUsd: 0.002,
    judgeEventId: 'judge-event-1',
  }),
};
const correct = definition({
  id: 'judge',
  name: 'correct',
  type: 'model',
  returnType: 'boolean',
  passWhen: true,
});
const options = { source: 'online', requestId: 'r-1' };
let ids = 0;
const deps = {
  code: sandbox as CodeMetricRunner,
  judge,
  child: async (_parent: EvaluatorDefinition, reference: { name: string }) =>
    [length, correct].find((candidate) => candidate.name === reference.name),
  clock: () => 1_800_000_000_000,
  newId: () => `score-${++ids}`,
};

describe('evaluateEvent', () => {
  it('scores a Python metric with its version, explanation and threshold', async () => {
    const score = await evaluateEvent(length, event, deps, options);
    expect(score).toMatchObject({
      event_id: 'e-1',
      session_id: 's-1',
      project_id: 'p1',
      evaluator_id: 'len',
      evaluator_name: 'answer length',
      evaluator_version: 3,
      value: 8,
      passed: false,
      explanation: expect.stringContaining('counted characters'),
      status: 'ok',
      error: null,
      source: 'online',
      scored_at: 1_800_000_000_000,
    });
  });

  it('scores a judge with its explanation, cost and its own traced call', async () => {
    expect(await evaluateEvent(correct, event, deps, options)).toMatchObject({
      value: true,
      passed: true,
      explanation: 'names 4',
      cost: 0.002,
      judge_event_id: 'judge-event-1',
    });
  });

  it('weighs a composite’s children on the same event', async () => {
    const overall = definition({
      id: 'overall',
      type: 'composite',
      childMetrics: [
        { name: 'answer length', weight: 1 },
        { name: 'correct', weight: 3 },
      ],
    });
    // (8 * 1 + 1 * 3) / 4
    expect(await evaluateEvent(overall, event, deps, options)).toMatchObject({ value: 2.75, cost: 0.002 });
    const missing = definition({ type: 'composite', childMetrics: [{ name: 'gone', weight: 1 }] });
    expect(await evaluateEvent(missing, event, deps, options)).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/"gone" does not exist/),
    });
  });

  it('stores the evaluator’s own failures as error scores', async () => {
    const raising = definition({ codeSnippet: 'def m(e):\n    raise ValueError("boom")\n' });
    expect(await evaluateEvent(raising, event, deps, options)).toMatchObject({
      status: 'error',
      value: null,
      passed: null,
      error: expect.stringMatching(/^code-error: .*boom/s),
    });
    const truth = definition({ codeSnippet: 'def m(e):\n    return 1\n', needsGroundTruth: true });
    expect(await evaluateEvent(truth, event, deps, options)).toMatchObject({
      error: expect.stringMatching(/^missing-ground-truth/),
    });
    expect(await evaluateEvent(truth, event, deps, { ...options, groundTruth: '4' })).toMatchObject({
      value: 1,
    });
    expect(await evaluateEvent(correct, event, { ...deps, judge: undefined }, options)).toMatchObject({
      error: expect.stringMatching(/^judge-error/),
    });
  });

  it('throws a platform failure back for the queue to retry', async () => {
    const broken: CodeMetricRunner = {
      run: async () => ({
        status: 'error',
        error: { kind: 'sandbox-error', message: 'throttled' },
        durationMs: 0,
      }),
    };
    await expect(evaluateEvent(length, event, { ...deps, code: broken }, options)).rejects.toThrow(
      RetryableEvaluationError,
    );
  });
});
