/** Scores as metrics updates of their events (domain/evaluators/online/score-updates.ts). */
import { describe, expect, it } from 'vitest';
import type { ScoreRecord } from '../../../../lambdas/domain/evaluators/evaluator';
import { cacheEnabledEvaluators } from '../../../../lambdas/domain/evaluators/online/enabled-cache';
import { publishScoreUpdates, scoreUpdate } from '../../../../lambdas/domain/evaluators/online/score-updates';
import type { EventRecord } from '../../../../lambdas/domain/events/event';
import { parseQueueEnvelope } from '../../../../lambdas/domain/ingest/queue-envelope';
import { EVALUATOR_TENANT as tenant } from '../../../support/evaluator-definition';
import { MemoryObjectStore, MemoryQueue } from '../../../support/memory-ports';

function score(overrides: Partial<ScoreRecord> = {}): ScoreRecord {
  return {
    ...tenant,
    score_id: 'sc-1',
    event_id: 'e-1',
    session_id: 's-1',
    event_start_time: 500,
    evaluator_id: 'len',
    evaluator_name: 'answer length',
    evaluator_version: 3,
    value: 4,
    passed: null,
    explanation: null,
    cost: null,
    judge_event_id: null,
    status: 'ok',
    error: null,
    source: 'online',
    scored_at: 1_000,
    ...overrides,
  };
}

function queuedRecords(queue: MemoryQueue): EventRecord[] {
  return queue.messages.flatMap((message) => {
    const envelope = parseQueueEnvelope(message.body);
    return 'records' in envelope ? envelope.records : [];
  });
}

describe('score updates', () => {
  it('sets the metric named after the evaluator on its event, and nothing for an error score', () => {
    expect(scoreUpdate(score(), 5_000_000, 5_000)).toEqual({
      kind: 'update',
      update: {
        ...tenant,
        event_id: 'e-1',
        version: 5_000_000,
        ingested_at: 5_000,
        patch: { metrics: { 'answer length': 4 } },
      },
    });
    expect(scoreUpdate(score({ status: 'error', value: null, error: 'timeout' }), 1, 1)).toBeUndefined();
  });

  it('puts every valued score of a batch on the events queue as a metrics update, in increasing versions, and every score as a score record', async () => {
    const queue = new MemoryQueue();
    const publish = publishScoreUpdates({
      eventsQueue: queue,
      overflowStore: new MemoryObjectStore(),
      clock: () => 7_000,
    });
    await publish([
      score(),
      score({ event_id: 'e-2', value: true, evaluator_name: 'polite' }),
      score({ event_id: 'e-3', status: 'error', value: null }),
    ]);
    const records = queuedRecords(queue);
    const updates = records.flatMap((record) => (record.kind === 'update' ? [record.update] : []));
    expect(updates.map((update) => update.event_id)).toEqual(['e-1', 'e-2']);
    expect(updates[1]?.version).toBeGreaterThan(updates[0]?.version as number);
    // Every score, the error one too, for the scores table.
    const scores = records.flatMap((record) => (record.kind === 'score' ? [record.score] : []));
    expect(scores.map((each) => [each.event_id, each.status])).toEqual([
      ['e-1', 'ok'],
      ['e-2', 'ok'],
      ['e-3', 'error'],
    ]);
    // An error score alone: no update, only its score record.
    const before = records.length;
    await publish([score({ status: 'error', value: null })]);
    expect(
      queuedRecords(queue)
        .slice(before)
        .map((record) => record.kind),
    ).toEqual(['score']);
  });

  it('fails when the events queue does, so the worker brings the tasks back', async () => {
    const queue = new MemoryQueue();
    queue.failSends = true;
    const publish = publishScoreUpdates({ eventsQueue: queue, overflowStore: new MemoryObjectStore() });
    await expect(publish([score()])).rejects.toThrow(/outage/);
  });
});

describe('the enabled evaluators cache', () => {
  it('asks the catalog once per project per period, and again after a failure', async () => {
    let now = 0;
    const asked: string[] = [];
    let fail = false;
    const cached = cacheEnabledEvaluators(
      {
        async enabledInProd(of) {
          asked.push(of.project_id);
          if (fail) throw new Error('DynamoDB unavailable');
          return [];
        },
      },
      { ttlMs: 1_000, clock: () => now },
    );
    await cached.enabledInProd(tenant);
    await cached.enabledInProd(tenant);
    await cached.enabledInProd({ ...tenant, project_id: 'p2' });
    expect(asked).toEqual(['p1', 'p2']);
    now = 1_000;
    fail = true;
    await expect(cached.enabledInProd(tenant)).rejects.toThrow(/unavailable/);
    fail = false;
    await cached.enabledInProd(tenant);
    expect(asked).toEqual(['p1', 'p2', 'p1', 'p1']);
  });
});
