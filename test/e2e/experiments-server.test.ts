/**
 * Server-side experiments on the local platform (`npm start`'s wiring): a prompt configuration
 * created through the real `honeyhive` client and synced from the control plane, run over a dataset
 * by `POST /v1/experiments` against a fake OpenAI-compatible provider, through the experiment
 * workflow's own definition in the local ASL interpreter. Its sessions and their model events are
 * stored like any event (run, dataset and datapoint in their metadata, the ground truth in the
 * session's feedback), an online judge scores every model event of the run although it samples 1%,
 * and the run's result reads through the client. A run whose provider fails some datapoints fails
 * past its tolerance, and its redrive calls the provider for those datapoints only. Hostile requests
 * are refused and change nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluatorDefinition } from '../../lambdas/domain/evaluators/evaluator';
import { experimentSessionId } from '../../lambdas/domain/experiments/server/session-id';
import { type FakeProvider, startFakeOpenAICompatible } from '../support/fake-providers';
import type { RecordedRequest } from '../support/fake-providers/fake-http-server';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { type ExportedEvent, eventually, readApi } from '../support/read-api-client';
import { platformForFile, WITH_CONTROL_PLANE } from '../support/temp-platform';

const PROJECT = 'default';
const PROVIDER_SECRET = 'sk-fake-experiments-e2e-SECRET-9f8e7d';
const JUDGE_MARK = 'impartial evaluator';

const local = platformForFile('waggle-experiments-', {
  ...WITH_CONTROL_PLANE,
  projectName: PROJECT,
  workflowRetryIntervalMs: 0,
  // Online session evaluators wait this long for a session to be quiet: the run's own metric must not run again then.
  sessionQuietSeconds: 1,
});
let fake: FakeProvider;
let honeyhive: RecordingClient;
let configurationId = '';
/** Questions whose calls the fake provider fails with a 500 while this is true. */
let flaky = true;

const promptOf = (request: RecordedRequest) =>
  JSON.stringify((request.body as { messages?: unknown })?.messages ?? '');
const isJudge = (request: RecordedRequest) => promptOf(request).includes(JUDGE_MARK);

/** An LLM judge: `id`, the event type it scores, and a mark in its prompt to count its calls by. */
const judge = (id: string, eventType: 'session' | 'model', mark: string): EvaluatorDefinition => ({
  id,
  projectId: local.platform.projectId,
  name: id,
  version: 1,
  type: 'model',
  description: '',
  prompt: `${mark} Answer: {{outputs.content}}\nIs it right?`,
  returnType: 'float',
  threshold: { min: 0.5 },
  needsGroundTruth: eventType === 'session',
  enabledInProd: true,
  modelProvider: 'openai-compatible',
  modelName: 'gpt-4o-mini',
  eventType,
  // 1%: a run's events are all scored whatever the sampling.
  samplingPercentage: 1,
  filters: [{ field: 'source', operator: 'is', value: 'waggle-experiment' }],
  createdAt: 0,
  updatedAt: 0,
});
/** The run's own metric (metric_ids): scored by the run on each session, with the datapoint's ground truth. */
const SESSION_JUDGE = { id: 'session-judge', name: 'session-judge' };
/** Enabled online only: scores the run's model events online, at 100% although it samples 1%. */
const MODEL_JUDGE = { id: 'model-judge', name: 'model-judge' };

beforeAll(async () => {
  fake = await startFakeOpenAICompatible({ apiKey: PROVIDER_SECRET });
  fake.respondWith((request) => {
    const prompt = promptOf(request);
    if (prompt.includes(JUDGE_MARK)) return { text: 'Right. [[0.9]]' };
    if (flaky && prompt.includes('FLAKY')) return { error: { status: 500 } };
    return { text: `Answer to ${prompt.length}` };
  });
  const api = readApi(local.platform.url, local.platform.apiKey);
  await api.putProviderKey('openai-compatible', { api_key: PROVIDER_SECRET, base_url: fake.url });
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
  await honeyhive.client.configurations.createConfiguration({
    project: PROJECT,
    name: 'answerer',
    provider: 'openai-compatible',
    env: ['dev'],
    parameters: {
      callType: 'chat',
      model: 'gpt-4o-mini',
      hyperparameters: { temperature: 0, max_tokens: 50 },
      additionalProperties: { template: [{ role: 'user', content: 'Answer briefly: {{question}}' }] },
    },
  } as never);
  const [configuration] = await eventually(async () => {
    const list = await honeyhive.client.configurations.getConfigurations(PROJECT, undefined, 'answerer');
    return list.length === 1 ? list : undefined;
  });
  configurationId = configuration?.id as string;
  local.platform.evaluators.put(judge(SESSION_JUDGE.id, 'session', 'SESSION-JUDGE'));
  local.platform.evaluators.put(judge(MODEL_JUDGE.id, 'model', 'MODEL-JUDGE'));
}, 90_000);

