/**
 * Our SDK's evaluate() against the local platform: a stored dataset and an inline dataset with the
 * same rows, each datapoint a session readable through GET /v1/sessions/{id} with its run, dataset and
 * datapoint ids, outputs and metrics; the runs completed and compared through HoneyHive's own client
 * (honeyhive@1.0.42 getExperimentResult / getExperimentComparison, which validate the answers); resume
 * after an interruption; failures kept to their datapoint; bad options refused with no run left behind.
 */
import { EvaluateError, type EvaluateOptions, evaluate } from '@waggle/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROJECT = 'default';
const local = platformForFile('waggle-sdk-evaluate-', {
  projectName: PROJECT,
  writer: { maximumBatchingWindowMs: 100 },
});
let honeyhive: RecordingClient;

const ROWS = [
  { question: 'Capital of France?', answer: 'Paris' },
  { question: 'Capital of Peru?', answer: 'Lima' },
  { question: 'Capital of Japan?', answer: 'Tokyo' },
  { question: 'Capital of Kenya?', answer: 'Nairobi' },
];
/**
 * One name for the runs compared below: a session event is named after its run (as honeyhive's
 * evaluate() names it), and the platform's comparison keys a metric by event name, so session metrics
 * of runs named differently do not line up (see docs/datasets.md).
 */
const RUN_NAME = 'capitals';
const INLINE = ROWS.map((row) => ({
  inputs: { question: row.question },
  ground_truth: { answer: row.answer },
}));
/** The application under test: right on three capitals, wrong on Kenya. */
const KNOWN: Record<string, string> = { France: 'Paris', Peru: 'Lima', Japan: 'Tokyo', Kenya: 'Mombasa' };

async function capitalOf(inputs: Record<string, unknown>) {
  const country = /of (\w+)/.exec(String(inputs.question))?.[1] ?? '';
  return { answer: KNOWN[country] ?? 'unknown' };
}
function exact_match(outputs: unknown, _inputs: unknown, groundTruth: Record<string, unknown>) {
  return (outputs as { answer: string }).answer === groundTruth.answer;
}
function answer_length(outputs: unknown) {
  return (outputs as { answer: string }).answer.length;
}

const options = (): Pick<EvaluateOptions, 'apiKey' | 'project' | 'serverUrl' | 'print' | 'logger'> => ({
  apiKey: local.platform.apiKey,
  project: PROJECT,
  serverUrl: local.platform.url,
  print: () => {},
  logger: { debug: () => {}, warn: (line) => console.warn(line) },
});
const api = () => readApi(local.platform.url, local.platform.apiKey);

/** Each session read through GET /v1/sessions/{id} once the writer has stored its metrics and its function's and evaluators' spans. */
async function storedSessions(sessionIds: readonly string[]) {
  return eventually(async () => {
    const sessions = await Promise.all(sessionIds.map((id) => api().session(id)));
    const ready = sessions.every(
      // The session update and the spans are stored apart: wait for the metrics and the two child spans.
      (session) =>
        session.status === 200 &&
        Object.keys(session.body.metrics ?? {}).length > 0 &&
        session.body.children?.length >= 2,
    );
    // biome-ignore lint/suspicious/noExplicitAny: the session tree is checked field by field below
    return ready ? sessions.map((session) => session.body as any) : undefined;
  }, 30_000);
}

async function runCount(): Promise<number> {
  return (await honeyhive.client.experiments.getRuns(PROJECT)).evaluations?.length ?? 0;
}

let datasetId = '';
let datapointIds: string[] = [];

beforeAll(async () => {
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
  const created = await honeyhive.client.datasets.createDataset({ project: PROJECT, name: 'capitals' });
  datasetId = created.result?.insertedId as string;
  const added = await honeyhive.client.datasets.addDatapoints(
    { project: PROJECT, data: ROWS, mapping: { inputs: ['question'], groundTruth: ['answer'], history: [] } },
    datasetId,
  );
  datapointIds = added.datapointIds as string[];
});

