/**
 * The platform cost of a server-side experiment on AWS, on paper: what one run of N datapoints with M
 * metrics asks of each service, counted from the workflow's code (batch size, concurrency, what each
 * step reads and writes), priced with bench/cost-model.ts's list prices, model tokens left out. The
 * durations are assumptions stated here (a provider's latency, the per-invocation overhead) or taken
 * from measured rows of docs/BENCHMARKS.md (the executor's Python run, the writer's events/s).
 */
import { MAX_RUN_IDS } from '../../lambdas/domain/experiments/runs';
import {
  EXPERIMENT_BATCH_CONCURRENCY,
  EXPERIMENT_BATCH_SIZE,
} from '../../lambdas/domain/experiments/server/request';
import { EXPERIMENT_STEPS_MEMORY_MB } from '../../lib/data-plane/experiments';
import { PRICES } from '../cost-model';

export interface ExperimentCostInput {
  datapoints: number;
  metrics: number;
  metricKind: 'python' | 'judge';
  /** Seconds a provider takes to answer one call (the datapoint's, a judge's): waited for, paid in Lambda time. */
  providerLatencyS: number;
}

export interface ExperimentCostLine {
  service: string;
  count: number;
  unit: string;
  usd: number;
}

/** Measured: the AWS executor's handler.py per metric (docs/BENCHMARKS.md, Python code metrics, p50 156 ms). */
const EXECUTOR_RUN_S = 0.16;
const EXECUTOR_MEMORY_GB = 1;
/** Assumed: a batch's own work beside its waits (batch record GET/PUT, BatchGetItem, SendMessageBatch calls). */
const BATCH_OVERHEAD_S = 0.3;
/** Assumed: prepare (one item list) and finalize (its batch records read 16 at a time) of one run. */
const PREPARE_FINALIZE_S = 2;
/** Measured: the writer's whole path, events/s on one core (docs/BENCHMARKS.md, event store). */
const WRITER_EVENTS_PER_S = 24_018;
const WRITER_MEMORY_GB = 2;
/** The writer's PUTs per batch and an assumed S3 time each (the raw batch, events, locator, schema, marker). */
const WRITER_PUTS_PER_BATCH = 5;
const WRITER_PUT_S = 0.05;
/** The writer's batching window: at an experiment's pace a batch closes on it, not on its size. */
const WRITER_WINDOW_S = 30;
/** Assumed: two writers at once while a run's events arrive. */
const WRITERS = 2;
/** Map items run at once (DEFAULT_EXPERIMENT_CONCURRENCY: the project has no rate limit above it). */
const MAP_CONCURRENCY = 10;
/** Assumed stored size of a datapoint (inputs, ground truth) and of a run's events in Parquet, bytes. */
const DATAPOINT_BYTES = 1024;
const STORED_EVENT_BYTES = 1024;
/** Athena bills at least 10 MB a query; a run's result is two statements (events, verdicts). */
const ATHENA_MIN_BYTES = 10 * 1024 * 1024;
/** Ids as stored in a run's record: a datapoint id (24 hex) and a session id (a UUID), quoted. */
const DATAPOINT_ID_BYTES = 27;
const SESSION_ID_BYTES = 39;

