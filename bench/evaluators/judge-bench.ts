/**
 * LLM judge throughput: boolean judges scored by the JudgeRunner (createProviderJudgeRunner: the
 * proxy's service, the AI SDK adapter, the project's key, the evaluator's budget on usage counters,
 * the judge's model event published) against a fake OpenAI-compatible server that answers each
 * request after PROVIDER_LATENCY_MS, at several concurrencies. Beside it, in the same run and over
 * the same transport (createLocalProviderFetch), the same chat requests sent straight to the fake:
 * what the provider's latency alone allows. The difference is what the judge adds per evaluation
 * (rendering, the budget, the proxy's call path, the adapter, reading the verdict, the event).
 *
 * In one process, with in-memory counters and an in-memory events sink (no queue, no DynamoDB).
 *
 * Alone: `npm exec -- tsx bench/evaluators/judge-bench.ts` (add `--quick` for a small run).
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLocalProviderFetch } from '../../lambdas/adapters/providers/guarded-fetch';
import { createProviderJudgeRunner } from '../../lambdas/adapters/providers/provider-judge-runner';
import type { EvaluatorDefinition } from '../../lambdas/domain/evaluators/evaluator';
import { SecretValue } from '../../lambdas/domain/providers/secret-value';
import { evaluationInput } from '../../test/support/evaluation-input';
import { type FakeProvider, startFakeOpenAICompatible } from '../../test/support/fake-providers';
import { MemoryUsageCounters } from '../../test/support/memory-proxy-limits';
import { percentile } from '../harness';
import { machineDescription } from '../machine';

const FAKE_KEY = 'sk-bench-judge-fake-0123456789';
const MODEL = 'gpt-4o-mini';
export const PROVIDER_LATENCY_MS = 200;
const VERDICT = '{"explanation":"The answer names Paris, which is right.","rating":true}';
const DEFAULT_CONCURRENCY = [1, 10, 50] as const;
/** Evaluations per concurrency level: this many rounds of `concurrency` evaluations each. */
const DEFAULT_ROUNDS = 10;

const TENANT = { org_id: 'bench-org', workspace_id: 'bench-ws', project_id: 'bench-project' };

const INPUT = evaluationInput({
  event_id: 'bench-event',
  session_id: 'bench-session',
  event_name: 'answer',
  inputs: { question: 'What is the capital of France?' },
  outputs: { content: 'Paris is the capital of France.' },
});

const EVALUATOR: EvaluatorDefinition = {
  id: 'bench-judge',
  projectId: TENANT.project_id,
  name: 'answers-correctly',
  version: 1,
  type: 'model',
  description: '',
  prompt: 'Question: {{inputs.question}}\nAnswer: {{outputs.content}}\nIs the answer correct?',
  returnType: 'boolean',
  passWhen: true,
  needsGroundTruth: false,
  enabledInProd: true,
  modelProvider: 'openai-compatible',
  modelName: MODEL,
  samplingPercentage: 100,
  filters: [],
  createdAt: 0,
  updatedAt: 0,
};

