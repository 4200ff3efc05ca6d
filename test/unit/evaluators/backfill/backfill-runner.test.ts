/**
 * The backfill workflow's definition run locally by the ASL interpreter: every sampled event of the
 * range scored once, batches failing within the tolerance still finish the run, beyond it the run
 * fails, and a redrive reruns only the failed batches; the cap refuses a run before anything is
 * scored; a restart fails a run left running.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBackfillSteps } from '../../../../lambdas/backfill-steps/app';
import {
  BACKFILL_BATCH_SIZE,
  type BackfillRun,
} from '../../../../lambdas/domain/evaluators/backfill/request';
import type { CodeMetricRunner, ScoreRecord } from '../../../../lambdas/domain/evaluators/evaluator';
import type { ExportQuery, StoredEvent } from '../../../../lambdas/domain/query/types';
import { openBackfillRunner } from '../../../../lambdas/local/backfill-runner';
import { evaluatorDefinition, EVALUATOR_TENANT as tenant } from '../../../support/evaluator-definition';
import { MemoryObjectStore } from '../../../support/memory-ports';
import { storedEventFixture } from '../../../support/stored-event';

const evaluator = evaluatorDefinition({
  id: 'len',
  name: 'length',
  version: 3,
  codeSnippet: 'def f(e): return 1',
});

function eventsOf(count: number): StoredEvent[] {
  return Array.from({ length: count }, (_, index) =>
    storedEventFixture(tenant, {
      event_id: `e-${String(index).padStart(4, '0')}`,
      start_time: 10_000 + index,
    }),
  );
}

function runOf(overrides: Partial<BackfillRun> = {}): BackfillRun {
  return {
    ...tenant,
    backfill_id: 'bf_test_abcdef',
    evaluator_id: evaluator.id,
    evaluator_version: evaluator.version,
    evaluator_name: evaluator.name,
    from: 0,
    to: 1_000_000,
    filters: [],
    sampling_percentage: 100,
    max_events: 10_000,
    requested_at: 1,
    ...overrides,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waggle-backfill-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A platform of memory stand-ins; `unreadable` events fail their batch until `heal()`. `open()` opens
 * the local runner on it; `run(overrides)` starts `runOf(overrides)` on a new runner and waits for
 * its end, answering the runner and the run's state.
 */
function platform(events: StoredEvent[], options: { unreadable?: Set<string> } = {}) {
  const unreadable = options.unreadable ?? new Set<string>();
  const saved: ScoreRecord[] = [];
  const exports: ExportQuery[] = [];
  const code: CodeMetricRunner = {
    run: async ({ input }) => ({ status: 'ok', value: input.event_id.length, durationMs: 1 }),
  };
  const items = new MemoryObjectStore();
  const steps = createBackfillSteps({
    queries: {
      exportEvents: async (_tenant, query) => {
        exports.push(query);
        const start = (query.page - 1) * query.limit;
        return { events: events.slice(start, start + query.limit), totalEvents: events.length };
      },
      getEvent: async (_tenant, eventId) =>
        unreadable.has(eventId) ? undefined : events.find((event) => event.event_id === eventId),
    },
    catalog: {
      get: async (_tenant, id, version) => (id === evaluator.id && version === 3 ? evaluator : undefined),
    },
    evaluate: { code },
    saveScores: async (scores) => {
      saved.push(...scores);
    },
    items,
  });
  const open = () => openBackfillRunner({ dir, steps, items, retryIntervalMs: 0 });
  const run = async (overrides: Partial<BackfillRun> = {}) => {
    const runner = await open();
    const started = runOf(overrides);
    await runner.start(started);
    await runner.settled(started.backfill_id);
    return { runner, state: await runner.describe(tenant, started.backfill_id) };
  };
  return { open, run, saved, exports, heal: () => unreadable.clear() };
}

