/**
 * A client-side experiment on the local platform: our SDK's evaluate() over a stored dataset of
 * 1,000 datapoints with 3 evaluators, the function calling a fake OpenAI-compatible provider that
 * answers each chat completion after 200 ms. Beside it, in the same run, the baseline: the same
 * 1,000 provider calls and the same evaluators at the same concurrency with no tracing and no
 * platform. The ratio is what the experiment machinery (dataset reads, the run, a session per
 * datapoint, spans, session updates, completing the run) costs in wall time over the work itself.
 *
 * Alone: `npm run bench -- --only evaluate` (writes its section of docs/BENCHMARKS.md), or
 * `npm exec -- tsx bench/experiments/evaluate-bench.ts` (prints it).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createExportPipeline, evaluate, WaggleTracer } from '@waggle/sdk';
import { startLocalPlatform } from '../../lambdas/local/platform';
import { type FakeProvider, startFakeOpenAICompatible } from '../../test/support/fake-providers';

export const DATAPOINTS = 1_000;
export const PROVIDER_LATENCY_MS = 200;
/** The target for 1,000 datapoints x 3 evaluators. */
export const TARGET_MS = 180_000;
/** honeyhive's default (maxWorkers 10), and a wider one where the provider is no longer the bound. */
const CONCURRENCIES = [10, 50];
/** Datapoints per `POST /datasets/{id}/datapoints` (the platform takes at most 1,000 a call). */
const ADD_BATCH = 250;

export interface EvaluateBenchRow {
  concurrency: number;
  baselineMs: number;
  evaluateMs: number;
  passed: number;
  failed: number;
  /** Spans exported by the time evaluate() returned, and spans dropped or given up on. */
  spansExported: number;
  spansLost: number;
}

export interface EvaluateBench {
  date: string;
  machine: string;
  cores: number;
  node: string;
  rows: EvaluateBenchRow[];
  /** The 1-minute load average when the measuring started. */
  loadAverage: number;
}

const COUNTRIES = ['France', 'Peru', 'Japan', 'Kenya', 'Chile', 'Norway', 'Egypt'];

function row(n: number) {
  const country = COUNTRIES[n % COUNTRIES.length] as string;
  const question = `What is the capital of ${country}? (case ${n})`;
  // The fake answers "echo: <last user message>"; every seventh expected answer differs.
  return { question, answer: n % 7 === 0 ? 'Paris' : `echo: ${question}` };
}

