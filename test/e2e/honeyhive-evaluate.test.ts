/**
 * The real honeyhive@1.0.42 evaluate() against the local platform. Its tracer honours `serverUrl`
 * (session starts, session updates and OTLP spans go to the platform), but its run, dataset and
 * datapoint calls do not: evaluate() hands `serverUrl` to its HoneyHive client, whose option is
 * spelled `serverURL`, so those calls go to https://api.honeyhive.ai. No environment variable or
 * option reaches them; the test routes them by wrapping the global fetch (the client calls the global
 * fetch at request time), as an application would with an HTTP proxy. With that, a stored dataset's
 * run is created, each datapoint's session stored with its run, dataset and datapoint ids and its
 * metrics, and the run completed with its sessions; an inline dataset's run records its EXT- id.
 */
import { evaluate } from 'honeyhive';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROJECT = 'default';
const HOSTED = 'https://api.honeyhive.ai';
const local = platformForFile('waggle-hh-evaluate-', {
  projectName: PROJECT,
  writer: { maximumBatchingWindowMs: 100 },
});
let honeyhive: RecordingClient;

/** Requests the client addressed to the hosted service, routed to the local platform. */
const routed: string[] = [];
const realFetch = globalThis.fetch;

beforeAll(() => {
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(HOSTED)) return realFetch(input, init);
    const target = local.platform.url + url.slice(HOSTED.length);
    const method = input instanceof Request ? input.method : (init?.method ?? 'GET');
    routed.push(`${method} ${new URL(url).pathname}`);
    if (!(input instanceof Request)) return realFetch(target, init);
    const body = method === 'GET' || method === 'HEAD' ? undefined : await input.arrayBuffer();
    return realFetch(target, { method, headers: input.headers, body });
  };
});

afterAll(() => {
  globalThis.fetch = realFetch;
});

const ROWS = [
  { question: 'Capital of France?', answer: 'Paris' },
  { question: 'Capital of Peru?', answer: 'Lima' },
  { question: 'Capital of Kenya?', answer: 'Nairobi' },
];

describe("honeyhive 1.0.42's evaluate() on the local platform", () => {
  it('creates the run, stores each datapoint as a session of it and completes the run', async () => {
    const created = await honeyhive.client.datasets.createDataset({ project: PROJECT, name: 'capitals' });
    const datasetId = created.result?.insertedId as string;
    const added = await honeyhive.client.datasets.addDatapoints(
      {
        project: PROJECT,
        data: ROWS,
        mapping: { inputs: ['question'], groundTruth: ['answer'], history: [] },
      },
      datasetId,
    );
    const datapointIds = added.datapointIds as string[];

    const seen: unknown[][] = [];
    const result = await evaluate({
      apiKey: local.platform.apiKey,
      project: PROJECT,
      serverUrl: local.platform.url,
      name: 'honeyhive capitals',
      datasetId,
      maxWorkers: 2,
      function: async (inputs: { question: string }, groundTruth: { answer: string }) => {
        seen.push([inputs, groundTruth]);
        return { answer: inputs.question.includes('Kenya') ? 'Mombasa' : groundTruth.answer };
      },
      evaluators: [
        function exact_match(outputs: { answer: string }, _inputs: unknown, groundTruth: { answer: string }) {
          return outputs.answer === groundTruth.answer;
        },
      ],
    });

    // Without the routing these went to the hosted service.
    expect(routed).toEqual(
      expect.arrayContaining([
        'GET /datasets',
        ...datapointIds.map((id) => `GET /datapoints/${id}`),
        'POST /runs',
        `PUT /runs/${result?.runId}`,
      ]),
    );
    expect(seen).toHaveLength(3);
    expect(seen).toContainEqual([{ question: 'Capital of Peru?' }, { answer: 'Lima' }]);
    expect(result?.status).toBe('completed');
    const sessionIds = result?.sessionIds as string[];
    expect(sessionIds).toHaveLength(3);

    const run = (await honeyhive.client.experiments.getRun(result?.runId as string)).evaluation;
    expect(run).toMatchObject({ status: 'completed', name: 'honeyhive capitals', datasetId });
    expect(run?.eventIds?.slice().sort()).toEqual(sessionIds.slice().sort());

    const api = readApi(local.platform.url, local.platform.apiKey);
    const sessions = await eventually(async () => {
      const read = await Promise.all(sessionIds.map((id) => api.session(id)));
      return read.every(
        (session) => session.status === 200 && session.body.metrics?.exact_match !== undefined,
      )
        ? read.map((session) => session.body)
        : undefined;
    }, 30_000);
    for (const session of sessions) {
      expect(session.metadata).toMatchObject({ run_id: result?.runId, dataset_id: datasetId });
      expect(datapointIds).toContain(session.metadata.datapoint_id);
      expect(session.source).toBe('evaluation');
    }
    expect(sessions.map((session) => session.metrics.exact_match).sort()).toEqual([false, true, true]);

    const platformResult = await eventually(async () => {
      const answer = await honeyhive.client.experiments.getExperimentResult(result?.runId as string, PROJECT);
      return answer.datapoints?.length === 3 ? answer : undefined;
    }, 30_000);
    expect(platformResult.passed).toHaveLength(2);
    expect(platformResult.failed).toHaveLength(1);
  });

  it('runs an inline dataset: the run records its EXT- id, each session its hashed datapoint id', async () => {
    const result = await evaluate({
      apiKey: local.platform.apiKey,
      project: PROJECT,
      serverUrl: local.platform.url,
      name: 'honeyhive inline capitals',
      dataset: ROWS.map((row) => ({
        inputs: { question: row.question },
        ground_truths: { answer: row.answer },
      })),
      maxWorkers: 2,
      function: async (inputs: { question: string }) => ({
        answer: inputs.question.length > 17 ? 'Lima' : 'Paris',
      }),
      evaluators: [
        function exact_match(outputs: { answer: string }, _inputs: unknown, groundTruth: { answer: string }) {
          return outputs.answer === groundTruth?.answer;
        },
      ],
    });
    expect(result?.status).toBe('completed');
    const run = (await honeyhive.client.experiments.getRun(result?.runId as string)).evaluation;
    expect(run?.datasetId).toMatch(/^EXT-[0-9a-f]{24}$/);
    const sessionIds = result?.sessionIds as string[];
    expect(sessionIds).toHaveLength(3);
    const platformResult = await eventually(async () => {
      const answer = await honeyhive.client.experiments.getExperimentResult(result?.runId as string, PROJECT);
      return answer.datapoints?.length === 3 &&
        answer.datapoints.every((datapoint) => (datapoint.metrics?.length ?? 0) > 0)
        ? answer
        : undefined;
    }, 30_000);
    for (const datapoint of platformResult.datapoints ?? [])
      expect(datapoint.datapointId).toMatch(/^EXT-[0-9a-f]{24}$/);
    expect(new Set(platformResult.datapoints?.map((datapoint) => datapoint.datapointId)).size).toBe(3);
  });
});
