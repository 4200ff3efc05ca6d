/**
 * Python code metric latency: one ordinary metric (a regular expression over the answer, a float
 * score) scored by the local sandbox (lambdas/adapters/local/python-sandbox.ts) warm and cold, and by
 * the AWS executor's handler.py run here as Lambda's runtime would call it (a new interpreter for the
 * handler and one for the harness per call: the cost of a cold Lambda environment's Python work,
 * without Lambda's own start). Beside them, in the same run, the same function in an unsandboxed
 * python3 that stays up and reads one event per line: what the sandbox costs over running user code
 * in a shared interpreter (which the sandbox exists to avoid).
 *
 * - warm: the project's next process was started after its previous run and has had time to load
 *   (evaluations spaced WARM_GAP_MS apart).
 * - back to back: evaluations one after another: each waits for the process started after the last.
 * - cold: no process waiting (prewarm off).
 *
 * Alone: `npm exec -- tsx bench/evaluators/python-bench.ts`.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LambdaCodeRunner } from '../../lambdas/adapters/aws/lambda-code-runner';
import { PythonSandbox, resolvePython } from '../../lambdas/adapters/local/python-sandbox';
import type { CodeMetricRunner } from '../../lambdas/domain/evaluators/evaluator';
import { evaluationInput } from '../../test/support/evaluation-input';
import { ExecutorHandlerClient } from '../../test/support/executor-handler-client';
import { type LatencySummary, summarizeLatencies } from '../harness';
import { machineDescription } from '../machine';

const CODE = `import re

def citations(event):
    answer = event["outputs"].get("content", "")
    return len(re.findall(r"\\[\\d+\\]", answer)) / max(1, len(answer.split()))
`;

const INPUT = evaluationInput({
  event_id: 'bench-event',
  session_id: 'bench-session',
  event_name: 'answer',
  inputs: { question: 'What caused the outage on Tuesday?' },
  outputs: {
    content:
      'The outage began when a certificate expired [1]; retries then overloaded the queue [2]. It ended at 14:05 [3].',
  },
  metadata: { tier: 'gold' },
});
const EXPECTED = 3 / 19;

const WARM_RUNS = 100;
const WARM_GAP_MS = 150;
const BACK_TO_BACK_RUNS = 60;
const COLD_RUNS = 30;
const HANDLER_RUNS = 20;
const BASELINE_RUNS = 200;

export interface PythonBench {
  date: string;
  machine: string;
  node: string;
  python: string;
  warm: LatencySummary;
  backToBack: LatencySummary;
  cold: LatencySummary;
  handler: LatencySummary;
  baselineShared: LatencySummary;
  baselineFreshProcess: LatencySummary;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timeRuns(
  runner: CodeMetricRunner,
  projectId: string,
  runs: number,
  gapMs: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    if (gapMs > 0) await sleep(gapMs);
    const started = performance.now();
    const outcome = await runner.run({ projectId, code: CODE, returnType: 'float', input: INPUT });
    samples.push(performance.now() - started);
    if (outcome.status !== 'ok' || Math.abs(Number(outcome.value) - EXPECTED) > 1e-9)
      throw new Error(`the metric scored ${JSON.stringify(outcome)}`);
  }
  return samples;
}

/** An unsandboxed interpreter that stays up: one JSON request per line, one result per line. */
const SHARED_WORKER = `
import ast, json, sys
for line in sys.stdin:
    request = json.loads(line)
    namespace = {}
    exec(request["code"], namespace)
    first = next(node.name for node in ast.parse(request["code"]).body if isinstance(node, ast.FunctionDef))
    sys.stdout.write(json.dumps({"value": float(namespace[first](request["input"]))}) + "\\n")
    sys.stdout.flush()
`;

async function timeSharedInterpreter(python: string): Promise<number[]> {
  const child: ChildProcessWithoutNullStreams = spawn(python, ['-c', SHARED_WORKER]);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const request = `${JSON.stringify({ code: CODE, input: INPUT })}\n`;
  const samples: number[] = [];
  try {
    for (let i = 0; i < BASELINE_RUNS + 20; i++) {
      const started = performance.now();
      child.stdin.write(request);
      const { value } = await lines.next();
      const elapsed = performance.now() - started;
      if (Math.abs((JSON.parse(String(value)) as { value: number }).value - EXPECTED) > 1e-9)
        throw new Error(`the shared interpreter answered ${String(value)}`);
      if (i >= 20) samples.push(elapsed);
    }
  } finally {
    child.kill('SIGKILL');
  }
  return samples;
}

