/**
 * evaluate() against a fake platform: what it sends and in what order, what the function and the
 * evaluators receive, failures kept to their datapoint, the concurrency bound, resume, and bad options
 * refused before anything is created.
 */
import { createHash } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EvaluateError,
  type EvaluateOptions,
  evaluate,
  MAX_EVALUATE_DATAPOINTS,
  WaggleTracer,
} from '../../src/index';
import { type FakeDataset, type FakePlatform, startFakePlatform } from './fake-platform';

const DATASET: FakeDataset = {
  id: 'a'.repeat(24),
  datapoints: [1, 2, 3].map((n) => ({
    _id: `${n}`.repeat(24),
    inputs: { question: `${n} + ${n}?` },
    ground_truth: { answer: String(n + n) },
  })),
};

let platform: FakePlatform;
const printed: string[] = [];

beforeEach(async () => {
  platform = await startFakePlatform([DATASET]);
  printed.length = 0;
});
afterEach(() => platform.close());

const settings = () => ({
  apiKey: 'key',
  project: 'evals',
  serverUrl: platform.url,
  print: (text: string) => printed.push(text),
  logger: { debug: () => {}, warn: () => {} },
});

function add(inputs: Record<string, unknown>) {
  const [a] = String(inputs.question).split(' + ');
  return { answer: String(Number(a) * 2) };
}
function exact(outputs: unknown, _inputs: Record<string, unknown>, groundTruth: Record<string, unknown>) {
  return (outputs as { answer: string }).answer === groundTruth.answer;
}
function length(outputs: unknown) {
  return (outputs as { answer: string }).answer.length;
}

const sessionStarts = () =>
  platform.calls
    .filter((call) => call.path === '/session/start')
    .map((call) => (call.body as { session: Record<string, unknown> }).session);
const sessionUpdates = () =>
  platform.calls
    .filter((call) => call.method === 'PUT' && call.path === '/events')
    .map((call) => call.body as Record<string, unknown>);
const md5Id = (value: unknown) =>
  `EXT-${createHash('md5').update(JSON.stringify(value)).digest('hex').slice(0, 24)}`;