describe('evaluate() on the local platform', () => {
  let storedRun = '';
  let inlineRun = '';
  let inlineDatapoints: string[] = [];

  it('runs a stored dataset: a completed run, one session per datapoint with its ids, outputs and metrics', async () => {
    const printed: string[] = [];
    const result = await evaluate({
      ...options(),
      print: (text) => printed.push(text),
      name: RUN_NAME,
      datasetId,
      metadata: { model: 'lookup-v1' },
      maxConcurrency: 2,
      function: capitalOf,
      evaluators: [exact_match, answer_length],
    });
    storedRun = result.runId;
    expect(result.summary).toMatchObject({ total: 4, passed: 3, failed: 1, skipped: 0 });
    expect(printed.join('\n')).toContain('4 run, 3 passed, 1 failed');
    expect(printed.join('\n')).toContain('exact_match: 75.0% true over 4');

    const run = (await honeyhive.client.experiments.getRun(storedRun)).evaluation;
    expect(run).toMatchObject({ status: 'completed', name: RUN_NAME, datasetId });
    expect(run?.eventIds?.slice().sort()).toEqual(result.sessionIds.slice().sort());
    expect(
      (honeyhive.lastBody() as { evaluation: { datapoint_ids: string[] } }).evaluation.datapoint_ids,
    ).toEqual(datapointIds);

    const sessions = await storedSessions(result.sessionIds);
    for (const session of sessions) {
      const outcome = result.datapoints.find((each) => each.sessionId === session.session_id);
      expect(session.event_type).toBe('session');
      expect(session.source).toBe('evaluation');
      expect(session.metadata).toMatchObject({
        run_id: storedRun,
        dataset_id: datasetId,
        datapoint_id: outcome?.datapointId,
        model: 'lookup-v1',
      });
      expect(session.outputs).toEqual(outcome?.outputs);
      expect(session.metrics).toEqual(outcome?.metrics);
      // The function and the evaluators are the session's children.
      const names = session.children.map((child: { event_name: string }) => child.event_name);
      expect(names).toEqual(expect.arrayContaining(['capitalOf', 'Evaluators']));
    }
    expect(new Set(sessions.map((session) => session.metadata.datapoint_id))).toEqual(new Set(datapointIds));
  });

  it('runs the same rows inline: hashed datapoint ids on the sessions', async () => {
    const result = await evaluate({
      ...options(),
      name: RUN_NAME,
      dataset: INLINE,
      function: capitalOf,
      evaluators: [exact_match, answer_length],
    });
    inlineRun = result.runId;
    inlineDatapoints = result.datapoints.map((each) => each.datapointId);
    expect(result.datasetId).toMatch(/^EXT-[0-9a-f]{24}$/);
    expect(inlineDatapoints.every((id) => /^EXT-[0-9a-f]{24}$/.test(id))).toBe(true);
    expect(result.summary).toMatchObject({ total: 4, passed: 3, failed: 1 });
    const sessions = await storedSessions(result.sessionIds);
    expect(sessions.map((session) => session.metadata.dataset_id)).toEqual(Array(4).fill(result.datasetId));
    expect(new Set(sessions.map((session) => session.metadata.datapoint_id))).toEqual(
      new Set(inlineDatapoints),
    );
    expect((await honeyhive.client.experiments.getRun(inlineRun)).evaluation?.status).toBe('completed');
  });

  it("the platform's result of each run agrees with evaluate()'s summary", async () => {
    for (const runId of [storedRun, inlineRun]) {
      const result = await eventually(async () => {
        const answer = await honeyhive.client.experiments.getExperimentResult(runId, PROJECT, 'average');
        return answer.datapoints?.length === 4 ? answer : undefined;
      }, 30_000);
      expect(result.passed).toHaveLength(3);
      expect(result.failed).toHaveLength(1);
      const exact = result.metrics?.details?.find((detail) => detail.metricName === 'exact_match');
      expect(exact).toMatchObject({ eventType: 'session', aggregate: 0.75 });
      const length = result.metrics?.details?.find((detail) => detail.metricName === 'answer_length');
      expect(length?.aggregate).toBeCloseTo((5 + 4 + 5 + 7) / 4, 10);
    }
  });

  it('compares the stored and the inline run, and two inline runs over their common datapoints', async () => {
    const across = await honeyhive.client.experiments.getExperimentComparison(inlineRun, storedRun, PROJECT);
    const exact = across.metrics?.find((metric) => metric.metricName === 'exact_match');
    expect(exact).toMatchObject({ oldAggregate: 0.75, newAggregate: 0.75 });
    // A stored datapoint's id is the platform's, an inline one's its hash: none in common, as on HoneyHive.
    expect(across.commonDatapoints).toEqual([]);

    // The application fixed: a rerun of the same inline rows compares datapoint by datapoint.
    KNOWN.Kenya = 'Nairobi';
    let rerun: string;
    try {
      rerun = (
        await evaluate({
          ...options(),
          name: RUN_NAME,
          dataset: INLINE,
          function: capitalOf,
          evaluators: [exact_match, answer_length],
        })
      ).runId;
    } finally {
      KNOWN.Kenya = 'Mombasa';
    }
    const comparison = await eventually(async () => {
      const answer = await honeyhive.client.experiments.getExperimentComparison(rerun, inlineRun, PROJECT);
      return answer.commonDatapoints?.length === 4 &&
        answer.metrics?.find((metric) => metric.metricName === 'exact_match')?.foundCount === 4
        ? answer
        : undefined;
    }, 30_000);
    expect(comparison.commonDatapoints?.slice().sort()).toEqual(inlineDatapoints.slice().sort());
    const fixed = comparison.metrics?.find((metric) => metric.metricName === 'exact_match');
    const kenya = inlineDatapoints[3];
    expect(fixed).toMatchObject({ improvedCount: 1, degradedCount: 0, sameCount: 3, improved: [kenya] });
    expect(fixed?.newAggregate).toBe(1);
  });
});