export function experimentCost(input: ExperimentCostInput): ExperimentCostLine[] {
  const { datapoints: n, metrics: m, providerLatencyS: latency } = input;
  const judge = input.metricKind === 'judge';
  const runs = Math.ceil(n / MAX_RUN_IDS);
  const items = Math.ceil(n / EXPERIMENT_BATCH_SIZE);
  const waves = Math.ceil(EXPERIMENT_BATCH_SIZE / EXPERIMENT_BATCH_CONCURRENCY);
  const metricS = judge ? latency : EXECUTOR_RUN_S;
  const batchS = waves * (latency + m * metricS) + BATCH_OVERHEAD_S;
  const stepsGb = EXPERIMENT_STEPS_MEMORY_MB / 1024;
  const modelCalls = n * (1 + (judge ? m : 0));
  const runSeconds = (items / MAP_CONCURRENCY) * batchS;
  const writerBatches = Math.ceil(runSeconds / WRITER_WINDOW_S) * WRITERS;
  // Sessions, model events, and each score twice (the metrics update of its event, its scores-table row).
  const storedRecords = n + modelCalls + 2 * n * m;
  // One SendMessageBatch per session and per model event, one per batch for its scores (30 small records).
  const queueSends = n + modelCalls + items;
  const queueMessages = queueSends;
  const runRecordWrites =
    runs *
    (Math.ceil((MAX_RUN_IDS * DATAPOINT_ID_BYTES) / 1024) +
      Math.ceil((MAX_RUN_IDS * (DATAPOINT_ID_BYTES + SESSION_ID_BYTES)) / 1024));
  // The rate limit's counter per call (reserve); a judge's budget counter too (reserve and settle).
  const counterWrites = n + (judge ? 3 * n * m : 0);
  const reads =
    n * Math.ceil(DATAPOINT_BYTES / 4096) + modelCalls + runs * 2 * Math.ceil((MAX_RUN_IDS * 66) / 4096);
  const athenaBytes = runs * 2 * Math.max(ATHENA_MIN_BYTES, (n / runs) * 2 * STORED_EVENT_BYTES);
  const gbS = (seconds: number, gb: number) => seconds * gb;
  const line = (service: string, count: number, unit: string, usd: number): ExperimentCostLine => ({
    service,
    count,
    unit,
    usd,
  });
  const lines = [
    line(
      'Step Functions: state transitions (parent: start, Prepare, RunBatches, Finalize; each Map Run child: start, RunBatch)',
      runs * 4 + items * 2,
      'transitions',
      ((runs * 4 + items * 2) * PRICES.stepFunctionsPer1000Transitions) / 1000,
    ),
    line(
      'Lambda requests: steps function (batches, prepare, finalize), API',
      items + 2 * runs + 2 * runs,
      'requests',
      ((items + 4 * runs) * PRICES.lambdaPerMillionRequests) / 1e6,
    ),
    line(
      `Lambda duration: steps function, ${EXPERIMENT_STEPS_MEMORY_MB} MB (${waves} waves of (call ${latency} s + ${m} metrics x ${metricS} s) + ${BATCH_OVERHEAD_S} s per batch)`,
      gbS(items * batchS + runs * 2 * PREPARE_FINALIZE_S, stepsGb),
      'GB-s',
      gbS(items * batchS + runs * 2 * PREPARE_FINALIZE_S, stepsGb) * PRICES.lambdaArmPerGbSecond,
    ),
  ];
  if (!judge)
    lines.push(
      line(
        'Lambda requests: evaluator executor (one per metric per datapoint)',
        n * m,
        'requests',
        (n * m * PRICES.lambdaPerMillionRequests) / 1e6,
      ),
      line(
        `Lambda duration: evaluator executor, ${EXECUTOR_RUN_S} s at 1 GB`,
        gbS(n * m * EXECUTOR_RUN_S, EXECUTOR_MEMORY_GB),
        'GB-s',
        gbS(n * m * EXECUTOR_RUN_S, EXECUTOR_MEMORY_GB) * PRICES.lambdaArmPerGbSecond,
      ),
    );
  const writerS = storedRecords / WRITER_EVENTS_PER_S + writerBatches * WRITER_PUTS_PER_BATCH * WRITER_PUT_S;
  lines.push(
    line(
      'SQS: events queue sends (sessions, model events, score batches; each under 64 KiB)',
      queueSends,
      'requests',
      (queueSends * PRICES.sqsPerMillion64KiBChunks) / 1e6,
    ),
    line(
      'SQS: writer receives + deletes (10 messages a call)',
      (2 * queueMessages) / 10,
      'requests',
      (((2 * queueMessages) / 10) * PRICES.sqsPerMillion64KiBChunks) / 1e6,
    ),
    line(
      'Lambda requests + duration: writer (records at the measured events/s, its PUTs)',
      gbS(writerS, WRITER_MEMORY_GB),
      'GB-s',
      gbS(writerS, WRITER_MEMORY_GB) * PRICES.lambdaArmPerGbSecond +
        (writerBatches * PRICES.lambdaPerMillionRequests) / 1e6,
    ),
    line(
      'S3 PUTs: writer (5 per batch, one batch per window per writer)',
      writerBatches * WRITER_PUTS_PER_BATCH,
      'PUTs',
      (writerBatches * WRITER_PUTS_PER_BATCH * PRICES.s3PutPer1000) / 1000,
    ),
    line(
      'S3 PUTs: item lists and batch records',
      runs + items,
      'PUTs',
      ((runs + items) * PRICES.s3PutPer1000) / 1000,
    ),
    line(
      'S3 GETs: item lists (ItemReader), batch records (run, finalize)',
      runs + 2 * items,
      'GETs',
      ((runs + 2 * items) * PRICES.s3GetPer1000) / 1000,
    ),
    line(
      'DynamoDB writes: run records (created, finalized; 1 KB units), rate-limit counters' +
        (judge ? ', judge budget counters' : ''),
      runRecordWrites + counterWrites,
      'write units',
      ((runRecordWrites + counterWrites) * PRICES.dynamoPerMillionWriteUnits) / 1e6,
    ),
    line(
      'DynamoDB reads: datapoints, limits per call, run records (consistent)',
      reads,
      'read units',
      (reads * PRICES.dynamoPerMillionReadUnits) / 1e6,
    ),
    line(
      'Athena: the result read (two statements per run, at least 10 MB each)',
      athenaBytes / 1e6,
      'MB scanned',
      (athenaBytes / 1e12) * PRICES.athenaPerTbScanned,
    ),
    line(
      'API Gateway: start, a few dozen polls',
      runs * 31,
      'requests',
      (runs * 31 * PRICES.httpApiPerMillionRequests) / 1e6,
    ),
  );
  return lines;
}