describe('the local backfill runner', () => {
  it('scores every event of the range once and sums the batches', async () => {
    const events = eventsOf(3 * BACKFILL_BATCH_SIZE + 7);
    const { run, saved, exports } = platform(events);
    const { runner, state } = await run();
    expect(state).toMatchObject({
      status: 'SUCCEEDED',
      totals: { events: events.length, batches: 4, scored: events.length, errors: 0 },
      items: { total: 4, succeeded: 4, failed: 0, pending: 0 },
    });
    expect(saved.map((score) => score.event_id).sort()).toEqual(events.map((event) => event.event_id));
    expect(new Set(saved.map((score) => score.source))).toEqual(new Set(['backfill:bf_test_abcdef']));
    expect(saved.every((score) => score.evaluator_version === 3)).toBe(true);
    expect(exports[0]).toMatchObject({
      dateRange: { from: 0, to: 1_000_000 },
      sortBy: 'start_time',
      sortOrder: 'asc',
    });
    // Another project cannot see the run.
    expect(await runner.describe({ ...tenant, project_id: 'p2' }, 'bf_test_abcdef')).toBeUndefined();
  });

  it('fails the run when more batches fail than it tolerates, and a redrive reruns only those', async () => {
    const events = eventsOf(4 * BACKFILL_BATCH_SIZE);
    // One event of batch 1 cannot be read: 1 of 4 batches (25%) is above the 5% tolerated.
    const { run, saved, heal } = platform(events, { unreadable: new Set(['e-0025']) });
    const { runner, state: failed } = await run();
    expect(failed).toMatchObject({
      status: 'FAILED',
      items: { total: 4, succeeded: 3, failed: 1 },
      redrive_count: 0,
    });
    expect(failed?.error).toMatch(/ExceedToleratedFailureThreshold/);
    expect(saved).toHaveLength(3 * BACKFILL_BATCH_SIZE);

    heal();
    saved.length = 0;
    await runner.redrive(tenant, 'bf_test_abcdef');
    await runner.settled('bf_test_abcdef');
    expect(await runner.describe(tenant, 'bf_test_abcdef')).toMatchObject({
      status: 'SUCCEEDED',
      redrive_count: 1,
      totals: { events: events.length, batches: 4, scored: events.length },
    });
    // Only batch 1's events were scored again.
    expect(saved.map((score) => score.event_id).sort()).toEqual(
      events.slice(BACKFILL_BATCH_SIZE, 2 * BACKFILL_BATCH_SIZE).map((event) => event.event_id),
    );
    await expect(runner.redrive(tenant, 'bf_test_abcdef')).rejects.toThrow(/only a failed run/);
  });

  it('finishes within the tolerance, the failed batch left for a redrive', async () => {
    const events = eventsOf(25 * BACKFILL_BATCH_SIZE);
    const { run } = platform(events, { unreadable: new Set(['e-0000']) });
    expect((await run()).state).toMatchObject({
      status: 'SUCCEEDED',
      items: { total: 25, succeeded: 24, failed: 1 },
      totals: { scored: 24 * BACKFILL_BATCH_SIZE },
    });
  });

  it('refuses a run over its cap before anything is scored', async () => {
    const { run, saved } = platform(eventsOf(30));
    const { state } = await run({ max_events: 29 });
    expect(state?.status).toBe('FAILED');
    expect(state?.error).toMatch(/more than max_events \(29\)/);
    expect(saved).toHaveLength(0);
  });

  it('samples as online evaluation does: the same events on every run', async () => {
    const events = eventsOf(200);
    const first = platform(events);
    await first.run({ sampling_percentage: 30 });
    const second = platform(events);
    await second.run({ backfill_id: 'bf_test_second', sampling_percentage: 30 });
    const ids = (saved: ScoreRecord[]) => saved.map((score) => score.event_id).sort();
    expect(first.saved.length).toBeGreaterThan(30);
    expect(first.saved.length).toBeLessThan(90);
    expect(ids(second.saved)).toEqual(ids(first.saved));
  });

  it('fails a run that a stop left running, and a redrive starts it over', async () => {
    const { open, saved } = platform(eventsOf(5));
    // The record a platform stopped in the middle of Prepare leaves behind.
    const left = {
      backfill_id: 'bf_test_abcdef',
      status: 'RUNNING',
      run: runOf(),
      started_at: 1,
      redrive_count: 0,
      succeeded: [],
      failed_items: [],
    };
    await writeFile(join(dir, 'bf_test_abcdef.json'), JSON.stringify(left));
    const runner = await open();
    const state = await runner.describe(tenant, 'bf_test_abcdef');
    expect(state).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/stopped during the run/) });
    await runner.redrive(tenant, 'bf_test_abcdef');
    await runner.settled('bf_test_abcdef');
    expect(await runner.describe(tenant, 'bf_test_abcdef')).toMatchObject({
      status: 'SUCCEEDED',
      totals: { scored: 5 },
    });
    expect(saved).toHaveLength(5);
  });
});
