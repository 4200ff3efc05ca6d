/**
 * Server-side experiments run by the local workflow runner over the experiment definition, with
 * memory stores and a scripted target: batches of EXPERIMENT_BATCH_SIZE datapoints, one session each
 * (same id on a rerun) with the run, dataset and datapoint in its metadata and the ground truth in
 * its feedback; refusals done with an error; transient failures within the tolerance finish the run,
 * beyond it fail it, and a redrive reruns only the failed datapoints; the map's concurrency from the
 * rate limit, capped; the request refused field by field.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatapointRecord, DatasetRecord } from '../../../lambdas/domain/datasets/model';
import { ConflictError, NotFoundError, TooLargeError, ValidationError } from '../../../lambdas/domain/errors';
import type { ScoreRecord } from '../../../lambdas/domain/evaluators/evaluator';
import type { EventRecord, WaggleEvent } from '../../../lambdas/domain/events/event';
import { createRunService, MAX_RUN_IDS, type RunRecord } from '../../../lambdas/domain/experiments/runs';
import type { DatapointTarget } from '../../../lambdas/domain/experiments/server/datapoint-target';
import {
  CALLS_PER_ITEM_PER_MINUTE,
  DEFAULT_EXPERIMENT_CONCURRENCY,
  EXPERIMENT_BATCH_SIZE,
  type ExperimentRun,
  experimentConcurrency,
  MAX_EXPERIMENT_CONCURRENCY,
  parseExperimentRequest,
} from '../../../lambdas/domain/experiments/server/request';
import { createExperimentService } from '../../../lambdas/domain/experiments/server/service';
import { experimentSessionId } from '../../../lambdas/domain/experiments/server/session-id';
import {
  ExperimentThrottledError,
  TransientDatapointError,
} from '../../../lambdas/domain/experiments/server/steps';
import { createExperimentSteps } from '../../../lambdas/experiment-steps/app';
import { EXPERIMENT_SHAPE } from '../../../lambdas/local/experiments-local';
import { openLocalWorkflow } from '../../../lambdas/local/workflow-runner';
import { evaluatorDefinition } from '../../support/evaluator-definition';
import { MemoryObjectStore } from '../../support/memory-ports';

const tenant = { org_id: 'o1', workspace_id: 'w1', project_id: 'p1' };
const caller = { tenant, projectName: 'demo' };
const DATASET = 'a'.repeat(24);

function datapoints(count: number): DatapointRecord[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `dp-${String(index).padStart(4, '0')}`,
    project_id: 'p1',
    inputs: { question: `q${index}` },
    history: [],
    ground_truth: { answer: `a${index}` },
    linked_evals: [],
    linked_datasets: [DATASET],
    saved: true,
    type: 'evaluation',
    metadata: {},
    created_at: 0,
    updated_at: 0,
  }));
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'waggle-experiments-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A platform of memory stand-ins. `failing` datapoints fail transiently until healed; `refused` ones
 * are refused by the target; `throttledOnce` ones are throttled on their first call.
 */