/** One chat completion from the fake provider, as an application would make it. */
async function chat(provider: FakeProvider, question: string): Promise<string> {
  const response = await fetch(`${provider.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] }),
  });
  if (!response.ok) throw new Error(`provider answered ${response.status}`);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return body.choices[0]?.message.content ?? '';
}

function exact_match(outputs: unknown, _inputs: unknown, groundTruth: Record<string, unknown>) {
  return (outputs as { answer: string }).answer === groundTruth.answer;
}
function answer_length(outputs: unknown) {
  return (outputs as { answer: string }).answer.length;
}
function mentions_country(outputs: unknown, inputs: Record<string, unknown>) {
  const country = /capital of (\w+)/.exec(String(inputs.question))?.[1] ?? '';
  return (outputs as { answer: string }).answer.includes(country);
}
const EVALUATORS = [exact_match, answer_length, mentions_country];

/** The same work with nothing around it: the provider calls and the evaluators, `concurrency` at once. */
async function baseline(provider: FakeProvider, concurrency: number): Promise<number> {
  const rows = Array.from({ length: DATAPOINTS }, (_, n) => row(n));
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const { question, answer } = rows[next++] as ReturnType<typeof row>;
      const outputs = { answer: await chat(provider, question) };
      for (const evaluator of EVALUATORS) evaluator(outputs, { question }, { answer });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

async function post(
  url: string,
  apiKey: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

export async function measureEvaluate(): Promise<EvaluateBench> {
  const dataDir = await mkdtemp(join(tmpdir(), 'waggle-evaluate-bench-'));
  const platform = await startLocalPlatform({ port: 0, dataDir, projectName: 'default', log: () => {} });
  const provider = await startFakeOpenAICompatible();
  provider.respondWith(() => {
    // The fake keeps every request; the bench reads none of them.
    provider.requests.length = 0;
    return { firstByteDelayMs: PROVIDER_LATENCY_MS };
  });
  const rows: EvaluateBenchRow[] = [];
  const loadAverage = os.loadavg()[0] ?? Number.NaN;
  try {
    const created = await post(platform.url, platform.apiKey, '/datasets', {
      project: 'default',
      name: 'bench',
    });
    const datasetId = (created.result as { insertedId: string }).insertedId;
    for (let start = 0; start < DATAPOINTS; start += ADD_BATCH) {
      const data = Array.from({ length: Math.min(ADD_BATCH, DATAPOINTS - start) }, (_, n) => row(start + n));
      await post(platform.url, platform.apiKey, `/datasets/${datasetId}/datapoints`, {
        project: 'default',
        data,
        mapping: { inputs: ['question'], ground_truth: ['answer'], history: [] },
      });
    }
    for (const concurrency of CONCURRENCIES) {
      const baselineMs = await baseline(provider, concurrency);
      // The application's own tracer: its provider call is a model span under the function's.
      // Its own export pipeline, to count what it exported and dropped (evaluate()'s own queue size).
      const pipeline = createExportPipeline({
        url: `${platform.url}/v1/traces`,
        apiKey: platform.apiKey,
        maxQueueSize: 32_768,
      });
      const tracer = new WaggleTracer({
        apiKey: platform.apiKey,
        project: 'default',
        serverUrl: platform.url,
        source: 'evaluation',
        spanProcessor: pipeline,
      });
      const completion = tracer.trace((question: string) => chat(provider, question), {
        name: 'chatCompletion',
        eventType: 'model',
      });
      const started = performance.now();
      const result = await evaluate({
        tracer,
        name: `bench c${concurrency}`,
        datasetId,
        maxConcurrency: concurrency,
        printSummary: false,
        function: async function answerQuestion(inputs) {
          return { answer: await completion(String(inputs.question)) };
        },
        evaluators: EVALUATORS,
      });
      const evaluateMs = performance.now() - started;
      const { exported, dropped, failed } = pipeline.stats();
      await tracer.shutdown();
      if (result.datapoints.length !== DATAPOINTS)
        throw new Error(`ran ${result.datapoints.length} datapoints`);
      rows.push({
        concurrency,
        baselineMs,
        evaluateMs,
        passed: result.summary.passed,
        failed: result.summary.failed,
        spansExported: exported,
        spansLost: dropped + failed,
      });
      console.log(
        `  maxConcurrency ${concurrency}: baseline ${(baselineMs / 1000).toFixed(1)} s, evaluate() ${(evaluateMs / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await provider.close();
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    node: process.version,
    rows,
    loadAverage,
  };
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

export function formatEvaluateSection(bench: EvaluateBench): string {
  const first = bench.rows[0];
  const lines = [
    `## Client-side experiment: ${DATAPOINTS.toLocaleString('en-US')} datapoints x 3 evaluators (SDK evaluate())`,
    '',
    `Measured on ${bench.date} by \`bench/experiments/evaluate-bench.ts\` (\`npm run bench -- --only evaluate\`): ${bench.machine},`,
    `${bench.cores} cores (shared with other work; load average ${bench.loadAverage.toFixed(1)} when it started), Node ${bench.node}. The local platform (\`startLocalPlatform\`, default`,
    `writer tuning) in a temporary folder; a stored dataset of ${DATAPOINTS.toLocaleString('en-US')} datapoints; \`evaluate()\` from \`@waggle/sdk\` with a`,
    `function that calls a fake OpenAI-compatible provider answering each chat completion after ${PROVIDER_LATENCY_MS} ms (a model span`,
    'under the function span) and 3 evaluators (exact match, answer length, mentions the country). Wall time from the call',
    'to its return: dataset read, run created, a session per datapoint (start, spans, update with outputs and metrics),',
    'spans flushed, run completed. Baseline, in the same run: the same provider calls and evaluators at the same',
    "concurrency, no tracing and no platform. Spans exported / lost: the tracer's export pipeline when evaluate()",
    `returned (six a datapoint: ${(6 * DATAPOINTS).toLocaleString('en-US')} expected; lost = dropped on a full queue or given up on).`,
    '',
    '| maxConcurrency | baseline s | evaluate() s | evaluate() / baseline | datapoints/s | passed / failed | spans exported / lost |',
    '|---:|---:|---:|---:|---:|---|---|',
    ...bench.rows.map(
      (each) =>
        `| ${each.concurrency} | ${seconds(each.baselineMs)} | ${seconds(each.evaluateMs)} | ${(each.evaluateMs / each.baselineMs).toFixed(2)}x | ${(DATAPOINTS / (each.evaluateMs / 1000)).toFixed(0)} | ${each.passed} / ${each.failed} | ${each.spansExported} / ${each.spansLost} |`,
    ),
    '',
    first
      ? `Target: under ${TARGET_MS / 60_000} minutes at honeyhive's default concurrency (${first.concurrency}): ${first.evaluateMs < TARGET_MS ? 'met' : 'NOT met'} (${seconds(first.evaluateMs)} s). The floor is the provider: ${DATAPOINTS.toLocaleString('en-US')} x ${PROVIDER_LATENCY_MS} ms / concurrency.`
      : 'Nothing measured.',
    '',
    'What evaluate() adds per datapoint: a session start (`POST /session/start`), its share of the span exports (six',
    'spans: the function, the model call, the evaluators and each evaluator) and a session update (`PUT /events` with',
    'outputs, metrics and any error), all to the one local platform process that also runs the ingest, the writer and',
    "the datasets API. Where the provider bounds the run (concurrency 10) that is hidden behind the provider's 200 ms",
    "in part; at 50 the platform's intake on this machine is the bound, not the provider.",
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(formatEvaluateSection(await measureEvaluate()));
}
