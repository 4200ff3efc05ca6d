/**
 * evaluate(): HoneyHive's client-side experiment on a Waggle platform. It reads the datapoints (a
 * stored dataset or an inline list), creates the run (`POST /runs`), runs the function on each
 * datapoint as a session of its own carrying `run_id`, `dataset_id` and `datapoint_id` in its
 * metadata, scores the output with the evaluators, puts outputs, metrics and any error on the
 * session, then completes the run (`PUT /runs/{id}` with the session and datapoint ids) and prints a
 * summary. Every call goes to the configured server URL (honeyhive 1.0.42 sends its run calls to the
 * hosted service whatever serverUrl says: it passes `serverUrl` where its client reads `serverURL`).
 *
 * A function or evaluator that throws fails that datapoint (its error on the session) and the run
 * still completes. Options are checked, and the dataset read, before the run exists, so bad input
 * leaves no run behind; a failure after that marks the run failed.
 */
import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import { resolveConfig, type TracerConfig, type TracerOptions } from '../core/config';
import { WaggleTracer } from '../core/tracer';
import { errorMessage } from '../instrumentation/span-end';
import {
  type Datapoint,
  type DatapointSource,
  type InlineDatapoint,
  inlineDataset,
  storedDataset,
} from './datapoints';
import { createPlatformApi, EvaluateError, type PlatformApi } from './platform-api';
import {
  type DatapointOutcome,
  datapointPassed,
  type EvaluateSummary,
  formatSummary,
  summarize,
} from './summary';

export type EvaluateFunction = (
  inputs: Record<string, unknown>,
  groundTruth: Record<string, unknown>,
) => unknown;

/** Scores one output; named by the function's name (`evaluator_<index>` when it has none). */
export type Evaluator = (
  outputs: unknown,
  inputs: Record<string, unknown>,
  groundTruth: Record<string, unknown>,
) => unknown;

export interface EvaluateOptions
  extends Pick<
    TracerOptions,
    | 'apiKey'
    | 'project'
    | 'serverUrl'
    | 'config'
    | 'logger'
    | 'verbose'
    | 'redact'
    | 'protocol'
    | 'exportTimeoutMs'
  > {
  function: EvaluateFunction;
  /** A stored dataset of the project; or give `dataset`. */
  datasetId?: string;
  /** Inline datapoints: `{ inputs, ground_truth }` each. */
  dataset?: InlineDatapoint[];
  evaluators?: Evaluator[];
  /** The run's name; by default `Eval <script name>`. */
  name?: string;
  /** Datapoints run at once, 1 to 256; default 10 (honeyhive's maxWorkers). */
  maxConcurrency?: number;
  /** On the run and on every datapoint's session. */
  metadata?: Record<string, unknown>;
  /** Continue this run: only its datapoints without a result are run, then the run is completed again. */
  resumeRunId?: string;
  /**
   * Trace through this tracer (its server, key and project; flushed, not shut down, at the end), so
   * the function can add spans of its own with `tracer.trace`; by default evaluate() makes one from
   * the options above, with source `evaluation`.
   */
  tracer?: WaggleTracer;
  /** Print the summary (default true) through `print` (default console.log). */
  printSummary?: boolean;
  print?: (text: string) => void;
}

export interface EvaluateResult {
  runId: string;
  datasetId: string;
  name: string;
  status: 'completed';
  /** Every session of the run, those of earlier calls (resumed) included. */
  sessionIds: string[];
  /** The datapoints this call ran, in dataset order. */
  datapoints: DatapointOutcome[];
  summary: EvaluateSummary;
  durationMs: number;
}

export const DEFAULT_MAX_CONCURRENCY = 10;
/** Far above what one process's sockets to the platform (16 per origin) can use well. */
export const MAX_CONCURRENCY = 256;
/** One platform call's limit: API Gateway ends a request at 29 s anyway. */
const API_TIMEOUT_MS = 30_000;
/**
 * Spans the own tracer queues: about six per datapoint arrive faster than a busy platform may take
 * them (the default 4,096 dropped spans at 50 datapoints at once in bench/experiments/evaluate-bench.ts).
 */
const EVALUATION_QUEUE_SPANS = 32_768;
/** Longest wait for the spans and session calls before the run is completed; it ends as soon as they are out. */
const SETTLE_BUDGET_MS = 60_000;

