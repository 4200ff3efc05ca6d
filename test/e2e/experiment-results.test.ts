/**
 * Experiment results and comparisons on the local platform, through HoneyHive's own client
 * (honeyhive@1.0.42 `experiments.getExperimentResult` and `getExperimentComparison`, which validate
 * the answers with their zod schemas): two runs over the same datapoints, their sessions sent through
 * the intake with `metadata.run_id` and `metadata.datapoint_id` and metrics on the session and on a
 * child model event, then the per-metric aggregates, the per-datapoint pass/fail and the deltas.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROJECT = 'default';
const local = platformForFile('waggle-run-results-', { projectName: PROJECT });
let honeyhive: RecordingClient;

beforeAll(() => {
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
});

interface Outcome {
  datapoint: string;
  /** The session's client-side metrics (evaluate() enriches the session with them). */
  exact: boolean;
  /** A child model event's metric. */
  relevance: number;
  error?: string;
}

/** One datapoint's session: the session event with its metrics, and a model call under it with its own. */
async function sendRunSession(runId: string, outcome: Outcome): Promise<string> {
  const api = readApi(local.platform.url, local.platform.apiKey);
  const started = await api.post('/session/start', {
    session: {
      project: PROJECT,
      session_name: 'capitals-eval',
      source: 'evaluation',
      inputs: { question: `question ${outcome.datapoint}` },
      outputs: { answer: `answer ${outcome.datapoint}` },
      metadata: { run_id: runId, datapoint_id: outcome.datapoint, dataset_id: 'f'.repeat(24) },
      metrics: { exact: outcome.exact },
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
    },
  });
  expect(started.status, await started.clone().text()).toBe(200);
  const sessionId = ((await started.json()) as { session_id: string }).session_id;
  await api.sendEvent({
    session_id: sessionId,
    event_type: 'model',
    event_name: 'generate',
    metrics: { relevance: outcome.relevance },
  });
  return sessionId;
}

async function createRun(name: string, datapointIds: string[]): Promise<string> {
  const created = await honeyhive.client.experiments.createRun({
    project: PROJECT,
    name,
    eventIds: [],
    datapointIds,
  });
  return created.runId as string;
}

const DATAPOINTS = ['a'.repeat(24), 'b'.repeat(24), 'c'.repeat(24)];

