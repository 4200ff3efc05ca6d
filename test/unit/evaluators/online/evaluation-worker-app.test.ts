/**
 * The evaluation worker function's app (lambdas/evaluation-worker/app.ts) as the SQS event source
 * calls it: tasks in, scores saved, and partial batch failures naming exactly the tasks to bring
 * back; a composite's children found in its project by id or by name. Stand-in runners, no AWS.
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type {
  CodeMetricRunner,
  EvaluatorCatalog,
  EvaluatorDefinition,
  ScoreRecord,
} from '../../../../lambdas/domain/evaluators/evaluator';
import { type EvaluationTask, taskMessage } from '../../../../lambdas/domain/evaluators/online/tasks';
import type { StoredEvent } from '../../../../lambdas/domain/query/types';
import { createEvaluationWorkerHandler } from '../../../../lambdas/evaluation-worker/app';
import { evaluatorDefinition, EVALUATOR_TENANT as tenant } from '../../../support/evaluator-definition';
import { sqsEvent } from '../../../support/sqs-event';
import { storedEventFixture } from '../../../support/stored-event';

function metric(overrides: Partial<EvaluatorDefinition> & { id: string; name: string }): EvaluatorDefinition {
  return evaluatorDefinition({ codeSnippet: 'def m(e):\n    return 1\n', ...overrides });
}

const length = metric({
  id: 'len',
  name: 'length',
  codeSnippet: 'def m(e):\n    return len(e["outputs"]["content"])\n',
});
const polite = metric({ id: 'polite', name: 'polite', returnType: 'boolean' });
const overall = metric({
  id: 'overall',
  name: 'overall',
  type: 'composite',
  codeSnippet: undefined,
  // One child by id, one by name (as HoneyHive's composites may reference them).
  childMetrics: [
    { id: 'len', name: 'length', weight: 1 },
    { name: 'polite', weight: 2 },
  ],
});
const otherProject = metric({ id: 'elsewhere', name: 'polite', projectId: 'p2', returnType: 'boolean' });

const catalog: EvaluatorCatalog = {
  async enabledInProd(of) {
    return [length, polite, overall, otherProject].filter((each) => each.projectId === of.project_id);
  },
  async get(of, id, version) {
    const found = [length, polite, overall, otherProject].find(
      (each) => each.id === id && each.projectId === of.project_id,
    );
    return version === undefined || found?.version === version ? found : undefined;
  },
};

/** Scores what the stand-in sandbox is told: the length of the output, or true for the boolean metric. */
const code: CodeMetricRunner = {
  async run({ returnType, input }) {
    if (String(input.outputs.content).includes('crash')) throw new Error('sandbox unavailable');
    return returnType === 'boolean'
      ? { status: 'ok', value: true, durationMs: 1 }
      : { status: 'ok', value: String(input.outputs.content).length, durationMs: 1 };
  },
};

const events = new Map<string, StoredEvent>(
  [
    ['e-1', 'four'],
    ['e-2', 'crash me'],
  ].map(([id, content]) => [
    id as string,
    storedEventFixture(tenant, { event_id: id as string, event_type: 'model', outputs: { content } }),
  ]),
);

function task(eventId: string, evaluatorId: string, overrides: Partial<EvaluationTask> = {}): EvaluationTask {
  return {
    v: 1,
    ...tenant,
    event_id: eventId,
    session_id: 's-1',
    start_time: 1_000,
    evaluator_id: evaluatorId,
    evaluator_version: 1,
    source: 'online',
    ...overrides,
  };
}

function batch(...entries: [string, string | EvaluationTask][]): SQSEvent {
  return sqsEvent(
    entries.map(([id, body]) => ({ id, body: typeof body === 'string' ? body : taskMessage(body).body })),
  );
}

function app(saveScores: (scores: ScoreRecord[]) => Promise<void>, scored: ScoreRecord[][] = []) {
  return createEvaluationWorkerHandler({
    catalog,
    queries: {
      getEvent: async (of, eventId) => (of.project_id === 'p1' ? events.get(eventId) : undefined),
      getSession: async () => undefined,
    },
    code,
    saveScores,
    onScored: (scores) => scored.push(scores),
  });
}

describe('the evaluation worker app', () => {
  it('saves the scores of a batch and fails only the tasks that must come back', async () => {
    const saved: ScoreRecord[] = [];
    const scored: ScoreRecord[][] = [];
    const response = await app(async (scores) => {
      saved.push(...scores);
    }, scored)(
      batch(
        ['m-len', task('e-1', 'len')],
        ['m-composite', task('e-1', 'overall')],
        ['m-malformed', '{"v":1,"event_id":"e-1"}'],
        ['m-unreadable', task('e-missing', 'len')],
        ['m-sandbox-down', task('e-2', 'len')],
        ['m-gone', task('e-1', 'len', { evaluator_version: 7 })],
      ),
    );
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([
      'm-malformed',
      'm-sandbox-down',
      'm-unreadable',
    ]);
    const byEvaluator = new Map(saved.map((score) => [score.evaluator_id, score]));
    expect(byEvaluator.get('len')).toMatchObject({
      event_id: 'e-1',
      value: 4,
      status: 'ok',
      evaluator_version: 1,
    });
    // The composite: (4 * 1 + 1 * 2) / 3 with both children found in the project.
    expect(byEvaluator.get('overall')).toMatchObject({ event_id: 'e-1', status: 'ok', value: 2 });
    // A task whose evaluator version is gone is done without a score.
    expect(saved).toHaveLength(2);
    expect(scored).toEqual([saved]);
  });

  it('fails every scored task when the scores cannot be saved, so none is lost', async () => {
    const response = await app(async () => {
      throw new Error('events queue unavailable');
    })(batch(['a', task('e-1', 'len')], ['b', task('e-1', 'overall')]));
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['a', 'b']);
  });

  it('never reads another project through a task', async () => {
    const saved: ScoreRecord[] = [];
    const response = await app(async (scores) => {
      saved.push(...scores);
    })(batch(['x', task('e-1', 'elsewhere', { project_id: 'p2' })]));
    // The evaluator is p2's, the event is not readable in p2: the task comes back, nothing is scored.
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'x' }]);
    expect(saved).toEqual([]);
  });
});
