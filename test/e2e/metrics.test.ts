/**
 * HoneyHive's /metrics through the real `honeyhive` 1.0.42 client (which validates every answer with
 * its own zod schemas) against the local platform with its control plane: a write goes to the data
 * plane, which forwards it to the control plane with the caller's key; the control plane stores a new
 * version and syncs it; the data plane's GET /metrics then serves it, run_metric runs it (Python in
 * the local sandbox), and online evaluation scores new matching events with it. The 1.0.42 client has
 * no runMetric, so run_metric and the version history are called over plain HTTP.
 */
import type { Metric } from 'honeyhive/models/components/metric.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { honeyHiveClient, type RecordingClient } from '../support/honeyhive-client';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const PROJECT = 'default';
const local = platformForFile('waggle-metrics-e2e-', {
  log: () => {},
  controlPlane: { port: 0, syncBatchingWindowMs: 20 },
  writer: { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 },
});
let honeyhive: RecordingClient;

beforeAll(() => {
  honeyhive = honeyHiveClient(local.platform.url, local.platform.apiKey);
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${local.platform.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${local.platform.apiKey}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

const LENGTH_V1 = 'def answer_length(event):\n    return len(event["outputs"].get("content", ""))\n';
const LENGTH_V2 = 'def answer_length(event):\n    return len(event["outputs"].get("content", "").split())\n';

async function metrics(): Promise<Metric[]> {
  return honeyhive.client.metrics.getMetrics(PROJECT);
}

async function metricNamed(name: string, version?: number): Promise<Metric> {
  return eventually(async () => {
    const found = (await metrics()).find((metric) => metric.name === name);
    if (!found) return undefined;
    if (version === undefined) return found;
    const raw = (honeyhive.lastBody() as Array<{ name: string; version: number }>).find(
      (metric) => metric.name === name,
    );
    return raw?.version === version ? found : undefined;
  });
}

describe('metrics through the honeyhive client', () => {
  let lengthId = '';

  it('creates a Python metric; the data plane serves it once synced, in the client shape', async () => {
    const fields = {
      task: PROJECT,
      type: 'custom',
      description: 'Characters in the answer',
      codeSnippet: LENGTH_V1,
      returnType: 'float',
      threshold: { min: 5 },
      enabledInProd: true,
      eventType: 'model',
      eventName: 'chat',
    } as const;
    await honeyhive.client.metrics.createMetric({ name: 'answer_length', ...fields });
    const metric = await metricNamed('answer_length');
    lengthId = metric.id as string;
    // Served with the fields it was created with, and the defaults of those it was not.
    expect(metric).toMatchObject({ ...fields, needsGroundTruth: false });
    expect(lengthId).toMatch(/./);
    // What the newer API reference adds, beside the client's fields.
    expect((honeyhive.lastBody() as unknown[])[0]).toMatchObject({
      id: lengthId,
      version: 1,
      sampling_percentage: 100,
      filters: { filterArray: [] },
      criteria: LENGTH_V1,
    });
  });

  it('creates an LLM judge, filters the list by type and id', async () => {
    await honeyhive.client.metrics.createMetric({
      name: 'helpful',
      task: PROJECT,
      type: 'model',
      description: 'Is the answer helpful?',
      prompt: 'Question: {{inputs.question}}\nAnswer: {{outputs.content}}\nIs the answer helpful?',
      modelProvider: 'openai',
      modelName: 'gpt-4o-mini',
      returnType: 'boolean',
      passWhen: true,
    });
    const judge = await metricNamed('helpful');
    expect(judge).toMatchObject({ type: 'model', modelProvider: 'openai', passWhen: true });
    const byType = await call('GET', '/metrics?project_name=default&type=LLM');
    expect(byType.body.map((metric: { name: string }) => metric.name)).toEqual(['helpful']);
    const byId = await call('GET', `/v1/metrics?id=${lengthId}`);
    expect(byId.body.map((metric: { name: string }) => metric.name)).toEqual(['answer_length']);
  });

  it('refuses bad metrics with a clear 400 and stores nothing', async () => {
    const base = { name: 'bad', task: PROJECT, type: 'custom', description: '', return_type: 'float' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, code_snippet: 'return 1' }, /must define a function/],
      // Within the API's 64 KiB body, beyond what one sync message carries.
      [
        { ...base, code_snippet: `def f(e):\n    return 1\n${'#'.repeat(50 * 1024)}` },
        /at most 48 KiB as JSON/,
      ],
      [
        { ...base, type: 'model', prompt: 'Rate {{answer}}', model_provider: 'openai', model_name: 'x' },
        /names nothing/,
      ],
      [
        { ...base, type: 'composite', child_metrics: [{ name: 'nope', weight: 1 }] },
        /no metric named "nope"/,
      ],
      [{ ...base, code_snippet: LENGTH_V1, sampling_percentage: 150 }, /sampling_percentage/],
      [{ ...base, code_snippet: LENGTH_V1, threshold: { min: 3, max: 1 } }, /threshold.min/],
      [
        {
          ...base,
          code_snippet: LENGTH_V1,
          filters: [{ field: 'metadata.x', operator: 'bigger', value: 1 }],
        },
        /operator/,
      ],
      [{ ...base, code_snippet: LENGTH_V1, return_type: 'categorical' }, /categorical/],
      [{ ...base, code_snippet: LENGTH_V1, surprise: 1 }, /unknown field "surprise"/],
      [{ ...base, name: 'answer_length', code_snippet: LENGTH_V1 }, /exists in this project/],
    ];
    for (const [body, message] of cases) {
      const reply = await call('POST', '/metrics', body);
      expect(reply.status, JSON.stringify(body).slice(0, 100)).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      expect(String(reply.body?.error)).toMatch(message);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await metrics()).map((metric) => metric.name).sort()).toEqual(['answer_length', 'helpful']);
  });

  it('an update is a new version; the history keeps every version', async () => {
    await honeyhive.client.metrics.updateMetric({
      metricId: lengthId,
      codeSnippet: LENGTH_V2,
      description: 'Words in the answer',
      threshold: { min: 2 },
    });
    const updated = await metricNamed('answer_length', 2);
    expect(updated).toMatchObject({
      codeSnippet: LENGTH_V2,
      description: 'Words in the answer',
      threshold: { min: 2 },
    });
    const history = await call('GET', `/v1/metrics/${lengthId}/versions`);
    expect(history.status).toBe(200);
    expect(
      history.body.map((version: { version: number; code_snippet: string }) => [
        version.version,
        version.code_snippet,
      ]),
    ).toEqual([
      [1, LENGTH_V1],
      [2, LENGTH_V2],
    ]);
  });

  it('run_metric runs a stored Python metric on a payload, and a given one on a stored event', async () => {
    const stored = await call('POST', '/metrics/run_metric', {
      metric_id: lengthId,
      event: { event_type: 'model', outputs: { content: 'three short words' } },
    });
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect(stored.body).toMatchObject({
      status: 'ok',
      score: 3,
      passed: true,
      metric: { id: lengthId, name: 'answer_length', version: 2 },
    });

    const api = readApi(local.platform.url, local.platform.apiKey);
    const eventId = await api.sendEvent({
      project: PROJECT,
      event_type: 'model',
      event_name: 'chat',
      session_id: 'metrics-e2e-1',
      inputs: { question: 'hi' },
      outputs: { content: 'hello there friend' },
      metadata: { locale: 'en' },
    });
    const adHoc = {
      name: 'greets',
      type: 'PYTHON',
      criteria:
        'def greets(event):\n    return event["outputs"]["content"].startswith("hello") and event["metadata"]["locale"] == "en"\n',
      return_type: 'boolean',
      threshold: { pass_when: true },
    };
    const run = await eventually(async () => {
      const reply = await call('POST', '/v1/metrics/run_metric', { metric: adHoc, event_id: eventId });
      return reply.status === 404 ? undefined : reply;
    });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body).toMatchObject({ status: 'ok', score: true, passed: true, event_id: eventId });

    // The metric's own failure is an error score, not an error answer.
    const raising = await call('POST', '/metrics/run_metric', {
      metric: { ...adHoc, criteria: 'def greets(event):\n    raise ValueError("nope")\n' },
      event: { outputs: {} },
    });
    expect(raising.status).toBe(200);
    expect(raising.body).toMatchObject({ status: 'error', score: null });
    expect(raising.body.error).toMatch(/^code-error: .*nope/);

    // Online evaluation runs the synced metric (version 2: words) on the new chat event.
    const scored = await eventually(async () => {
      const { events } = await api.export({
        filters: [{ field: 'session_id', operator: 'is', value: 'metrics-e2e-1', type: 'string' }],
      });
      const metricsOf = events.find((event) => event.event_id === eventId)?.metrics as
        | Record<string, unknown>
        | undefined;
      return metricsOf?.answer_length !== undefined ? metricsOf : undefined;
    }, 60_000);
    expect(scored).toEqual({ answer_length: 3 });
  }, 90_000);

  it('refuses to run what cannot run, and an unknown metric or event', async () => {
    const human = await call('POST', '/metrics/run_metric', {
      metric: { name: 'review', type: 'human', criteria: 'Is it polite?' },
      event: {},
    });
    expect(human.status).toBe(400);
    expect(human.body.error).toMatch(/reviewers/);
    const unknown = await call('POST', '/metrics/run_metric', { metric_id: 'nope', event: {} });
    expect(unknown.status).toBe(404);
    const noEvent = await call('POST', '/metrics/run_metric', { metric_id: lengthId, event_id: 'nope' });
    expect(noEvent.status).toBe(404);
  });

  it('deletes a metric; it leaves the list and can no longer run', async () => {
    await honeyhive.client.metrics.deleteMetric(lengthId);
    await eventually(async () => {
      const names = (await metrics()).map((metric) => metric.name);
      return names.includes('answer_length') ? undefined : names;
    });
    expect((await metrics()).map((metric) => metric.name)).toEqual(['helpful']);
    const gone = await call('POST', '/metrics/run_metric', { metric_id: lengthId, event: {} });
    expect(gone.status).toBe(404);
  });
});