describe('evaluate() over a stored dataset', () => {
  it('reads the dataset, creates the run, traces each datapoint as a session and completes the run', async () => {
    const seen: unknown[][] = [];
    const result = await evaluate({
      ...settings(),
      name: 'doubling',
      datasetId: DATASET.id,
      metadata: { model: 'm1' },
      function: (inputs, groundTruth) => {
        seen.push([inputs, groundTruth]);
        return add(inputs);
      },
      evaluators: [exact, length],
    });

    const order = platform.calls
      .map((call) => `${call.method} ${call.path}`)
      .filter((call) => !call.includes('/v1/traces'));
    expect(order.slice(0, 3)).toEqual(['GET /datasets', 'GET /datapoints', 'POST /runs']);
    expect(order.at(-1)).toBe(`PUT /runs/${result.runId}`);
    expect(platform.calls[0]?.query.get('project')).toBe('evals');

    expect(platform.calls[2]?.body).toEqual({
      project: 'evals',
      name: 'doubling',
      dataset_id: DATASET.id,
      event_ids: [],
      status: 'pending',
      metadata: { model: 'm1' },
    });
    expect(seen).toEqual(DATASET.datapoints.map((each) => [each.inputs, each.ground_truth]));

    const starts = sessionStarts();
    expect(starts.map((start) => start.metadata)).toEqual(
      DATASET.datapoints.map((each) => ({
        model: 'm1',
        run_id: result.runId,
        dataset_id: DATASET.id,
        datapoint_id: each._id,
      })),
    );
    expect(starts.every((start) => start.source === 'evaluation' && start.session_name === 'doubling')).toBe(
      true,
    );
    expect(starts.map((start) => start.inputs)).toEqual(DATASET.datapoints.map((each) => each.inputs));

    const updates = sessionUpdates();
    expect(updates).toHaveLength(3);
    for (const update of updates) {
      const start = starts.find((each) => each.session_id === update.event_id);
      const index = starts.indexOf(start as Record<string, unknown>);
      const expected = String(2 * (index + 1));
      expect(update).toEqual({
        event_id: start?.session_id,
        outputs: { answer: expected },
        metrics: { exact: true, length: expected.length },
      });
    }

    const run = platform.runs.get(result.runId);
    expect(run?.status).toBe('completed');
    expect(run?.event_ids.sort()).toEqual(starts.map((start) => start.session_id).sort());
    expect(run?.datapoint_ids).toEqual(DATASET.datapoints.map((each) => each._id));
    expect(result.sessionIds.sort()).toEqual(run?.event_ids);
    expect(result.summary).toMatchObject({ total: 3, passed: 3, failed: 0, skipped: 0 });
    expect(result.summary.metrics).toEqual([
      { name: 'exact', type: 'boolean', count: 3, aggregate: 1 },
      { name: 'length', type: 'numeric', count: 3, aggregate: 1, min: 1, max: 1 },
    ]);
    expect(printed.join('\n')).toContain(`run ${result.runId} completed`);
    expect(printed.join('\n')).toContain('3 run, 3 passed, 0 failed');
    expect(printed.join('\n')).toContain('exact: 100.0% true over 3');
  });

  it('keeps a throwing function or evaluator to its datapoint: failed with its error, the run completed', async () => {
    function flaky(outputs: unknown) {
      if ((outputs as { answer: string }).answer === '4') throw new Error('judge unavailable');
      return 1;
    }
    const result = await evaluate({
      ...settings(),
      datasetId: DATASET.id,
      function: (inputs) => {
        if (inputs.question === '3 + 3?') throw new Error('provider timed out');
        return add(inputs);
      },
      evaluators: [exact, flaky],
    });
    const byDatapoint = new Map(result.datapoints.map((each) => [each.datapointId, each]));
    expect(byDatapoint.get('1'.repeat(24))).toMatchObject({
      passed: true,
      metrics: { exact: true, flaky: 1 },
    });
    expect(byDatapoint.get('2'.repeat(24))).toMatchObject({
      passed: false,
      metrics: { exact: true, flaky: null },
      error: 'evaluator flaky threw: judge unavailable',
    });
    expect(byDatapoint.get('3'.repeat(24))).toMatchObject({
      passed: false,
      outputs: null,
      metrics: {},
      error: 'function threw: provider timed out',
    });
    const errors = sessionUpdates()
      .map((update) => update.error)
      .filter(Boolean)
      .sort();
    expect(errors).toEqual([
      'evaluator flaky threw: judge unavailable',
      'function threw: provider timed out',
    ]);
    expect(platform.runs.get(result.runId)?.status).toBe('completed');
    expect(platform.runs.get(result.runId)?.datapoint_ids).toHaveLength(3);
    expect(result.summary).toMatchObject({ total: 3, passed: 1, failed: 2 });
  });

  it('counts a false evaluator result as a failed datapoint', async () => {
    const result = await evaluate({
      ...settings(),
      datasetId: DATASET.id,
      function: () => ({ answer: '4' }),
      evaluators: [exact],
    });
    expect(result.summary).toMatchObject({ passed: 1, failed: 2 });
    expect(result.summary.metrics[0]?.aggregate).toBeCloseTo(1 / 3);
  });
});

describe('evaluate() over an inline dataset', () => {
  const rows = [
    { inputs: { question: '1 + 1?' }, ground_truth: { answer: '2' } },
    { inputs: { question: '5 + 5?' }, ground_truths: { answer: '10' } },
  ];

  it('gives datapoints and the dataset honeyhive-style hashed ids, the same on every run', async () => {
    const groundTruths: unknown[] = [];
    const options: EvaluateOptions = {
      ...settings(),
      dataset: rows,
      function: (inputs, groundTruth) => {
        groundTruths.push(groundTruth);
        return add(inputs);
      },
      evaluators: [exact],
    };
    const first = await evaluate(options);
    const second = await evaluate(options);
    expect(first.datasetId).toBe(md5Id(rows));
    expect(first.datapoints.map((each) => each.datapointId)).toEqual(rows.map(md5Id));
    expect(second.datapoints.map((each) => each.datapointId)).toEqual(rows.map(md5Id));
    expect(second.runId).not.toBe(first.runId);
    expect(groundTruths).toContainEqual({ answer: '10' });
    expect(platform.calls.some((call) => call.path === '/datasets')).toBe(false);
    // The platform's runs name stored datasets only: the hashed id is on the sessions.
    expect(platform.runs.get(first.runId)?.dataset_id).toBeNull();
    expect(sessionStarts().map((start) => (start.metadata as { dataset_id: string }).dataset_id)).toEqual(
      Array(4).fill(md5Id(rows)),
    );
    expect(first.summary).toMatchObject({ total: 2, passed: 2 });
  });

  it('runs duplicated rows each, under one hashed id, listed once on the run', async () => {
    const row = { inputs: { question: '2 + 2?' }, ground_truth: { answer: '4' } };
    const result = await evaluate({ ...settings(), dataset: [row, { ...row }], function: add });
    expect(result.datapoints.map((each) => each.datapointId)).toEqual([md5Id(row), md5Id(row)]);
    expect(new Set(result.sessionIds).size).toBe(2);
    expect(platform.runs.get(result.runId)?.datapoint_ids).toEqual([md5Id(row)]);
  });

  it('wraps an output that is not an object as { output }', async () => {
    await evaluate({ ...settings(), dataset: [rows[0] as never], function: () => 'two' });
    expect(sessionUpdates()[0]?.outputs).toEqual({ output: 'two' });
  });
});