describe('experiment results and comparisons through the honeyhive client', () => {
  let oldRun: string;
  let newRun: string;

  beforeAll(async () => {
    oldRun = await createRun('baseline', DATAPOINTS);
    newRun = await createRun('candidate', DATAPOINTS);
    const [a, b, c] = DATAPOINTS as [string, string, string];
    const oldSessions = [
      await sendRunSession(oldRun, { datapoint: a, exact: true, relevance: 0.5 }),
      await sendRunSession(oldRun, { datapoint: b, exact: false, relevance: 0.9 }),
      await sendRunSession(oldRun, { datapoint: c, exact: true, relevance: 0.4 }),
    ];
    const newSessions = [
      await sendRunSession(newRun, { datapoint: a, exact: true, relevance: 0.8 }),
      await sendRunSession(newRun, { datapoint: b, exact: true, relevance: 0.3 }),
      await sendRunSession(newRun, { datapoint: c, exact: true, relevance: 0.4, error: 'timeout' }),
    ];
    for (const [runId, sessions] of [
      [oldRun, oldSessions],
      [newRun, newSessions],
    ] as const)
      await honeyhive.client.experiments.updateRun({ status: 'completed', eventIds: [...sessions] }, runId);
    // The writer stores the sessions within a few seconds; the result reads what is stored.
    await eventually(async () => {
      const result = await honeyhive.client.experiments.getExperimentResult(newRun, PROJECT);
      const events = (honeyhive.lastBody() as { datapoints: { metrics: unknown[] }[] }).datapoints;
      return result.datapoints?.length === 3 && events.every((datapoint) => datapoint.metrics.length === 2)
        ? true
        : undefined;
    }, 30_000);
  });

  it('aggregates each metric and decides pass/fail per datapoint', async () => {
    const [a, b, c] = DATAPOINTS as [string, string, string];
    const result = await honeyhive.client.experiments.getExperimentResult(oldRun, PROJECT, 'average');
    expect(result.success).toBe(true);
    expect(result.status).toBe('completed');
    // b's exact match is false: it fails; the rest pass (relevance has no pass criterion).
    expect(result.passed?.sort()).toEqual([a, c]);
    expect(result.failed).toEqual([b]);
    const byName = new Map(result.metrics?.details?.map((detail) => [detail.metricName, detail]));
    expect(byName.get('exact')).toMatchObject({
      eventType: 'session',
      aggregate: 2 / 3,
      datapoints: { passed: expect.arrayContaining([a, c]), failed: [b] },
    });
    expect(byName.get('relevance')).toMatchObject({ eventType: 'model', eventName: 'generate' });
    expect(byName.get('relevance')?.aggregate).toBeCloseTo(0.6, 10);
    expect(result.datapoints?.find((datapoint) => datapoint.datapointId === b)).toMatchObject({
      passed: false,
      metrics: expect.arrayContaining([
        expect.objectContaining({ name: 'exact', value: false, passed: false }),
      ]),
    });

    const max = await honeyhive.client.experiments.getExperimentResult(oldRun, PROJECT, 'max');
    expect(max.metrics?.details?.find((detail) => detail.metricName === 'relevance')?.aggregate).toBe(0.9);
    const body = honeyhive.lastBody() as {
      run_object: { run_id: string };
      datapoints: { outputs: unknown }[];
    };
    expect(body.run_object.run_id).toBe(oldRun);
    expect(body.datapoints[0]?.outputs).toMatchObject({ answer: expect.stringMatching(/^answer /) });
  });

  it('a session with an error fails its datapoint', async () => {
    const result = await honeyhive.client.experiments.getExperimentResult(newRun, PROJECT);
    expect(result.failed).toEqual([DATAPOINTS[2]]);
  });

  it('compares two runs over their common datapoints', async () => {
    const [a, b, c] = DATAPOINTS as [string, string, string];
    const comparison = await honeyhive.client.experiments.getExperimentComparison(newRun, oldRun, PROJECT);
    expect(comparison.commonDatapoints?.sort()).toEqual([a, b, c]);
    const relevance = comparison.metrics?.find((metric) => metric.metricName === 'relevance');
    expect(relevance).toMatchObject({ foundCount: 3, improved: [a], degraded: [b], same: [c] });
    expect(relevance?.oldAggregate).toBeCloseTo(0.6, 10);
    expect(relevance?.newAggregate).toBeCloseTo(0.5, 10);
    const exact = comparison.metrics?.find((metric) => metric.metricName === 'exact');
    expect(exact).toMatchObject({ improvedCount: 1, degradedCount: 0, sameCount: 2, improved: [b] });
    expect(comparison.oldRun?.runId).toBe(oldRun);
    expect(comparison.newRun?.runId).toBe(newRun);
    expect(comparison.eventDetails).toEqual(
      expect.arrayContaining([{ eventName: 'generate', eventType: 'model', presence: 'both' }]),
    );
  });

  it('refuses bad requests with a clear error', async () => {
    const api = readApi(local.platform.url, local.platform.apiKey);
    const cases: [string, number, RegExp][] = [
      [`/runs/${oldRun}/result?aggregate_function=mode`, 400, /aggregate_function must be one of/],
      [`/runs/${oldRun}/result?project_id=someone-else`, 400, /project other than/],
      [`/runs/${oldRun}/result?filters=${encodeURIComponent('[{"field":"x"}]')}`, 400, /filters/],
      ['/runs/00000000-0000-4000-8000-000000000000/result', 404, /no run/],
      [`/v1/runs/${newRun}/compare-with/00000000-0000-4000-8000-000000000000`, 404, /no run/],
      [`/runs/${'x'.repeat(300)}/result`, 404, /no run/],
    ];
    for (const [path, status, message] of cases) {
      const response = await api.request('GET', path);
      expect(response.status, path).toBe(status);
      expect(await response.text(), path).toMatch(message);
    }
    const unauthenticated = await fetch(`${local.platform.url}/runs/${oldRun}/result`);
    expect(unauthenticated.status).toBe(401);
  });
});