/** The same function in a plain new python3 per evaluation (no limits, no audit hook, no isolation flags). */
async function timeFreshProcess(python: string): Promise<number[]> {
  const script = `${CODE}\nimport json, sys\nprint(json.dumps(citations(json.load(sys.stdin))))\n`;
  const samples: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const started = performance.now();
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(python, ['-c', script]);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', () => resolve(out));
      child.stdin.end(JSON.stringify(INPUT));
    });
    samples.push(performance.now() - started);
    if (Math.abs(Number(output) - EXPECTED) > 1e-9) throw new Error(`the fresh process answered ${output}`);
  }
  return samples;
}

export async function measurePython(): Promise<PythonBench> {
  const python = await resolvePython();
  const version = await new Promise<string>((resolve) => {
    const child = spawn(python, ['--version']);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('close', () => resolve(out.trim()));
  });

  const warmSandbox = new PythonSandbox();
  const coldSandbox = new PythonSandbox({ prewarm: false });
  const executor = new LambdaCodeRunner(new ExecutorHandlerClient(python).asLambdaClient(), 'bench-executor');
  try {
    await timeRuns(warmSandbox, 'bench-warm', 5, WARM_GAP_MS);
    const warm = await timeRuns(warmSandbox, 'bench-warm', WARM_RUNS, WARM_GAP_MS);
    const backToBack = await timeRuns(warmSandbox, 'bench-warm', BACK_TO_BACK_RUNS, 0);
    const cold = await timeRuns(coldSandbox, 'bench-cold', COLD_RUNS, 0);
    const handler = await timeRuns(executor, 'bench-handler', HANDLER_RUNS, 0);
    const shared = await timeSharedInterpreter(python);
    const fresh = await timeFreshProcess(python);
    return {
      date: new Date().toISOString(),
      machine: machineDescription(),
      node: process.version,
      python: version,
      warm: summarizeLatencies(warm),
      backToBack: summarizeLatencies(backToBack),
      cold: summarizeLatencies(cold),
      handler: summarizeLatencies(handler),
      baselineShared: summarizeLatencies(shared),
      baselineFreshProcess: summarizeLatencies(fresh),
    };
  } finally {
    warmSandbox.close();
    coldSandbox.close();
  }
}

export function formatPythonSection(bench: PythonBench): string {
  const fmt = (n: number, digits = 1) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const line = (name: string, r: LatencySummary) =>
    `| ${name} | ${fmt(r.p50Ms)} | ${fmt(r.p95Ms)} | ${r.samples} |`;
  const ratio = bench.warm.p95Ms / bench.baselineShared.p95Ms;
  const coldRatio = bench.cold.p50Ms / bench.baselineFreshProcess.p50Ms;
  return `## Python code metrics: sandbox latency

bench/evaluators/python-bench.ts, ${bench.date}, ${bench.machine}, Node ${bench.node}, ${bench.python}. One ordinary metric
(a regular expression over the answer, a float score; the event about 0.5 KB) from the runner's call to its outcome.

| path | p50 ms | p95 ms | runs |
|---|---:|---:|---:|
${line(`local sandbox, warm (the project's next process ready; runs ${WARM_GAP_MS} ms apart)`, bench.warm)}
${line('local sandbox, back to back (each run waits for the process started after the last)', bench.backToBack)}
${line('local sandbox, cold (no process waiting)', bench.cold)}
${line("AWS executor's handler.py run here as Lambda's runtime would (handler and harness interpreters per call)", bench.handler)}
${line('baseline: the same function in one unsandboxed python3 that stays up', bench.baselineShared)}
${line('baseline: the same function in a plain new python3 per call', bench.baselineFreshProcess)}

Warm p95 ${fmt(bench.warm.p95Ms)} ms against the target of at most 50 ms (${bench.warm.p95Ms <= 50 ? 'met' : 'NOT met'}); ${fmt(ratio)}x the shared
interpreter's p95, the price of one process per evaluation, with its limits and audit hook, over running every
project's code in one interpreter. Cold, ${fmt(coldRatio)}x a plain new python3 (the harness loads the allowed modules
and confines itself before reading the request). On AWS a warm executor environment pays the handler's one
interpreter per call (the harness's process), not its own start; Lambda's cold start comes on top and is not measured here.
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bench = await measurePython();
  console.log(formatPythonSection(bench));
}
