/** Queuing evaluation tasks after a stored batch: batches SQS takes, and failures that never reach the writer. */
import { describe, expect, it } from 'vitest';
import type { EvaluatorDefinition } from '../../../../lambdas/domain/evaluators/evaluator';
import { enqueueEvaluations } from '../../../../lambdas/domain/evaluators/online/enqueue';
import { OnlineSelector } from '../../../../lambdas/domain/evaluators/online/select';
import { parseTask } from '../../../../lambdas/domain/evaluators/online/tasks';
import type { WaggleEvent } from '../../../../lambdas/domain/events/event';
import type { QueueMessage } from '../../../../lambdas/domain/ports';

const evaluator = {
  id: 'len',
  projectId: 'p1',
  name: 'len',
  version: 4,
  type: 'custom',
  enabledInProd: true,
  samplingPercentage: 100,
  filters: [],
  eventType: 'model',
} as unknown as EvaluatorDefinition;

function event(index: number, overrides: Partial<WaggleEvent> = {}): WaggleEvent {
  return {
    event_id: `e-${index}`,
    session_id: 's',
    org_id: 'o',
    workspace_id: 'w',
    project_id: 'p1',
    event_type: 'model',
    event_name: 'chat',
    source: 'app',
    start_time: 1_800_000_000_000,
    ...overrides,
  } as WaggleEvent;
}

describe('enqueueEvaluations', () => {
  it('queues one task per matching event in batches of at most ten, naming the evaluator version', async () => {
    const batches: QueueMessage[][] = [];
    const events = [
      ...Array.from({ length: 23 }, (_, index) => event(index)),
      event(100, { event_type: 'tool' }),
      event(101, { source: 'waggle-judge' }),
      event(102, { project_id: 'p2' }),
    ];
    const queued = await enqueueEvaluations(events, {
      catalog: { enabledInProd: async (tenant) => (tenant.project_id === 'p1' ? [evaluator] : []) },
      selector: new OnlineSelector(),
      queue: { sendBatch: async (batch) => void batches.push(batch) },
    });
    expect(queued).toBe(23);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(parseTask(batches[0]?.[0]?.body as string)).toMatchObject({
      event_id: 'e-0',
      evaluator_id: 'len',
      evaluator_version: 4,
      source: 'online',
    });
  });

  it('reports a failing catalog or queue and resolves: the writer never sees it', async () => {
    const failures: unknown[] = [];
    const queued = await enqueueEvaluations([event(1)], {
      catalog: { enabledInProd: async () => [evaluator] },
      selector: new OnlineSelector(),
      queue: {
        sendBatch: async () => {
          throw new Error('queue down');
        },
      },
      onFailure: (error) => failures.push(error),
    });
    expect(queued).toBe(0);
    expect(failures).toHaveLength(1);
  });

  it('queues one delayed task per session the batch touched and session evaluator, and none per event', async () => {
    const sessionEvaluator = {
      ...evaluator,
      id: 'whole-session',
      eventType: 'session',
    } as EvaluatorDefinition;
    const batches: QueueMessage[][] = [];
    const queued = await enqueueEvaluations(
      [
        event(1, { session_id: 's-a', start_time: 2_000 }),
        event(2, { session_id: 's-a', start_time: 1_000 }),
        event(3, { session_id: 's-a', event_type: 'session', event_id: 's-a', start_time: 1_500 }),
        event(4, { session_id: 's-b', event_type: 'tool' }),
        // A judge's own model event touches no session (scoring it would call the judge again).
        event(5, { session_id: 's-judge', source: 'waggle-judge' }),
      ],
      {
        catalog: { enabledInProd: async () => [sessionEvaluator] },
        selector: new OnlineSelector(),
        queue: { sendBatch: async (batch) => void batches.push(batch) },
        sessionQuietSeconds: 120,
        clock: () => 9_000,
      },
    );
    expect(queued).toBe(2);
    const messages = batches.flat();
    expect(messages.map((message) => message.delaySeconds)).toEqual([120, 120]);
    expect(messages.map((message) => parseTask(message.body))).toEqual([
      expect.objectContaining({
        event_id: 's-a',
        session_id: 's-a',
        start_time: 1_000,
        session: { queued_at: 9_000 },
      }),
      expect.objectContaining({ event_id: 's-b', session_id: 's-b', session: { queued_at: 9_000 } }),
    ]);
  });
});