afterAll(async () => {
  await fake?.close();
});

async function dataset(name: string, questions: string[]): Promise<{ id: string; datapoints: string[] }> {
  const created = await honeyhive.client.datasets.createDataset({ project: PROJECT, name } as never);
  const id = created.result?.insertedId as string;
  const added = await honeyhive.client.datasets.addDatapoints(
    {
      project: PROJECT,
      data: questions.map((question, index) => ({ question, answer: `truth ${index}` })),
      mapping: { inputs: ['question'], groundTruth: ['answer'], history: [] },
    } as never,
    id,
  );
  return { id, datapoints: added.datapointIds as string[] };
}

const call = (method: string, path: string, body?: unknown) =>
  readApi(local.platform.url, local.platform.apiKey).request(method, path, body);

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
async function experiment(runId: string): Promise<any> {
  const response = await call('GET', `/v1/experiments/${runId}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

const settled = (runId: string) =>
  eventually(
    async () => {
      const state = await experiment(runId);
      // Finalize records the run a moment before the execution itself ends.
      return state.status === 'running' || state.execution.status === 'RUNNING' ? undefined : state;
    },
    120_000,
    200,
  );

async function runEvents(runId: string): Promise<ExportedEvent[]> {
  const api = readApi(local.platform.url, local.platform.apiKey);
  return (
    await api.export({
      filters: [{ field: 'metadata.run_id', operator: 'is', value: runId, type: 'string' }],
    })
  ).events;
}

describe('a server-side experiment of a configuration over a dataset', () => {
  it('completes through the state machine; its sessions and model events are stored with the run, scored at 100%', async () => {
    const questions = Array.from({ length: 13 }, (_, index) => `Question ${index}?`);
    const { id: datasetId, datapoints } = await dataset('server-side', questions);
    const response = await call('POST', '/v1/experiments', {
      name: 'server-side run',
      dataset_id: datasetId,
      configuration_id: configurationId,
      metric_ids: [SESSION_JUDGE.id],
      metadata: { commit: 'abc123' },
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const started = (await response.json()) as {
      run_id: string;
      datapoints: number;
      max_concurrency: number;
    };
    expect(started).toMatchObject({ datapoints: 13, max_concurrency: 10 });
    const state = await settled(started.run_id);
    expect(state).toMatchObject({
      status: 'completed',
      dataset_id: datasetId,
      datapoints: 13,
      sessions: 13,
      execution: { status: 'SUCCEEDED', items: { total: 2, succeeded: 2, failed: 0 } },
      counts: { datapoints: 13, batches: 2, succeeded: 13, errored: 0, failed: 0 },
    });

    // Every session and its model event, stored like any event; every session scored by the run's
    // metric, every model event by the online judge (sampling 1%).
    const scoreOf = (event: ExportedEvent, name: string) =>
      (event.metrics as Record<string, unknown>)?.[name];
    const events = await eventually(
      async () => {
        const found = await runEvents(started.run_id);
        const sessions = found.filter((event) => event.event_type === 'session');
        const models = found.filter((event) => event.event_type === 'model');
        return sessions.length === 13 &&
          models.length === 13 &&
          sessions.every((event) => scoreOf(event, SESSION_JUDGE.name) === 0.9) &&
          models.every((event) => scoreOf(event, MODEL_JUDGE.name) === 0.9)
          ? found
          : undefined;
      },
      90_000,
      500,
    );
    const first = datapoints[0] as string;
    const session = events.find((event) => event.event_id === experimentSessionId(started.run_id, first));
    expect(session).toMatchObject({
      event_type: 'session',
      source: 'waggle-experiment',
      event_name: 'server-side run',
      inputs: { question: 'Question 0?' },
      feedback: { ground_truth: { answer: 'truth 0' } },
      metadata: { run_id: started.run_id, dataset_id: datasetId, datapoint_id: first },
    });
    expect((session?.outputs as { content?: string } | undefined)?.content).toMatch(/^Answer to/);
    const model = events.find(
      (event) => event.event_type === 'model' && event.session_id === session?.event_id,
    );
    expect(model).toMatchObject({
      parent_id: session?.event_id,
      provider: 'openai-compatible',
      model: 'gpt-4o-mini',
      metadata: { run_id: started.run_id, datapoint_id: first },
    });
    expect(
      fake.requests.find((request) => promptOf(request).includes('Answer briefly: Question 0?'))?.headers
        .authorization,
    ).toBe(`Bearer ${PROVIDER_SECRET}`);

    // The run is HoneyHive's: its result through the client, with the judge's scores.
    const result = await eventually(
      async () => {
        const found = await honeyhive.client.experiments.getExperimentResult(started.run_id, PROJECT);
        return found.datapoints?.length === 13 ? found : undefined;
      },
      30_000,
      500,
    );
    expect(result.status).toBe('completed');
    expect(result.passed).toHaveLength(13);
    const run = await honeyhive.client.experiments.getRun(started.run_id);
    expect(run.evaluation?.status).toBe('completed');
    expect(run.evaluation?.metadata).toMatchObject({ commit: 'abc123' });
    // The run's metric ran once per session, in the run: online evaluation left it to the run.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const judged = (mark: string) =>
      fake.requests.filter((request) => promptOf(request).includes(mark)).length;
    expect(judged('SESSION-JUDGE')).toBe(13);
    expect(judged('MODEL-JUDGE')).toBe(13);
  }, 240_000);

  it('fails past its tolerance when the provider fails some datapoints, and a redrive reruns only those', async () => {
    const questions = Array.from({ length: 12 }, (_, index) =>
      index === 3 || index === 7 ? `FLAKY ${index}?` : `Steady ${index}?`,
    );
    const { id: datasetId, datapoints } = await dataset('flaky', questions);
    flaky = true;
    const response = await call('POST', '/v1/experiments', {
      name: 'flaky run',
      dataset_id: datasetId,
      configuration_id: configurationId,
    });
    expect(response.status, await response.clone().text()).toBe(202);
    const { run_id: runId } = (await response.json()) as { run_id: string };
    const failed = await settled(runId);
    // Both flaky datapoints are in batch 0: 1 of 2 batches failed, past the 10% tolerated.
    expect(failed).toMatchObject({
      status: 'failed',
      execution: { status: 'FAILED', items: { total: 2, succeeded: 1, failed: 1 }, redrive_count: 0 },
    });
    expect(failed.execution.error).toMatch(/ExceedToleratedFailureThreshold/);

    flaky = false;
    const before = fake.requests.length;
    const redrive = await call('POST', `/v1/experiments/${runId}/redrive`);
    expect(redrive.status, await redrive.clone().text()).toBe(202);
    const done = await settled(runId);
    expect(done).toMatchObject({
      status: 'completed',
      execution: { status: 'SUCCEEDED', redrive_count: 1 },
      counts: { datapoints: 12, succeeded: 12, failed: 0 },
    });
    const rerun = fake.requests.slice(before).filter((request) => !isJudge(request));
    expect(rerun.map((request) => promptOf(request).match(/FLAKY \d+|Steady \d+/)?.[0]).sort()).toEqual([
      'FLAKY 3',
      'FLAKY 7',
    ]);
    // A second redrive of a completed run is a conflict.
    expect((await call('POST', `/v1/experiments/${runId}/redrive`)).status).toBe(409);
    // The redriven datapoints' sessions were replaced: one session per datapoint, none in error.
    const sessions = await eventually(
      async () => {
        const found = (await runEvents(runId)).filter((event) => event.event_type === 'session');
        return found.length === 12 && found.every((event) => event.error === null) ? found : undefined;
      },
      60_000,
      500,
    );
    expect(sessions.map((event) => event.event_id).sort()).toEqual(
      datapoints.map((datapoint) => experimentSessionId(runId, datapoint)).sort(),
    );
  }, 240_000);

  it("runs an HTTP endpoint over a dataset, with its headers, the answers as the sessions' outputs", async () => {
    const received: {
      authorization?: string;
      body: { inputs: { question: string }; datapoint_id: string };
    }[] = [];
    const server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => {
        text += chunk;
      });
      request.on('end', () => {
        const body = JSON.parse(text);
        received.push({ authorization: request.headers.authorization, body });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ answer: `echo ${body.inputs.question}` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const { id: datasetId } = await dataset('endpoint', ['One?', 'Two?', 'Three?']);
      const response = await call('POST', '/v1/experiments', {
        name: 'endpoint run',
        dataset_id: datasetId,
        endpoint: { url: `http://127.0.0.1:${port}/run`, headers: { Authorization: 'Bearer app-token' } },
      });
      expect(response.status, await response.clone().text()).toBe(202);
      const { run_id: runId } = (await response.json()) as { run_id: string };
      expect(await settled(runId)).toMatchObject({ status: 'completed', counts: { succeeded: 3 } });
      expect(received.map((one) => one.body.inputs.question).sort()).toEqual(['One?', 'Three?', 'Two?']);
      expect(new Set(received.map((one) => one.authorization))).toEqual(new Set(['Bearer app-token']));
      const sessions = await eventually(
        async () => {
          const found = (await runEvents(runId)).filter((event) => event.event_type === 'session');
          return found.length === 3 ? found : undefined;
        },
        30_000,
        300,
      );
      expect(sessions.map((event) => (event.outputs as { answer: string }).answer).sort()).toEqual([
        'echo One?',
        'echo Three?',
        'echo Two?',
      ]);
      // The headers are in neither the run nor its sessions.
      const run = await honeyhive.client.experiments.getRun(runId);
      expect(JSON.stringify(run)).not.toContain('app-token');
      expect(JSON.stringify(sessions)).not.toContain('app-token');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);

  it('refuses hostile requests with a clear error and records no run', async () => {
    const { id: datasetId } = await dataset('hostile', ['Only?']);
    const runsBefore = (await honeyhive.client.experiments.getRuns(PROJECT)).evaluations?.length ?? 0;
    const UNKNOWN_RUN = '/v1/experiments/00000000-0000-4000-8000-000000000000';
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/v1/experiments', '{not json', 400, /JSON/],
      ['POST', '/v1/experiments', [], 400, /object/],
      ['POST', '/v1/experiments', { name: 'x', dataset_id: datasetId }, 400, /exactly one of/],
      [
        'POST',
        '/v1/experiments',
        {
          name: 'x',
          dataset_id: datasetId,
          configuration_id: configurationId,
          endpoint: { url: 'https://a.example' },
        },
        400,
        /exactly one of/,
      ],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: datasetId, configuration_id: configurationId, extra: 1 },
        400,
        /unknown fields/,
      ],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: 'f'.repeat(24), configuration_id: configurationId },
        404,
        /no dataset/,
      ],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: datasetId, configuration_id: 'nope' },
        404,
        /no configuration/,
      ],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: datasetId, configuration_id: configurationId, metric_ids: ['nope'] },
        404,
        /no metric/,
      ],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: datasetId, endpoint: { url: 'ftp://a.example/run' } },
        400,
        /endpoint.url must be https/,
      ],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: datasetId, endpoint: { url: 'http://api.example.com/run' } },
        400,
        /https \(http only on 127.0.0.1/,
      ],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: datasetId, configuration_id: configurationId, max_concurrency: 1000 },
        400,
        /max_concurrency/,
      ],
      [
        'POST',
        '/v1/experiments',
        {
          name: 'x',
          dataset_id: datasetId,
          configuration_id: configurationId,
          metadata: { a: 'x'.repeat(20_000) },
        },
        413,
        /larger than/,
      ],
      ['POST', '/v1/experiments', { name: 'x'.repeat(70_000) }, 413, /./],
      [
        'POST',
        '/v1/experiments',
        { name: 'x', dataset_id: datasetId, configuration_id: configurationId, project: 'another' },
        400,
        /project other than/,
      ],
      ['GET', UNKNOWN_RUN, undefined, 404, /no server-side experiment/],
      ['GET', '/v1/experiments/%ff', undefined, 400, /./],
      ['POST', `${UNKNOWN_RUN}/redrive`, undefined, 404, /no server-side experiment/],
      ['DELETE', '/v1/experiments', undefined, 405, /./],
    ];
    for (const [method, path, body, status, message] of cases) {
      const response =
        typeof body === 'string'
          ? await fetch(`${local.platform.url}${path}`, {
              method,
              headers: {
                authorization: `Bearer ${local.platform.apiKey}`,
                'content-type': 'application/json',
              },
              body,
            })
          : await call(method, path, body);
      const text = await response.text();
      expect(response.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}: ${text}`).toBe(
        status,
      );
      expect(text).toMatch(message);
    }
    // Without a key, nothing.
    const anonymous = await fetch(`${local.platform.url}/v1/experiments`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect((await honeyhive.client.experiments.getRuns(PROJECT)).evaluations?.length ?? 0).toBe(runsBefore);
  }, 60_000);
});