describe('evaluate() concurrency', () => {
  it('runs at most maxConcurrency datapoints at once, and uses them all', async () => {
    const rows = Array.from({ length: 12 }, (_, n) => ({ inputs: { n }, ground_truth: {} }));
    let active = 0;
    let most = 0;
    await evaluate({
      ...settings(),
      dataset: rows,
      maxConcurrency: 4,
      function: async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        active--;
        return {};
      },
    });
    expect(most).toBe(4);
  });
});

describe('evaluate() resume', () => {
  it('runs only the datapoints without a result in the run, then completes it with all of them', async () => {
    const first = await evaluate({
      ...settings(),
      datasetId: DATASET.id,
      function: add,
      evaluators: [exact],
    });
    const run = platform.runs.get(first.runId);
    if (!run) throw new Error('no run');
    // As if the first call had stopped after datapoint 1, and datapoint 2's session was stored.
    const [one, two] = first.datapoints;
    Object.assign(run, { status: 'pending', event_ids: [one?.sessionId], datapoint_ids: [one?.datapointId] });
    platform.results.set(run.run_id, [
      { datapoint_id: two?.datapointId ?? '', session_id: two?.sessionId ?? '' },
    ]);
    const ran: unknown[] = [];
    const resumed = await evaluate({
      ...settings(),
      datasetId: DATASET.id,
      resumeRunId: run.run_id,
      function: (inputs) => {
        ran.push(inputs);
        return add(inputs);
      },
      evaluators: [exact],
    });
    expect(ran).toEqual([{ question: '3 + 3?' }]);
    expect(resumed.runId).toBe(run.run_id);
    expect(resumed.summary).toMatchObject({ total: 1, passed: 1, skipped: 2 });
    expect(run.status).toBe('completed');
    expect(run.datapoint_ids.sort()).toEqual(DATASET.datapoints.map((each) => each._id).sort());
    expect(run.event_ids).toHaveLength(3);
    expect(run.event_ids).toContain(two?.sessionId);
    expect(platform.calls.filter((call) => call.method === 'POST' && call.path === '/runs')).toHaveLength(1);
  });

  it('goes by the run list alone on a platform without results', async () => {
    const first = await evaluate({ ...settings(), datasetId: DATASET.id, function: add });
    const resumed = await evaluate({
      ...settings(),
      datasetId: DATASET.id,
      resumeRunId: first.runId,
      function: add,
    });
    expect(resumed.summary).toMatchObject({ total: 0, skipped: 3 });
    expect(platform.runs.get(first.runId)?.status).toBe('completed');
  });

  it('refuses to resume a run over another dataset, or one that does not exist', async () => {
    const other = await evaluate({ ...settings(), dataset: [{ inputs: {} }], function: add });
    await expect(
      evaluate({ ...settings(), datasetId: DATASET.id, resumeRunId: other.runId, function: add }),
    ).rejects.toThrow(`run ${other.runId} is over dataset (inline), not ${DATASET.id}`);
    await expect(
      evaluate({ ...settings(), datasetId: DATASET.id, resumeRunId: 'no-such-run', function: add }),
    ).rejects.toThrow(/reading the run failed with HTTP 404: no such run/);
  });
});

