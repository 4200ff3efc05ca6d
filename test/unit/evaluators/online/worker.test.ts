/**
 * The evaluation worker on a batch: scores saved together, partial failures for exactly the tasks
 * that must come back, nothing dropped silently; and the task format's strictness and size.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PythonSandbox } from '../../../../lambdas/adapters/local/python-sandbox';
import type { EvaluatorDefinition, ScoreRecord } from '../../../../lambdas/domain/evaluators/evaluator';
import {
  type EvaluationTask,
  MalformedTaskError,
  parseTask,
  taskMessage,
} from '../../../../lambdas/domain/evaluators/online/tasks';
import { createEvaluationWorker } from '../../../../lambdas/domain/evaluators/online/worker';
import type { WaggleEvent } from '../../../../lambdas/domain/events/event';
import { SQS_MAX_MESSAGE_BYTES } from '../../../../lambdas/domain/queue-limits';
import { evaluatorDefinition, EVALUATOR_TENANT as tenant } from '../../../support/evaluator-definition';

const sandbox = new PythonSandbox({ prewarm: false });
afterAll(() => sandbox.close());

const metric = evaluatorDefinition({
  id: 'len',
  name: 'answer length',
  version: 2,
  codeSnippet: 'def m(e):\n    return len(e["outputs"]["content"])\n',
});
const events = new Map<string, WaggleEvent>(
  ['e-1', 'e-2'].map((id) => [
    id,
    {
      ...tenant,
      event_id: id,
      session_id: 's',
      event_type: 'model',
      event_name: 'chat',
      outputs: { content: id === 'e-1' ? 'four' : 'seven!' },
      inputs: {},
      metadata: {},
      config: {},
      feedback: {},
      metrics: {},
      user_properties: {},
    } as unknown as WaggleEvent,
  ]),
);

function task(eventId: string, overrides: Partial<EvaluationTask> = {}): EvaluationTask {
  return {
    v: 1,
    ...tenant,
    event_id: eventId,
    session_id: 's',
    start_time: 1_800_000_000_000,
    evaluator_id: 'len',
    evaluator_version: 2,
    source: 'online',
    ...overrides,
  };
}

function worker(saveScores: (scores: ScoreRecord[]) => Promise<void>) {
  return createEvaluationWorker({
    catalog: { get: async (_tenant, id, version) => (id === 'len' && version === 2 ? metric : undefined) },
    readEvent: async (_tenant, eventId) => {
      const event = events.get(eventId);
      return event && { event };
    },
    evaluate: { code: sandbox },
    saveScores,
  });
}

describe('evaluation worker', () => {
  it('scores each task, saves the batch together, and fails exactly the tasks that must come back', async () => {
    const saved: ScoreRecord[][] = [];
    const run = worker(async (scores) => {
      saved.push(scores);
    });
    const result = await run([
      { messageId: 'm1', body: taskMessage(task('e-1')).body },
      { messageId: 'm2', body: taskMessage(task('e-2')).body },
      { messageId: 'm3', body: taskMessage(task('e-missing')).body },
      { messageId: 'm4', body: '{"v":1,"event_id":"e-1"}' },
      { messageId: 'm5', body: taskMessage(task('e-1', { evaluator_id: 'deleted' })).body },
    ]);
    expect(result.failedMessageIds.sort()).toEqual(['m3', 'm4']);
    expect(saved).toHaveLength(1);
    expect(saved[0]?.map((score) => [score.event_id, score.value, score.evaluator_version]).sort()).toEqual([
      ['e-1', 4, 2],
      ['e-2', 6, 2],
    ]);
  });

  it('fails every scored task when the scores cannot be saved', async () => {
    const run = worker(async () => {
      throw new Error('store down');
    });
    const result = await run([
      { messageId: 'm1', body: taskMessage(task('e-1')).body },
      { messageId: 'm2', body: taskMessage(task('e-2')).body },
    ]);
    expect(result.failedMessageIds.sort()).toEqual(['m1', 'm2']);
    expect(result.scores).toEqual([]);
  });
});

describe('evaluation tasks', () => {
  it('round-trip, and stay tiny beside SQS’s 1 MiB message limit', () => {
    const message = taskMessage(task('e-1'));
    expect(parseTask(message.body)).toEqual(task('e-1'));
    expect(message.id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(Buffer.byteLength(message.body)).toBeLessThan(SQS_MAX_MESSAGE_BYTES / 1000);
  });

  it('refuse anything that is not exactly a task', () => {
    const body = (value: unknown) => JSON.stringify(value);
    for (const bad of [
      'not json',
      '[]',
      body({ ...task('e'), v: 2 }),
      body({ ...task('e'), event_id: '' }),
      body({ ...task('e'), event_id: 'x'.repeat(300) }),
      body({ ...task('e'), start_time: -1 }),
      body({ ...task('e'), evaluator_version: 1.5 }),
      body({ ...task('e'), extra: true }),
    ])
      expect(() => parseTask(bad), bad.slice(0, 60)).toThrow(MalformedTaskError);
  });
});

describe('session tasks', () => {
  const sessionMetric: EvaluatorDefinition = {
    ...metric,
    id: 'session-len',
    eventType: 'session',
    eventName: undefined,
  };
  const sessionEvent = {
    ...(events.get('e-1') as WaggleEvent),
    event_id: 's',
    event_type: 'session',
  } as WaggleEvent;
  const sessionTask = (queuedAt: number) =>
    task('s', { evaluator_id: 'session-len', session: { queued_at: queuedAt } });

  function sessionWorker(read: { event?: WaggleEvent; lastAcceptedAt: number } | undefined) {
    const saved: ScoreRecord[] = [];
    const skipped: string[] = [];
    const run = createEvaluationWorker({
      catalog: { get: async (_tenant, id) => (id === 'session-len' ? sessionMetric : undefined) },
      readEvent: async () => undefined,
      readSession: async () => read,
      evaluate: { code: sandbox },
      saveScores: async (scores) => void saved.push(...scores),
      onTaskSkipped: ({ reason }) => skipped.push(reason),
    });
    return { run, saved, skipped };
  }

  it('scores the session event once nothing was accepted in the session after the task was queued', async () => {
    const { run, saved } = sessionWorker({ event: sessionEvent, lastAcceptedAt: 5_000 });
    const result = await run([{ messageId: 'm', ...taskMessage(sessionTask(5_000)) }]);
    expect(result.failedMessageIds).toEqual([]);
    expect(saved).toEqual([
      expect.objectContaining({ event_id: 's', evaluator_id: 'session-len', value: 4 }),
    ]);
  });

  it('leaves a session that is still active to the task of its later events', async () => {
    const { run, saved, skipped } = sessionWorker({ event: sessionEvent, lastAcceptedAt: 5_001 });
    const result = await run([{ messageId: 'm', ...taskMessage(sessionTask(5_000)) }]);
    expect(result.failedMessageIds).toEqual([]);
    expect(saved).toEqual([]);
    expect(skipped).toEqual(['session s is still active']);
  });

  it('skips a session without a session event, and brings back one it cannot read yet', async () => {
    const withoutEvent = sessionWorker({ lastAcceptedAt: 1 });
    expect(
      (await withoutEvent.run([{ messageId: 'm', ...taskMessage(sessionTask(5_000)) }])).failedMessageIds,
    ).toEqual([]);
    expect(withoutEvent.skipped).toEqual(['session s has no session event to score']);
    const unreadable = sessionWorker(undefined);
    expect(
      (await unreadable.run([{ messageId: 'm', ...taskMessage(sessionTask(5_000)) }])).failedMessageIds,
    ).toEqual(['m']);
  });

  it('refuses a malformed session field', () => {
    expect(() => parseTask(JSON.stringify({ ...sessionTask(1), session: { queued_at: 'soon' } }))).toThrow(
      MalformedTaskError,
    );
    expect(() =>
      parseTask(JSON.stringify({ ...sessionTask(1), session: { queued_at: 1, extra: 2 } })),
    ).toThrow(MalformedTaskError);
  });
});