interface Plan {
  fn: EvaluateFunction;
  evaluators: { name: string; run: Evaluator }[];
  name: string;
  concurrency: number;
  metadata: Record<string, unknown>;
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluateResult> {
  const started = Date.now();
  const plan = checkOptions(options);
  const config = tracerConfig(options, plan);
  const api = createPlatformApi({
    serverUrl: config.serverUrl,
    apiKey: config.apiKey,
    project: config.project,
    timeoutMs: API_TIMEOUT_MS,
  });

  const source =
    options.datasetId !== undefined
      ? await storedDataset(api, options.datasetId)
      : inlineDataset(options.dataset);
  const { runId, done, priorSessions, priorDatapoints } = await openRun(
    api,
    options,
    plan,
    source,
    config.project,
  );

  const picked = pickTracerOptions(options);
  const tracer =
    options.tracer ??
    new WaggleTracer({
      maxQueueSize: picked.config?.maxQueueSize ?? EVALUATION_QUEUE_SPANS,
      ...picked,
      source: 'evaluation',
      sessionName: plan.name,
    });
  // Spans and session updates are on the platform before the run says it is complete.
  const settle = async () => {
    if (options.tracer) await options.tracer.flush(SETTLE_BUDGET_MS);
    else await tracer.shutdown(SETTLE_BUDGET_MS);
  };
  const todo = source.datapoints.filter((datapoint) => !done.has(datapoint.id));
  let outcomes: DatapointOutcome[];
  try {
    outcomes = await runDatapoints(tracer, plan, source, runId, todo);
  } catch (error) {
    await settle();
    await api.updateRun(runId, { status: 'failed' }).catch(() => {});
    throw error;
  }
  await settle();

  const sessionIds = [...new Set([...priorSessions, ...outcomes.map((outcome) => outcome.sessionId)])];
  const datapointIds = [...new Set([...priorDatapoints, ...outcomes.map((outcome) => outcome.datapointId)])];
  await api.updateRun(runId, { status: 'completed', event_ids: sessionIds, datapoint_ids: datapointIds });

  const summary = summarize(
    outcomes,
    plan.evaluators.map((evaluator) => evaluator.name),
    source.datapoints.length - todo.length,
  );
  const durationMs = Date.now() - started;
  if (options.printSummary !== false)
    (options.print ?? console.log)(
      formatSummary({ name: plan.name, runId, datasetId: source.datasetId, durationMs, summary }),
    );
  return {
    runId,
    datasetId: source.datasetId,
    name: plan.name,
    status: 'completed',
    sessionIds,
    datapoints: outcomes,
    summary,
    durationMs,
  };
}

/** The server, key and project the calls go to: the given tracer's, else from the options and environment. */
function tracerConfig(options: EvaluateOptions, plan: Plan): TracerConfig {
  if (options.tracer !== undefined) {
    if (
      !(options.tracer instanceof WaggleTracer) ||
      options.tracer.config === undefined ||
      !options.tracer.enabled
    )
      throw new EvaluateError('tracer must be an enabled WaggleTracer');
    return options.tracer.config;
  }
  const resolved = resolveConfig({
    ...pickTracerOptions(options),
    source: 'evaluation',
    sessionName: plan.name,
  });
  if (!resolved.ok) throw new EvaluateError(`invalid configuration: ${resolved.problems.join('; ')}`);
  return resolved.config;
}

function checkOptions(options: EvaluateOptions): Plan {
  if (typeof options !== 'object' || options === null)
    throw new EvaluateError('evaluate takes an options object');
  if (typeof options.function !== 'function')
    throw new EvaluateError('function is required: the code to evaluate');
  const hasId = options.datasetId !== undefined;
  const hasRows = options.dataset !== undefined;
  if (hasId === hasRows)
    throw new EvaluateError('give exactly one of datasetId (a stored dataset) or dataset (inline rows)');
  if (hasId && (typeof options.datasetId !== 'string' || options.datasetId.trim() === ''))
    throw new EvaluateError('datasetId must be a non-empty string');
  const concurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY)
    throw new EvaluateError(
      `maxConcurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${String(concurrency)}`,
    );
  if (options.evaluators !== undefined && !Array.isArray(options.evaluators))
    throw new EvaluateError('evaluators must be a list of functions');
  const evaluators = (options.evaluators ?? []).map((run, index) => {
    if (typeof run !== 'function') throw new EvaluateError(`evaluators[${index}] is not a function`);
    return { name: run.name || `evaluator_${index}`, run };
  });
  const names = evaluators.map((evaluator) => evaluator.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined)
    throw new EvaluateError(`two evaluators are named ${twice}: each evaluator's name is its metric's name`);
  if (
    options.metadata !== undefined &&
    (typeof options.metadata !== 'object' || options.metadata === null || Array.isArray(options.metadata))
  )
    throw new EvaluateError('metadata must be an object');
  if (
    options.resumeRunId !== undefined &&
    (typeof options.resumeRunId !== 'string' || options.resumeRunId === '')
  )
    throw new EvaluateError('resumeRunId must be a run id');
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name.trim() === ''))
    throw new EvaluateError('name must be a non-empty string');
  return {
    fn: options.function,
    evaluators,
    name: options.name ?? defaultName(),
    concurrency,
    metadata: options.metadata ?? {},
  };
}

/** honeyhive's default: `Eval <main script>`, else `Offline Eval MM/DD`. */
function defaultName(): string {
  const script = process.argv[1];
  if (script) return `Eval ${basename(script, extname(script))}`;
  const now = new Date();
  return `Offline Eval ${String(now.getMonth() + 1).padStart(2, '0')}/${String(now.getDate()).padStart(2, '0')}`;
}