describe('evaluate() refuses bad options before creating anything', () => {
  const base = () => ({ ...settings(), datasetId: DATASET.id, function: add });
  const cases: [string, () => EvaluateOptions, RegExp][] = [
    [
      'maxConcurrency 0',
      () => ({ ...base(), maxConcurrency: 0 }),
      /maxConcurrency must be a whole number from 1 to 256, got 0/,
    ],
    ['maxConcurrency -3', () => ({ ...base(), maxConcurrency: -3 }), /got -3/],
    ['maxConcurrency 1.5', () => ({ ...base(), maxConcurrency: 1.5 }), /got 1.5/],
    ['maxConcurrency NaN', () => ({ ...base(), maxConcurrency: Number.NaN }), /got NaN/],
    ['maxConcurrency 10,000', () => ({ ...base(), maxConcurrency: 10_000 }), /got 10000/],
    ['no function', () => ({ ...base(), function: undefined as never }), /function is required/],
    ['both datasets', () => ({ ...base(), dataset: [] }), /exactly one of datasetId/],
    ['neither dataset', () => ({ ...settings(), function: add }), /exactly one of datasetId/],
    ['an empty dataset id', () => ({ ...base(), datasetId: ' ' }), /datasetId must be a non-empty string/],
    [
      'a dataset that is not a list',
      () => ({ ...settings(), function: add, dataset: {} as never }),
      /dataset must be a list/,
    ],
    [
      'a row that is not an object',
      () => ({ ...settings(), function: add, dataset: [null] as never }),
      /dataset\[0\] must be an object/,
    ],
    [
      'a row that is not JSON',
      () => ({ ...settings(), function: add, dataset: [{ inputs: { n: 1n } }] }),
      /dataset\[0\] is not JSON/,
    ],
    [
      'too many rows',
      () => ({
        ...settings(),
        function: add,
        dataset: Array.from({ length: MAX_EVALUATE_DATAPOINTS + 1 }, (_, n) => ({ inputs: { n } })),
      }),
      /5001 datapoints; one run holds at most 5000/,
    ],
    [
      'an evaluator that is not a function',
      () => ({ ...base(), evaluators: [exact, 'exact' as never] }),
      /evaluators\[1\] is not a function/,
    ],
    [
      'two evaluators of one name',
      () => ({ ...base(), evaluators: [exact, exact] }),
      /two evaluators are named exact/,
    ],
    ['metadata that is a list', () => ({ ...base(), metadata: [] as never }), /metadata must be an object/],
    ['no API key', () => ({ ...base(), apiKey: undefined, config: undefined }), /apiKey is missing/],
    [
      'an unknown dataset',
      () => ({ ...base(), datasetId: 'f'.repeat(24) }),
      new RegExp(`no dataset ${'f'.repeat(24)} in project evals`),
    ],
  ];
  it.each(cases)('%s', async (_label, options, message) => {
    const saved = { WAGGLE_API_KEY: process.env.WAGGLE_API_KEY, HH_API_KEY: process.env.HH_API_KEY };
    delete process.env.WAGGLE_API_KEY;
    delete process.env.HH_API_KEY;
    try {
      const failure = await evaluate(options()).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(EvaluateError);
      expect((failure as Error).message).toMatch(message);
    } finally {
      Object.assign(process.env, saved);
    }
    expect(platform.calls.filter((call) => call.method !== 'GET')).toEqual([]);
  });

  it('says what the platform answered when the run cannot be created, and runs nothing', async () => {
    platform.fail.set('POST /runs', 500);
    let called = false;
    await expect(
      evaluate({
        ...base(),
        function: () => {
          called = true;
        },
      }),
    ).rejects.toThrow('creating the run failed with HTTP 500: injected failure of POST /runs');
    expect(called).toBe(false);
  });
});

describe('evaluate() with a tracer of your own', () => {
  it("traces through it, so the function's own spans land in the datapoint's session; it stays open", async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new WaggleTracer({
      apiKey: 'key',
      project: 'evals',
      serverUrl: platform.url,
      spanProcessor: new SimpleSpanProcessor({ exporter }),
      logger: { debug: () => {}, warn: () => {} },
    });
    const generate = tracer.trace(async (question: string) => `echo ${question}`, {
      name: 'generate',
      eventType: 'model',
    });
    const result = await evaluate({
      tracer,
      print: () => {},
      datasetId: DATASET.id,
      function: async (inputs) => ({ answer: await generate(String(inputs.question)) }),
    });
    expect(platform.runs.get(result.runId)?.status).toBe('completed');
    const sessionOf = (name: string) =>
      exporter
        .getFinishedSpans()
        .filter((span) => span.name === name)
        .map((span) => span.attributes.honeyhive_session_id)
        .sort();
    expect(sessionOf('generate')).toEqual(result.sessionIds.slice().sort());
    expect(sessionOf('generate')).toEqual(sessionOf('function'));
    expect(tracer.enabled).toBe(true);
    await tracer.shutdown();
    await expect(evaluate({ tracer, datasetId: DATASET.id, function: add })).rejects.toThrow(
      'tracer must be an enabled WaggleTracer',
    );
  });

  it('marks the run failed when something other than a datapoint fails after it exists', async () => {
    class BrokenTracer extends WaggleTracer {
      override withSession<T>(): T {
        throw new Error('context lost');
      }
    }
    const tracer = new BrokenTracer({
      apiKey: 'key',
      project: 'evals',
      serverUrl: platform.url,
      logger: { debug: () => {}, warn: () => {} },
    });
    await expect(evaluate({ tracer, datasetId: DATASET.id, function: add })).rejects.toThrow('context lost');
    const [run] = platform.runs.values();
    expect(run?.status).toBe('failed');
    await tracer.shutdown();
  });
});