describe('evaluate() resume on the local platform', () => {
  it('runs only the datapoints a run has no result for', async () => {
    // A run stopped after its first two datapoints: the platform lists them, nothing else ran.
    const stopped = await honeyhive.client.experiments.createRun({
      project: PROJECT,
      name: 'capitals stopped',
      datasetId,
      eventIds: [],
      datapointIds: datapointIds.slice(0, 2),
    });
    const ran: unknown[] = [];
    const resumed = await evaluate({
      ...options(),
      datasetId,
      resumeRunId: stopped.runId as string,
      function: async (inputs) => {
        ran.push(inputs.question);
        return capitalOf(inputs);
      },
      evaluators: [exact_match],
    });
    expect(ran.sort()).toEqual([ROWS[2]?.question, ROWS[3]?.question].sort());
    expect(resumed.summary).toMatchObject({ total: 2, skipped: 2 });
    const run = (await honeyhive.client.experiments.getRun(stopped.runId as string)).evaluation;
    expect(run?.status).toBe('completed');
    expect(
      (honeyhive.lastBody() as { evaluation: { datapoint_ids: string[] } }).evaluation.datapoint_ids.sort(),
    ).toEqual(datapointIds.slice().sort());
  });

  it("goes by the run's stored sessions when its list was never written", async () => {
    const firstTwo = await evaluate({ ...options(), dataset: INLINE.slice(0, 2), function: capitalOf });
    // As if the process had died before completing the run: the sessions are stored, the list is not.
    await honeyhive.client.experiments.updateRun(
      { eventIds: [], datapointIds: [], status: 'pending' },
      firstTwo.runId,
    );
    await eventually(async () => {
      const result = await honeyhive.client.experiments.getExperimentResult(firstTwo.runId, PROJECT);
      return result.datapoints?.length === 2 ? true : undefined;
    }, 30_000);
    const ran: unknown[] = [];
    const resumed = await evaluate({
      ...options(),
      dataset: INLINE,
      resumeRunId: firstTwo.runId,
      function: async (inputs) => {
        ran.push(inputs.question);
        return capitalOf(inputs);
      },
    });
    expect(ran.sort()).toEqual([ROWS[2]?.question, ROWS[3]?.question].sort());
    const run = (await honeyhive.client.experiments.getRun(firstTwo.runId)).evaluation;
    expect(run?.status).toBe('completed');
    // The resumed call's session list is the run's whole list: the stored two and its own two.
    expect(resumed.sessionIds).toHaveLength(4);
    expect(resumed.sessionIds).toEqual(expect.arrayContaining(firstTwo.sessionIds));
    expect(run?.eventIds?.slice().sort()).toEqual(resumed.sessionIds.slice().sort());
  });
});