function pickTracerOptions(options: EvaluateOptions): TracerOptions {
  const picked: TracerOptions = {};
  for (const key of [
    'apiKey',
    'project',
    'serverUrl',
    'config',
    'logger',
    'verbose',
    'redact',
    'protocol',
    'exportTimeoutMs',
  ] as const) {
    if (options[key] !== undefined) (picked as Record<string, unknown>)[key] = options[key];
  }
  return picked;
}

/** A new run, or the resumed one with what it already holds (its list and its stored result). */
async function openRun(
  api: PlatformApi,
  options: EvaluateOptions,
  plan: Plan,
  source: DatapointSource,
  project: string,
): Promise<{ runId: string; done: Set<string>; priorSessions: string[]; priorDatapoints: string[] }> {
  if (options.resumeRunId === undefined) {
    const runId = await api.createRun({
      project,
      name: plan.name,
      // The platform's runs name stored datasets only; an inline list's hashed id is on the sessions.
      dataset_id: source.stored ? source.datasetId : null,
      event_ids: [],
      status: 'pending',
      metadata: plan.metadata,
    });
    return { runId, done: new Set(), priorSessions: [], priorDatapoints: [] };
  }
  const run = await api.getRun(options.resumeRunId);
  if (source.stored && run.dataset_id !== source.datasetId)
    throw new EvaluateError(
      `run ${run.run_id} is over dataset ${run.dataset_id ?? '(inline)'}, not ${source.datasetId}`,
    );
  const result = await api.runResult(run.run_id);
  const stored = (result?.datapoints ?? []).filter((datapoint) => datapoint.datapoint_id !== null);
  const priorDatapoints = [
    ...run.datapoint_ids,
    ...stored.map((datapoint) => datapoint.datapoint_id as string),
  ];
  const priorSessions = [...run.event_ids, ...stored.map((datapoint) => datapoint.session_id)];
  await api.updateRun(run.run_id, { status: 'pending' });
  return { runId: run.run_id, done: new Set(priorDatapoints), priorSessions, priorDatapoints };
}

async function runDatapoints(
  tracer: WaggleTracer,
  plan: Plan,
  source: DatapointSource,
  runId: string,
  todo: readonly Datapoint[],
): Promise<DatapointOutcome[]> {
  const fn = tracer.trace(plan.fn, { name: plan.fn.name || 'function', eventType: 'chain' });
  const evaluators = plan.evaluators.map((evaluator) => ({
    name: evaluator.name,
    run: tracer.trace(evaluator.run, { name: evaluator.name, eventType: 'chain' }),
  }));
  const scoreAll = tracer.trace(
    async function Evaluators(
      outputs: unknown,
      inputs: Record<string, unknown>,
      groundTruth: Record<string, unknown>,
    ) {
      const metrics: Record<string, unknown> = {};
      const errors: string[] = [];
      // One after another, as honeyhive runs them.
      for (const evaluator of evaluators) {
        try {
          metrics[evaluator.name] = await evaluator.run(outputs, inputs, groundTruth);
        } catch (error) {
          metrics[evaluator.name] = null;
          errors.push(`evaluator ${evaluator.name} threw: ${errorMessage(error)}`);
        }
      }
      return { metrics, errors };
    },
    { eventType: 'chain' },
  );

  async function runOne(datapoint: Datapoint): Promise<DatapointOutcome> {
    const sessionId = randomUUID();
    const metadata = {
      ...plan.metadata,
      run_id: runId,
      dataset_id: source.datasetId,
      datapoint_id: datapoint.id,
    };
    // Not awaited: spans carry the id whatever the start call does, the session update waits for
    // it, and the flush before the run completes waits for both (one round trip less per datapoint).
    void tracer.startSession({ sessionId, sessionName: plan.name, inputs: datapoint.inputs, metadata });
    return tracer.withSession(sessionId, async () => {
      let outputs: unknown = null;
      let metrics: Record<string, unknown> = {};
      const errors: string[] = [];
      try {
        outputs = await fn(datapoint.inputs, datapoint.groundTruth);
      } catch (error) {
        errors.push(`function threw: ${errorMessage(error)}`);
      }
      // A function that threw has no output to score.
      if (errors.length === 0) {
        const scored = await scoreAll(outputs, datapoint.inputs, datapoint.groundTruth);
        metrics = scored.metrics;
        errors.push(...scored.errors);
      }
      const error = errors.length > 0 ? errors.join('; ') : undefined;
      tracer.enrichSession(
        {
          outputs:
            typeof outputs === 'object' && outputs !== null && !Array.isArray(outputs)
              ? outputs
              : { output: outputs },
          metrics,
          ...(error === undefined ? {} : { error }),
        },
        sessionId,
      );
      return {
        datapointId: datapoint.id,
        sessionId,
        inputs: datapoint.inputs,
        groundTruth: datapoint.groundTruth,
        outputs,
        metrics,
        ...(error === undefined ? {} : { error }),
        passed: datapointPassed(error, metrics),
      };
    });
  }

  const outcomes: DatapointOutcome[] = new Array(todo.length);
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const index = next++;
      outcomes[index] = await runOne(todo[index] as Datapoint);
    }
  };
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, todo.length) }, worker));
  return outcomes;
}