export const EXPERIMENT_COST_BAR_USD = 0.25;

export function formatExperimentCostSection(): string {
  const cases: ExperimentCostInput[] = [
    { datapoints: 10_000, metrics: 3, metricKind: 'python', providerLatencyS: 1 },
    { datapoints: 10_000, metrics: 3, metricKind: 'judge', providerLatencyS: 1 },
  ];
  const fmt = (value: number, digits = 0) =>
    value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const parts = [
    '## Server-side experiment: platform cost on paper (10,000 datapoints x 3 metrics)',
    '',
    'bench/experiments/experiment-cost.ts: the services one run asks for, counted from the workflow (lambdas/experiment-steps/definition.ts,',
    `batches of ${EXPERIMENT_BATCH_SIZE} datapoints, ${EXPERIMENT_BATCH_CONCURRENCY} at a time) and priced with the list prices of the ingest cost`,
    `section (bench/cost-model.ts, us-east-1, arm64), model tokens left out. A run holds at most ${fmt(MAX_RUN_IDS)} datapoints (one DynamoDB`,
    "item), so 10,000 datapoints are two runs. The 3 metrics are the run's own (metric_ids): scored in the steps function on each",
    'session as it is built, so no event is read back; the same 3 as online evaluators would each read their event through Athena',
    "(two statements of at least 10 MB: about $3 for 30,000 evaluations). Assumed: a provider answers in 1 s (the datapoint's call",
    "and a judge's), which the steps function waits for; the executor's 0.16 s and the writer's events/s are measured rows above.",
    '',
  ];
  for (const input of cases) {
    const lines = experimentCost(input);
    const total = lines.reduce((sum, line) => sum + line.usd, 0);
    const [transitions, , steps] = lines as [ExperimentCostLine, ExperimentCostLine, ExperimentCostLine];
    parts.push(
      `### ${input.metricKind === 'python' ? '3 Python code metrics (the evaluator executor)' : "3 LLM judges (through the proxy's service)"}`,
      '',
      '| service | count | unit | USD |',
      '|---|---:|---|---:|',
      ...lines.map(
        (line) =>
          `| ${line.service} | ${fmt(line.count, line.count < 100 ? 1 : 0)} | ${line.unit} | ${line.usd.toFixed(4)} |`,
      ),
      `| **total** | | | **${total.toFixed(4)}** |`,
      '',
      `Bar: at most $${EXPERIMENT_COST_BAR_USD.toFixed(2)}: ${total <= EXPERIMENT_COST_BAR_USD ? 'met' : 'NOT met'}.`,
      '',
      `The arithmetic of the two largest lines: ${fmt(transitions.count)} transitions x $${PRICES.stepFunctionsPer1000Transitions} / 1,000 =`,
      `$${transitions.usd.toFixed(4)}; ${fmt(steps.count)} GB-s x $${PRICES.lambdaArmPerGbSecond} = $${steps.usd.toFixed(4)}. Every other line is its`,
      'count times the price of its unit in bench/cost-model.ts (SQS per request under 64 KiB, S3 per 1,000 PUTs or GETs,',
      'DynamoDB per million on-demand units, Athena per TB scanned, Lambda per million requests and per GB-s).',
      '',
    );
  }
  parts.push(
    "The largest lines are the Map Run's child executions (two transitions per batch of 10) and the steps function waiting on",
    "providers; both scale with the batch count and the latency, not with the metrics' code. Judges add three model calls per",
    'datapoint: their waiting and their budget counters (a reserve and a settle each) are platform cost, their tokens are not.',
    '',
  );
  return parts.join('\n');
}