export interface ThroughputRow {
  concurrency: number;
  evaluations: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface JudgeBench {
  date: string;
  machine: string;
  node: string;
  providerLatencyMs: number;
  judge: ThroughputRow[];
  direct: ThroughputRow[];
  /** Model events the judges published (one per evaluation, warm-up included). */
  eventsPublished: number;
}

export interface JudgeBenchOptions {
  concurrency?: readonly number[];
  rounds?: number;
  providerLatencyMs?: number;
}

/** Runs `count` calls of `call`, at most `concurrency` at a time; each call's latency and the wall time. */
async function drive(
  concurrency: number,
  count: number,
  call: () => Promise<void>,
): Promise<{ latencies: number[]; wallMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        next++;
        const at = performance.now();
        await call();
        latencies.push(performance.now() - at);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

function row(concurrency: number, run: { latencies: number[]; wallMs: number }): ThroughputRow {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  return {
    concurrency,
    evaluations: sorted.length,
    perSecond: (sorted.length / run.wallMs) * 1000,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

export async function measureJudge(options: JudgeBenchOptions = {}): Promise<JudgeBench> {
  const levels = options.concurrency ?? DEFAULT_CONCURRENCY;
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  const latency = options.providerLatencyMs ?? PROVIDER_LATENCY_MS;
  const fake: FakeProvider = await startFakeOpenAICompatible({ apiKey: FAKE_KEY });
  fake.respondWith({ text: VERDICT, firstByteDelayMs: latency });
  const fetch = createLocalProviderFetch();
  let eventsPublished = 0;
  try {
    const judge = createProviderJudgeRunner({
      keys: {
        resolve: async (_tenant, provider) => ({
          provider,
          scope: 'project',
          version: 1,
          apiKey: new SecretValue(FAKE_KEY),
          baseUrl: fake.url,
        }),
      },
      models: { fetch },
      publish: async (records) => {
        eventsPublished += records.length;
      },
      counters: new MemoryUsageCounters(),
      defaultDailyBudgetUsd: 1_000,
    });
    const evaluate = async () => {
      const outcome = await judge.run({
        tenant: TENANT,
        evaluator: EVALUATOR,
        input: INPUT,
        requestId: 'bench',
      });
      if (outcome.status !== 'ok' || outcome.value !== true || outcome.passed !== true)
        throw new Error(`the judge scored ${JSON.stringify(outcome)}`);
    };
    const directBody = JSON.stringify({
      model: MODEL,
      messages: [
        { role: 'system', content: 'You are an impartial evaluator.' },
        { role: 'user', content: EVALUATOR.prompt },
      ],
      max_tokens: 1024,
      temperature: 0,
    });
    const direct = async () => {
      const response = await fetch(`${fake.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${FAKE_KEY}`, 'content-type': 'application/json' },
        body: directBody,
      });
      const answer = (await response.json()) as { choices?: { message?: { content?: string } }[] };
      if (answer.choices?.[0]?.message?.content !== VERDICT)
        throw new Error(`the fake answered ${JSON.stringify(answer).slice(0, 200)}`);
    };

    // Warm-up: connections, the adapter, the JIT.
    await drive(Math.max(...levels), Math.max(...levels), evaluate);
    await drive(Math.max(...levels), Math.max(...levels), direct);
    const judgeRows: ThroughputRow[] = [];
    const directRows: ThroughputRow[] = [];
    for (const concurrency of levels) {
      const count = concurrency * rounds;
      // Alternating sides, the judge first on even levels.
      const sides =
        judgeRows.length % 2 === 0 ? (['judge', 'direct'] as const) : (['direct', 'judge'] as const);
      for (const side of sides) {
        if (side === 'judge') judgeRows.push(row(concurrency, await drive(concurrency, count, evaluate)));
        else directRows.push(row(concurrency, await drive(concurrency, count, direct)));
      }
      fake.requests.length = 0; // the fake keeps every request: keep its memory flat
    }
    return {
      date: new Date().toISOString().slice(0, 10),
      machine: machineDescription(),
      node: process.version,
      providerLatencyMs: latency,
      judge: judgeRows,
      direct: directRows,
      eventsPublished,
    };
  } finally {
    await fake.close();
  }
}

export function formatJudgeSection(bench: JudgeBench): string {
  const fmt = (n: number, digits = 1) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const rows = bench.judge.map((judged, index) => {
    const direct = bench.direct[index] as ThroughputRow;
    return `| ${judged.concurrency} | ${judged.evaluations} | ${fmt(direct.perSecond)} | ${fmt(judged.perSecond)} | ${fmt(judged.perSecond / direct.perSecond, 2)}x | ${fmt(direct.p50Ms)} | ${fmt(judged.p50Ms)} | ${fmt(judged.p50Ms - direct.p50Ms)} | ${fmt(judged.p99Ms)} |`;
  });
  return `## LLM judges: throughput against a provider with ${bench.providerLatencyMs} ms latency

bench/evaluators/judge-bench.ts, ${bench.date}, ${bench.machine}, Node ${bench.node}. Boolean judges (a two-variable
prompt, a JSON verdict) scored by the JudgeRunner (the LLM proxy's service, the AI SDK's openai-compatible adapter,
the evaluator's budget on in-memory counters, the model event published to an in-memory sink) against a fake
OpenAI-compatible server that answers every request after ${bench.providerLatencyMs} ms; beside it, the same chat requests sent straight to
the fake over the same transport, at the same concurrency, in the same process and run. ${bench.eventsPublished} model events published.

| concurrency | evaluations | direct calls/s | judge evaluations/s | judge / direct | direct p50 ms | judge p50 ms | added p50 ms | judge p99 ms |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

The provider's latency bounds throughput at concurrency / ${bench.providerLatencyMs / 1000} s; a judge at a ratio near 1x adds little beside it.
`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  console.log(formatJudgeSection(await measureJudge(quick ? { concurrency: [1, 8], rounds: 3 } : {})));
}
