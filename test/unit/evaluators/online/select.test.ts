/** Online selection: the evaluators a new event gets, and deterministic sampling. */
import { describe, expect, it } from 'vitest';
import type { EvaluatorDefinition } from '../../../../lambdas/domain/evaluators/evaluator';
import { isSampled, OnlineSelector } from '../../../../lambdas/domain/evaluators/online/select';
import type { WaggleEvent } from '../../../../lambdas/domain/events/event';
import { evaluatorDefinition } from '../../../support/evaluator-definition';

function evaluator(overrides: Partial<EvaluatorDefinition> = {}): EvaluatorDefinition {
  return evaluatorDefinition({
    name: 'answer length',
    codeSnippet: 'def m(e):\n    return 1\n',
    ...overrides,
  });
}

function event(overrides: Partial<WaggleEvent> = {}): WaggleEvent {
  return {
    event_id: 'e-1',
    project_id: 'p1',
    org_id: 'o',
    workspace_id: 'w',
    session_id: 's',
    event_type: 'model',
    event_name: 'chat',
    metadata: { tier: 'gold' },
    ...overrides,
  } as WaggleEvent;
}

describe('OnlineSelector', () => {
  const selector = new OnlineSelector();
  const ids = (list: EvaluatorDefinition[]) => list.map((chosen) => chosen.id);

  it('takes enabled evaluators of the project whose selectors and filters match', () => {
    const all = [
      evaluator({ id: 'any' }),
      evaluator({ id: 'model-chat', eventType: 'model', eventName: 'chat' }),
      evaluator({ id: 'gold', filters: [{ field: 'metadata.tier', operator: 'is', value: 'gold' }] }),
      evaluator({ id: 'tools', eventType: 'tool' }),
      evaluator({ id: 'other-name', eventName: 'search' }),
      evaluator({ id: 'silver', filters: [{ field: 'metadata.tier', operator: 'is', value: 'silver' }] }),
      evaluator({ id: 'disabled', enabledInProd: false }),
      evaluator({ id: 'human', type: 'human' }),
      evaluator({ id: 'other-project', projectId: 'p2' }),
      evaluator({ id: 'needs-truth', needsGroundTruth: true }),
    ];
    expect(ids(selector.select(event(), all))).toEqual(['any', 'model-chat', 'gold']);
    expect(ids(selector.select({ ...event(), ground_truth: '4' }, all))).toContain('needs-truth');
  });

  it('reads inherited metadata from the session event, as reads do', () => {
    const gold = evaluator({
      id: 'gold-inherited',
      filters: [{ field: 'metadata.tier', operator: 'is', value: 'gold' }],
    });
    const session = event({ event_type: 'session', metadata: { tier: 'gold' } });
    expect(selector.select(event({ metadata: {} }), [gold], session)).toHaveLength(1);
    expect(selector.select(event({ metadata: {} }), [gold])).toHaveLength(0);
  });

  it("takes every event of an experiment run (metadata.run_id) whatever the evaluator's sampling", () => {
    const sampled = evaluator({ id: 'one-percent', samplingPercentage: 1 });
    const events = Array.from({ length: 200 }, (_, index) => event({ event_id: `e-${index}` }));
    const plain = events.filter((one) => selector.select(one, [sampled]).length > 0);
    expect(plain.length).toBeLessThan(20);
    const runEvents = events.map((one) => ({ ...one, metadata: { ...one.metadata, run_id: 'run-1' } }));
    expect(runEvents.filter((one) => selector.select(one, [sampled]).length > 0)).toHaveLength(200);
    // Disabled, other-project and unmatched evaluators stay out of runs too; an empty run_id is no run.
    const off = evaluator({ id: 'off', enabledInProd: false, samplingPercentage: 100 });
    expect(selector.select(runEvents[0] as WaggleEvent, [off])).toEqual([]);
    // A metric the run scores itself (named in the session's metadata) is left to the run.
    const scoredByRun = {
      ...(runEvents[0] as WaggleEvent),
      metadata: { run_id: 'run-1', waggle_run_metrics: ['one-percent'] },
    };
    expect(selector.select(scoredByRun, [sampled])).toEqual([]);
    expect(selector.select(scoredByRun, [evaluator({ id: 'other', samplingPercentage: 1 })])).toHaveLength(1);
    const blank = events.map((one) => ({ ...one, metadata: { run_id: '' } }));
    expect(blank.filter((one) => selector.select(one, [sampled]).length > 0)).toHaveLength(plain.length);
  });

  it('skips an evaluator whose filters the grammar refuses, and says why', () => {
    const broken = evaluator({ id: 'broken', filters: [{ field: 'nope', operator: 'is', value: 'x' }] });
    const skipped: string[] = [];
    expect(selector.select(event(), [broken], undefined, ({ reason }) => skipped.push(reason))).toEqual([]);
    expect(skipped[0]).toMatch(/unknown field "nope"/);
  });
});

describe('isSampled', () => {
  const events = Array.from({ length: 10_000 }, (_, index) => `event-${index}`);

  it('picks the same events every time, none at 0 %, all at 100 %', () => {
    const first = events.filter((id) => isSampled(id, 'ev-1', 25));
    expect(events.filter((id) => isSampled(id, 'ev-1', 25))).toEqual(first);
    expect(events.filter((id) => isSampled(id, 'ev-1', 0))).toEqual([]);
    expect(events.filter((id) => isSampled(id, 'ev-1', 100))).toHaveLength(events.length);
  });

  it('takes about its percentage, and raising it only adds events', () => {
    const at10 = events.filter((id) => isSampled(id, 'ev-1', 10));
    const at30 = new Set(events.filter((id) => isSampled(id, 'ev-1', 30)));
    expect(at10.length).toBeGreaterThan(850);
    expect(at10.length).toBeLessThan(1150);
    expect(at30.size).toBeGreaterThan(2750);
    expect(at30.size).toBeLessThan(3250);
    for (const id of at10) expect(at30.has(id)).toBe(true);
  });

  it('samples each evaluator on its own', () => {
    const a = events.filter((id) => isSampled(id, 'ev-a', 50));
    const b = new Set(events.filter((id) => isSampled(id, 'ev-b', 50)));
    const both = a.filter((id) => b.has(id)).length;
    // Independent halves overlap on about a quarter.
    expect(both).toBeGreaterThan(2250);
    expect(both).toBeLessThan(2750);
  });
});