async function platform(
  points: DatapointRecord[],
  options: { failing?: Set<string>; refused?: Set<string>; throttledOnce?: Set<string>; rpm?: number } = {},
) {
  const failing = options.failing ?? new Set<string>();
  const runs = new Map<string, RunRecord>();
  const runStore = {
    putRun: async (record: RunRecord) => void runs.set(record.run_id, structuredClone(record)),
    getRun: async (_project: string, id: string) => structuredClone(runs.get(id)),
    listRuns: async () => [...runs.values()],
    deleteRun: async (_project: string, id: string) => void runs.delete(id),
  };
  const dataset: DatasetRecord = {
    id: DATASET,
    project_id: 'p1',
    name: 'qa',
    description: '',
    type: 'evaluation',
    pipeline_type: 'event',
    linked_evals: [],
    saved: true,
    metadata: {},
    created_at: 0,
    updated_at: 0,
  };
  const datasets = {
    getDataset: async (_project: string, id: string) => (id === DATASET ? dataset : undefined),
    members: async () => points.map((point) => point.id),
    getDatapoints: async (_project: string, ids: readonly string[]) =>
      points.filter((point) => ids.includes(point.id)),
  };
  const calls: string[] = [];
  const throttled = new Set<string>();
  const target: DatapointTarget = {
    call: async ({ datapoint }) => {
      calls.push(datapoint.id);
      if (options.throttledOnce?.has(datapoint.id) && !throttled.has(datapoint.id)) {
        throttled.add(datapoint.id);
        throw new ExperimentThrottledError('rate limited');
      }
      if (failing.has(datapoint.id)) throw new TransientDatapointError('provider down');
      if (options.refused?.has(datapoint.id)) return { outputs: {}, error: 'Missing variables: city' };
      return { outputs: { role: 'assistant', content: `answer to ${datapoint.inputs.question}` } };
    },
  };
  const published: WaggleEvent[] = [];
  const scores: ScoreRecord[] = [];
  const items = new MemoryObjectStore();
  const metric = evaluatorDefinition({
    id: 'metric-1',
    name: 'matches',
    version: 2,
    codeSnippet: 'def f(e): return 1',
  });
  const steps = createExperimentSteps({
    runs: runStore,
    datapoints: datasets,
    items,
    target,
    metrics: {
      catalog: {
        get: async (_tenant, id, version) => (id === metric.id && version === 2 ? metric : undefined),
      },
      evaluate: {
        code: {
          run: async ({ input }) => ({
            status: 'ok',
            value: JSON.stringify(input.ground_truth).length,
            durationMs: 1,
          }),
        },
      },
      saveScores: async (saved) => {
        scores.push(...saved);
      },
    },
    publish: async (records: EventRecord[]) => {
      for (const record of records) if (record.kind === 'event') published.push(record.event);
    },
  });
  const workflow = await openLocalWorkflow<ExperimentRun>({
    shape: EXPERIMENT_SHAPE,
    dir,
    steps: steps as (input: never) => Promise<unknown>,
    items,
    retryIntervalMs: 0,
  });
  const service = createExperimentService({
    runs: createRunService({ runs: runStore, datasets, datasetVersion: async () => 1 }),
    runStore,
    datasets,
    configurations: {
      list: async () => [
        {
          configuration: { id: 'cfg-1', name: 'greeter', version: 3 } as never,
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
    },
    catalog: { get: async (_tenant, id) => (id === 'metric-1' ? metric : undefined) },
    limits: {
      get: async () =>
        options.rpm === undefined
          ? undefined
          : {
              limits: { project: { requests_per_minute: options.rpm }, credentials: {} },
              updatedAt: 0,
              updatedBy: 'x',
            },
    },
    items,
    workflow,
  });
  const start = async (body: Record<string, unknown> = {}) => {
    const started = await service.start(caller, {
      name: 'nightly',
      dataset_id: DATASET,
      configuration_id: 'cfg-1',
      ...body,
    });
    await workflow.settled(started.run_id);
    return started;
  };
  return { service, workflow, start, runs, calls, published, scores, heal: () => failing.clear() };
}

/** The newest version of each session, by id. */
function latestSessions(events: WaggleEvent[]): Map<string, WaggleEvent> {
  const latest = new Map<string, WaggleEvent>();
  for (const event of events)
    if ((latest.get(event.event_id)?.version ?? -1) < event.version) latest.set(event.event_id, event);
  return latest;
}

describe('a server-side experiment through the local workflow runner', () => {
  it('runs every datapoint once in batches, one session each, and completes the run with its sessions and counts', async () => {
    const points = datapoints(3 * EXPERIMENT_BATCH_SIZE + 4);
    const { start, service, runs, calls, published } = await platform(points);
    const started = await start({ metadata: { commit: 'abc' } });
    expect(started).toMatchObject({
      status: 'running',
      datapoints: points.length,
      max_concurrency: DEFAULT_EXPERIMENT_CONCURRENCY,
    });
    expect(calls.sort()).toEqual(points.map((point) => point.id));
    const state = await service.describe(caller, started.run_id);
    expect(state).toMatchObject({
      status: 'completed',
      execution: { status: 'SUCCEEDED', items: { total: 4, succeeded: 4, failed: 0 } },
      counts: { datapoints: points.length, batches: 4, succeeded: points.length, errored: 0, failed: 0 },
    });
    const run = runs.get(started.run_id) as RunRecord;
    expect(run.status).toBe('completed');
    expect(run.metadata).toMatchObject({
      commit: 'abc',
      server_side: { counts: { succeeded: points.length } },
    });
    expect(run.configuration).toMatchObject({
      type: 'configuration',
      configuration_name: 'greeter',
      configuration_version: 3,
    });
    expect(run.event_ids.sort()).toEqual(
      points.map((point) => experimentSessionId(started.run_id, point.id)).sort(),
    );
    const session = published.find((event) => event.metadata.datapoint_id === 'dp-0003') as WaggleEvent;
    expect(session).toMatchObject({
      event_type: 'session',
      event_id: experimentSessionId(started.run_id, 'dp-0003'),
      source: 'waggle-experiment',
      inputs: { question: 'q3' },
      outputs: { content: 'answer to q3' },
      feedback: { ground_truth: { answer: 'a3' } },
      metadata: { run_id: started.run_id, dataset_id: DATASET, datapoint_id: 'dp-0003' },
      error: null,
    });
  });

  it("scores each session with the run's metrics at their pinned version, with the datapoint's ground truth", async () => {
    const { start, scores, published } = await platform(datapoints(12));
    const started = await start({ metric_ids: ['metric-1'] });
    expect(scores).toHaveLength(12);
    expect(new Set(scores.map((score) => score.evaluator_version))).toEqual(new Set([2]));
    expect(new Set(scores.map((score) => score.source))).toEqual(new Set([`experiment:${started.run_id}`]));
    const sessionIds = published.map((event) => event.event_id).sort();
    expect(scores.map((score) => score.event_id).sort()).toEqual(sessionIds);
    // The code saw the ground truth ({"answer":"a0"} and its kin).
    expect(scores.every((score) => typeof score.value === 'number' && score.value >= 14)).toBe(true);
    // The session names the metrics its run scores, so online evaluation leaves them alone.
    expect(published[0]?.metadata.waggle_run_metrics).toEqual(['metric-1']);
  });

  it('counts a refused datapoint as done with an error on its session, not as a failure', async () => {
    const { start, service, published } = await platform(datapoints(12), { refused: new Set(['dp-0005']) });
    const started = await start();
    expect(await service.describe(caller, started.run_id)).toMatchObject({
      status: 'completed',
      counts: { succeeded: 11, errored: 1, failed: 0 },
    });
    expect(published.find((event) => event.metadata.datapoint_id === 'dp-0005')?.error).toMatch(
      /Missing variables/,
    );
  });

  it('retries a throttled batch and finishes it', async () => {
    const { start, service, calls } = await platform(datapoints(5), { throttledOnce: new Set(['dp-0002']) });
    const started = await start();
    expect(await service.describe(caller, started.run_id)).toMatchObject({
      status: 'completed',
      counts: { succeeded: 5 },
    });
    // The retry ran only the throttled datapoint again.
    expect(calls.filter((id) => id === 'dp-0002')).toHaveLength(2);
    expect(calls).toHaveLength(6);
  });

  it('finishes within the tolerance, the failed datapoints counted and their sessions in error', async () => {
    const points = datapoints(20 * EXPERIMENT_BATCH_SIZE);
    const { start, service, runs, published } = await platform(points, { failing: new Set(['dp-0000']) });
    const started = await start();
    expect(await service.describe(caller, started.run_id)).toMatchObject({
      status: 'completed',
      execution: { status: 'SUCCEEDED', items: { total: 20, succeeded: 19, failed: 1 } },
      counts: { succeeded: points.length - 1, failed: 1 },
    });
    expect(published.find((event) => event.metadata.datapoint_id === 'dp-0000')?.error).toMatch(
      /provider down/,
    );
    // The failed datapoint's session (in error) is the run's too.
    expect(runs.get(started.run_id)?.event_ids).toHaveLength(points.length);
    // A completed run cannot be redriven.
    await expect(service.redrive(caller, started.run_id)).rejects.toBeInstanceOf(ConflictError);
  });

  it('fails past the tolerance, and a redrive reruns only the failed datapoints, replacing their sessions', async () => {
    const points = datapoints(4 * EXPERIMENT_BATCH_SIZE);
    // Two datapoints of batch 1 fail: 1 of 4 batches (25%) is beyond the 10% tolerated.
    const failing = new Set(['dp-0011', 'dp-0014']);
    const { start, service, workflow, runs, calls, published, heal } = await platform(points, { failing });
    const started = await start();
    const failed = await service.describe(caller, started.run_id);
    expect(failed).toMatchObject({
      status: 'failed',
      execution: { status: 'FAILED', items: { total: 4, succeeded: 3, failed: 1 }, redrive_count: 0 },
    });
    expect(failed.execution.error).toMatch(/ExceedToleratedFailureThreshold/);
    expect(runs.get(started.run_id)?.status).toBe('failed');

    heal();
    calls.length = 0;
    const redriven = await service.redrive(caller, started.run_id);
    expect(redriven.status).toBe('running');
    await workflow.settled(started.run_id);
    expect(calls.sort()).toEqual(['dp-0011', 'dp-0014']);
    expect(await service.describe(caller, started.run_id)).toMatchObject({
      status: 'completed',
      execution: { status: 'SUCCEEDED', redrive_count: 1 },
      counts: { datapoints: points.length, succeeded: points.length, failed: 0 },
    });
    const sessions = latestSessions(published);
    expect(sessions.size).toBe(points.length);
    expect(sessions.get(experimentSessionId(started.run_id, 'dp-0011'))?.error).toBeNull();
    expect(runs.get(started.run_id)?.event_ids).toHaveLength(points.length);
  });

  it('refuses what it cannot run, before any run is recorded', async () => {
    const { service, runs } = await platform(datapoints(3));
    const refusal = (body: Record<string, unknown>) =>
      service.start(caller, { name: 'n', dataset_id: DATASET, configuration_id: 'cfg-1', ...body });
    await expect(refusal({ dataset_id: 'b'.repeat(24) })).rejects.toBeInstanceOf(NotFoundError);
    await expect(refusal({ configuration_id: 'cfg-nope' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(refusal({ metric_ids: ['metric-1', 'metric-nope'] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(refusal({ project: 'another' })).rejects.toBeInstanceOf(ValidationError);
    expect(runs.size).toBe(0);
    const big = await platform(datapoints(MAX_RUN_IDS + 1));
    await expect(big.start()).rejects.toBeInstanceOf(TooLargeError);
    expect(big.runs.size).toBe(0);
    await expect(service.describe(caller, 'no-such-run')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('the map concurrency', () => {
  it('follows the project rate limit, at least 1, capped, and never above what was asked', async () => {
    expect(experimentConcurrency(undefined)).toBe(DEFAULT_EXPERIMENT_CONCURRENCY);
    expect(experimentConcurrency(10)).toBe(1);
    expect(experimentConcurrency(0)).toBe(1);
    expect(experimentConcurrency(7 * CALLS_PER_ITEM_PER_MINUTE + 1)).toBe(7);
    expect(experimentConcurrency(100_000)).toBe(MAX_EXPERIMENT_CONCURRENCY);
    expect(experimentConcurrency(100_000, 3)).toBe(3);
    expect(experimentConcurrency(undefined, 25)).toBe(DEFAULT_EXPERIMENT_CONCURRENCY);
    const limited = await platform(datapoints(2), { rpm: 3 * CALLS_PER_ITEM_PER_MINUTE });
    expect((await limited.start()).max_concurrency).toBe(3);
  });
});

describe('parseExperimentRequest (hostile bodies)', () => {
  const base = { name: 'n', dataset_id: DATASET };
  const cases: [string, unknown, RegExp][] = [
    ['not an object', [], /JSON object/],
    ['no target', base, /exactly one of configuration_id and endpoint/],
    [
      'both targets',
      { ...base, configuration_id: 'c', endpoint: { url: 'https://x.example' } },
      /exactly one/,
    ],
    ['unknown field', { ...base, configuration_id: 'c', evil: 1 }, /unknown fields: evil/],
    ['empty name', { ...base, name: ' ', configuration_id: 'c' }, /name must be/],
    ['huge name', { ...base, name: 'x'.repeat(201), configuration_id: 'c' }, /name must be/],
    ['dataset id not a string', { ...base, dataset_id: 7, configuration_id: 'c' }, /dataset_id/],
    [
      'http endpoint',
      { ...base, endpoint: { url: 'http://api.example.com/run' } },
      /endpoint.url must be https/,
    ],
    [
      'metadata address',
      { ...base, endpoint: { url: 'https://169.254.169.254/latest' } },
      /endpoint.url must not name/,
    ],
    [
      'credentials in the url',
      { ...base, endpoint: { url: 'https://u:p@api.example.com' } },
      /endpoint.url must not carry credentials/,
    ],
    [
      'endpoint extra field',
      { ...base, endpoint: { url: 'https://api.example.com', method: 'GET' } },
      /unknown fields/,
    ],
    [
      'header injection',
      { ...base, endpoint: { url: 'https://api.example.com', headers: { 'x-a': 'b\r\nhost: evil' } } },
      /one line/,
    ],
    [
      'reserved header',
      { ...base, endpoint: { url: 'https://api.example.com', headers: { Host: 'evil' } } },
      /set by the platform/,
    ],
    [
      'bad header name',
      { ...base, endpoint: { url: 'https://api.example.com', headers: { 'a b': 'c' } } },
      /not a header name/,
    ],
    ['metric ids not a list', { ...base, configuration_id: 'c', metric_ids: 'm' }, /metric_ids/],
    [
      'too many metrics',
      { ...base, configuration_id: 'c', metric_ids: Array.from({ length: 21 }, (_, i) => `m${i}`) },
      /at most 20/,
    ],
    ['concurrency zero', { ...base, configuration_id: 'c', max_concurrency: 0 }, /max_concurrency/],
    ['concurrency over the cap', { ...base, configuration_id: 'c', max_concurrency: 41 }, /max_concurrency/],
    ['concurrency fraction', { ...base, configuration_id: 'c', max_concurrency: 1.5 }, /max_concurrency/],
    [
      'metadata not an object',
      { ...base, configuration_id: 'c', metadata: [1] },
      /metadata must be an object/,
    ],
  ];
  for (const [what, body, message] of cases)
    it(`refuses ${what}`, () => {
      expect(() => parseExperimentRequest(body)).toThrow(ValidationError);
      expect(() => parseExperimentRequest(body)).toThrow(message);
    });

  it('refuses oversized metadata as too large, and keeps duplicated metric ids once', () => {
    const metadata = { blob: 'x'.repeat(17 * 1024) };
    expect(() => parseExperimentRequest({ ...base, configuration_id: 'c', metadata })).toThrow(TooLargeError);
    expect(
      parseExperimentRequest({ ...base, configuration_id: 'c', metric_ids: ['m', 'm'] }).metricIds,
    ).toEqual(['m']);
  });

  it('allows plain http to loopback only locally, and lower-cases header names', () => {
    const local = {
      ...base,
      endpoint: { url: 'http://127.0.0.1:9999/run', headers: { Authorization: 'Bearer t' } },
    };
    expect(() => parseExperimentRequest(local)).toThrow(/https/);
    expect(parseExperimentRequest(local, { allowLoopbackEndpoints: true }).target).toEqual({
      type: 'endpoint',
      url: 'http://127.0.0.1:9999/run',
      headers: { authorization: 'Bearer t' },
    });
  });
});