describe('evaluate() failures on the local platform', () => {
  it('a throwing function or evaluator fails its datapoint with the error on its session; the run completes', async () => {
    function strict(outputs: unknown) {
      if ((outputs as { answer: string }).answer === 'Lima') throw new Error('judge unavailable');
      return true;
    }
    const result = await evaluate({
      ...options(),
      dataset: INLINE,
      function: async (inputs) => {
        if (String(inputs.question).includes('Japan')) throw new Error('provider timed out');
        return capitalOf(inputs);
      },
      evaluators: [strict],
    });
    expect(result.summary).toMatchObject({ total: 4, passed: 2, failed: 2 });
    const sessions = await eventually(async () => {
      const all = await Promise.all(result.sessionIds.map((id) => api().session(id)));
      return all.filter((session) => session.status === 200 && session.body.error).length === 2
        ? all.map((session) => session.body)
        : undefined;
    }, 30_000);
    const errors = sessions
      .map((session) => session.error)
      .filter(Boolean)
      .sort();
    expect(errors).toEqual([
      'evaluator strict threw: judge unavailable',
      'function threw: provider timed out',
    ]);
    expect((await honeyhive.client.experiments.getRun(result.runId)).evaluation?.status).toBe('completed');
    const platformResult = await eventually(async () => {
      const answer = await honeyhive.client.experiments.getExperimentResult(result.runId, PROJECT);
      return answer.failed?.length === 2 ? answer : undefined;
    }, 30_000);
    expect(platformResult.failed?.slice().sort()).toEqual(
      result.datapoints
        .filter((each) => !each.passed)
        .map((each) => each.datapointId)
        .sort(),
    );
  });

  it('refuses bad options with a clear error and leaves no run behind', async () => {
    const before = await runCount();
    const cases: [Partial<EvaluateOptions>, RegExp][] = [
      [{ datasetId, maxConcurrency: 0 }, /maxConcurrency must be a whole number from 1 to 256, got 0/],
      [{ datasetId: 'f'.repeat(24) }, new RegExp(`no dataset ${'f'.repeat(24)} in project ${PROJECT}`)],
      [{ datasetId: 'not-a-dataset' }, /no dataset not-a-dataset in project/],
      [{ datasetId, dataset: INLINE }, /exactly one of datasetId/],
      [
        { datasetId, resumeRunId: '00000000-0000-4000-8000-000000000000' },
        /reading the run failed with HTTP 404/,
      ],
      [{ datasetId, apiKey: 'wgl_not_a_key' }, /reading the dataset failed with HTTP 401/],
    ];
    for (const [bad, message] of cases) {
      const failure = await evaluate({ ...options(), function: capitalOf, ...bad }).catch(
        (error: unknown) => error,
      );
      expect(failure, String(message)).toBeInstanceOf(EvaluateError);
      expect((failure as Error).message).toMatch(message);
    }
    expect(await runCount()).toBe(before);
  });
});
