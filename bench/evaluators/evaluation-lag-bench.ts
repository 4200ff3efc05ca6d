/**
 * Online evaluation lag on the local platform: from an event accepted by ingest (HTTP 200) to its
 * score visible in the event's `metrics` through the read API (`POST /v1/events/export`, as the
 * freshness bench reads). Beside it, in
 * the same run and on the same events, the event's own freshness (accepted to readable by the same
 * route), so what evaluation adds on top of storing the event shows.
 *
 * One enabled Python metric (the length of the answer) for model events, sampled at 100%, on the
 * local platform with its default writer tuning in a temporary data folder. Events are sent on a
 * fixed schedule, not one after another's score, so several are in flight at once as under steady
 * traffic; one poll of their session answers for all of them (SessionWatcher). Warm-up events (scored before the timed ones start) absorb the
 * sandbox's first, cold process; the first one's lag is reported apart. After the platform has
 * stopped, the same metric is timed in a warm sandbox of its own: the Python part of the lag.
 *
 * Alone: `npm exec -- tsx bench/evaluators/evaluation-lag-bench.ts` (add `--quick` for a small run).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { PythonSandbox, resolvePython } from '../../lambdas/adapters/local/python-sandbox';
import type { EvaluationInput, EvaluatorDefinition } from '../../lambdas/domain/evaluators/evaluator';
import { LOCAL_WRITER_DEFAULTS, startLocalPlatform } from '../../lambdas/local/platform';
import { readApi } from '../../test/support/read-api-client';
import { percentile } from '../harness';

const METRIC_NAME = 'answer_length';
const CODE = `def ${METRIC_NAME}(event):\n    return len(event["outputs"].get("content", ""))\n`;
const DEFAULT_EVENTS = 40;
const DEFAULT_SPACING_MS = 250;
const WARMUP_EVENTS = 3;
/** Each in-flight event is looked at this often: the resolution of every figure. */
const POLL_MS = 25;
const GIVE_UP_MS = 60_000;
/** What the platform itself polls with (lambdas/local/platform.ts), for the explanation. */
const EVALUATIONS_POLLER = { batchSize: 10, maximumBatchingWindowMs: 0 };
const SANDBOX_RUNS = 40;
const SANDBOX_GAP_MS = 150;
export const TARGET_P50_MS = 5_000;

export interface LagRow {
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

interface Measured {
  events: number;
  /** The 1-minute load average before and after the platform part (the machine may be shared). */
  loadBefore: number;
  loadAfter: number;
  spacingMs: number;
  /** Ingest accepted -> the event readable (its own freshness; the baseline). */
  readable: LagRow;
  /** Ingest accepted -> its score in `metrics`. */
  scored: LagRow;
  /** Per event: readable -> scored, what evaluation adds. */
  added: LagRow;
  /** The very first event after the platform started (cold sandbox), accepted -> scored. */
  firstScoredMs: number;
  /** Tasks queued -> scores published (the platform's log), per task of the timed events. */
  worker: LagRow;
  workerSamples: number;
  /** One watcher poll (an export of the session): the read load the measuring adds. */
  poll: LagRow;
  /** The same metric in a warm sandbox of its own, after the platform stopped. */
  sandbox: LagRow;
}

export interface EvaluationLagBench {
  date: string;
  machine: string;
  node: string;
  python?: string;
  /** Why nothing was measured (no python3). */
  unavailable?: string;
  measured?: Measured;
}

interface EventTimes {
  readableMs: number;
  scoredMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function row(samples: readonly number[]): LagRow {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), maxMs: sorted.at(-1) ?? Number.NaN };
}

function answer(i: number): string {
  return `answer number ${i}${'.'.repeat(i % 17)}`;
}

function metric(projectId: string): EvaluatorDefinition {
  const now = Date.now();
  return {
    id: 'bench-answer-length',
    projectId,
    name: METRIC_NAME,
    version: 1,
    type: 'custom',
    description: 'Characters in the answer',
    codeSnippet: CODE,
    returnType: 'float',
    needsGroundTruth: false,
    enabledInProd: true,
    eventType: 'model',
    samplingPercentage: 100,
    filters: [],
    createdAt: now,
    updatedAt: now,
  };
}

type Api = ReturnType<typeof readApi>;

interface Watched {
  index: number;
  accepted: number;
  readableMs?: number;
  resolve: (times: EventTimes) => void;
  reject: (error: Error) => void;
}

/**
 * Watches the events of one session through the read API: one `POST /v1/events/export` filtered on
 * the session every POLL_MS answers for every event in flight at once, so watching 10 events costs
 * the platform what watching one does (a read per event and poll would load the same two cores the
 * pipeline runs on, and lengthen what is measured).
 */
class SessionWatcher {
  private readonly pending = new Map<string, Watched>();
  private running = true;
  private readonly loop: Promise<void>;
  readonly pollMs: number[] = [];

  constructor(
    private readonly api: Api,
    private readonly sessionId: string,
  ) {
    this.loop = this.run();
  }

  watch(eventId: string, index: number, accepted: number): Promise<EventTimes> {
    return new Promise((resolve, reject) => this.pending.set(eventId, { index, accepted, resolve, reject }));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.pending.size > 0) await this.poll();
      await sleep(POLL_MS);
    }
  }

  private async poll(): Promise<void> {
    const sent = performance.now();
    let events: Awaited<ReturnType<Api['export']>>['events'];
    try {
      ({ events } = await this.api.export({
        filters: [{ field: 'session_id', operator: 'is', value: this.sessionId, type: 'string' }],
      }));
    } catch (error) {
      return this.failAll(error instanceof Error ? error : new Error(String(error)));
    }
    const now = performance.now();
    this.pollMs.push(now - sent);
    for (const event of events) {
      const watched = this.pending.get(event.event_id);
      if (!watched) continue;
      watched.readableMs ??= now - watched.accepted;
      const score = (event.metrics as Record<string, unknown> | undefined)?.[METRIC_NAME];
      if (score === undefined) continue;
      this.pending.delete(event.event_id);
      if (score !== answer(watched.index).length)
        watched.reject(new Error(`event ${watched.index} scored ${JSON.stringify(score)}`));
      else watched.resolve({ readableMs: watched.readableMs, scoredMs: now - watched.accepted });
    }
    for (const [eventId, watched] of this.pending)
      if (now - watched.accepted > GIVE_UP_MS) {
        this.pending.delete(eventId);
        watched.reject(new Error(`event ${watched.index} not scored within ${GIVE_UP_MS / 1000} s`));
      }
  }

  private failAll(error: Error): void {
    for (const watched of this.pending.values()) watched.reject(error);
    this.pending.clear();
  }
}

/** Sends model event `i` in `sessionId`; its times, from the ingest answer, once it is scored. */
async function send(api: Api, watcher: SessionWatcher, sessionId: string, i: number): Promise<EventTimes> {
  const response = await api.post('/events', {
    event: {
      project: 'default',
      source: 'bench',
      event_type: 'model',
      event_name: 'chat',
      session_id: sessionId,
      config: { model: 'gpt-4o' },
      inputs: { question: `question ${i}` },
      outputs: { content: answer(i) },
    },
  });
  if (response.status !== 200)
    throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
  const accepted = performance.now();
  const { event_id: eventId } = (await response.json()) as { event_id: string };
  return watcher.watch(eventId, i, accepted);
}

async function timeSandbox(): Promise<number[]> {
  const sandbox = new PythonSandbox();
  const input: EvaluationInput = {
    event_id: 'bench-event',
    session_id: 'bench-session',
    event_type: 'model',
    event_name: 'chat',
    model: 'gpt-4o',
    provider: 'openai',
    inputs: { question: 'question' },
    outputs: { content: answer(5) },
    metadata: {},
    config: {},
    feedback: {},
    metrics: {},
    user_properties: {},
  };
  const samples: number[] = [];
  try {
    for (let i = 0; i < SANDBOX_RUNS + 5; i++) {
      await sleep(SANDBOX_GAP_MS);
      const started = performance.now();
      const outcome = await sandbox.run({ projectId: 'bench-lag', code: CODE, returnType: 'float', input });
      if (outcome.status !== 'ok') throw new Error(`the sandbox answered ${JSON.stringify(outcome)}`);
      if (i >= 5) samples.push(performance.now() - started);
    }
  } finally {
    sandbox.close();
  }
  return samples;
}

/**
 * The evaluation worker's part, from the platform's log: the time from tasks being queued (the
 * writer's hook, right after the event's batch is stored) to their scores being published as
 * updates (the evaluations queue's poller, reading the event, the sandbox). Tasks are taken in the
 * order they were queued, as the queue hands them out.
 */
class WorkerClock {
  private readonly queued: number[] = [];
  readonly samplesMs: number[] = [];
  counting = false;

  readonly log = (line: string): void => {
    const now = performance.now();
    const queued = /evaluations: tasks queued tasks=(\d+)/.exec(line);
    if (queued && this.counting) for (let n = Number(queued[1]); n > 0; n--) this.queued.push(now);
    const scored = /evaluations: scored scores=(\d+)/.exec(line);
    if (scored)
      for (let n = Number(scored[1]); n > 0; n--) {
        const at = this.queued.shift();
        if (at !== undefined) this.samplesMs.push(now - at);
      }
  };
}

async function measureOnPlatform(
  events: number,
  spacingMs: number,
  trace?: (line: string) => void,
): Promise<Omit<Measured, 'sandbox'>> {
  const dataDir = await mkdtemp(join(tmpdir(), 'waggle-evaluation-lag-'));
  const clock = new WorkerClock();
  const log = (line: string) => {
    clock.log(line);
    trace?.(line);
  };
  const platform = await startLocalPlatform({ port: 0, dataDir, log });
  try {
    platform.evaluators.put(metric(platform.projectId));
    const api = readApi(platform.url, platform.apiKey);
    const warmup = new SessionWatcher(api, 'evaluation-lag-warmup');
    const watcher = new SessionWatcher(api, 'evaluation-lag');
    try {
      const first = await send(api, warmup, 'evaluation-lag-warmup', 0);
      for (let i = 1; i < WARMUP_EVENTS; i++) await send(api, warmup, 'evaluation-lag-warmup', i);
      await warmup.stop();
      clock.counting = true;
      const watches: Promise<EventTimes>[] = [];
      const loadBefore = os.loadavg()[0] ?? Number.NaN;
      const start = performance.now();
      for (let i = 0; i < events; i++) {
        // On a schedule, not after the last answer: a slow ingest does not space the rest out.
        const due = start + i * spacingMs - performance.now();
        if (due > 0) await sleep(due);
        watches.push(send(api, watcher, 'evaluation-lag', i));
      }
      const times = await Promise.all(watches);
      return {
        events,
        spacingMs,
        loadBefore,
        loadAfter: os.loadavg()[0] ?? Number.NaN,
        readable: row(times.map((t) => t.readableMs)),
        scored: row(times.map((t) => t.scoredMs)),
        added: row(times.map((t) => t.scoredMs - t.readableMs)),
        firstScoredMs: first.scoredMs,
        poll: row(watcher.pollMs),
        worker: row(clock.samplesMs),
        workerSamples: clock.samplesMs.length,
      };
    } finally {
      await Promise.all([warmup.stop(), watcher.stop()]);
    }
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function measureEvaluationLag(
  options: { events?: number; spacingMs?: number; trace?: (line: string) => void } = {},
): Promise<EvaluationLagBench> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const base = {
    date: new Date().toISOString(),
    machine: `${cpu}, ${os.cpus().length} cores, ${os.platform()} ${os.release()}`,
    node: process.version,
  };
  let python: string;
  try {
    python = await pythonVersion(await resolvePython());
  } catch (error) {
    return { ...base, unavailable: error instanceof Error ? error.message : String(error) };
  }
  const onPlatform = await measureOnPlatform(
    options.events ?? DEFAULT_EVENTS,
    options.spacingMs ?? DEFAULT_SPACING_MS,
    options.trace,
  );
  return { ...base, python, measured: { ...onPlatform, sandbox: row(await timeSandbox()) } };
}

async function pythonVersion(executable: string): Promise<string> {
  return new Promise((resolve) => {
    execFile(executable, ['--version'], (_failure, stdout) => resolve(String(stdout).trim() || executable));
  });
}

export function formatEvaluationLagSection(bench: EvaluationLagBench): string {
  const heading = '## Online evaluation: lag from ingest to score';
  const where = `bench/evaluators/evaluation-lag-bench.ts, ${bench.date}, ${bench.machine}, Node ${bench.node}`;
  const { measured } = bench;
  if (!measured)
    return `${heading}\n\n${where}. Not measured: ${bench.unavailable ?? 'python3 is not available'}.\n`;
  const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const line = (name: string, r: LagRow) =>
    `| ${name} | ${fmt(r.p50Ms)} | ${fmt(r.p95Ms)} | ${fmt(r.maxMs)} |`;
  const { readable, scored, added, worker, sandbox, poll } = measured;
  const window = LOCAL_WRITER_DEFAULTS.maximumBatchingWindowMs;
  const met = scored.p50Ms < TARGET_P50_MS;
  const wayBack = added.p50Ms - worker.p50Ms;
  return `${heading}

${where}, ${bench.python}; the machine shared with other work (1-minute load average ${measured.loadBefore.toFixed(1)} before the
run, ${measured.loadAfter.toFixed(1)} after it). The local platform with its default tuning (writer batching window ${window} ms) in a
temporary data folder, one enabled Python metric for model events (the answer's length, sampled at 100%).
${measured.events} model events in one session sent through HoneyHive's \`POST /events\`, one every ${measured.spacingMs} ms, so several are in
flight at once; every ${POLL_MS} ms one \`POST /v1/events/export\` filtered on the session (p50 ${fmt(poll.p50Ms)} ms, p95 ${fmt(poll.p95Ms)} ms each)
tells which are readable and which carry the score in \`metrics\` (its value checked). Times run from the ingest answer
(HTTP 200) to the answer of the first poll that shows it, so each is late by up to one poll. One poll for all the
events in flight rather than a \`GET /v1/events/{id}\` per event: a found event's GET takes 50 to 150 ms here, and one per
event every ${POLL_MS} ms would load the two cores the pipeline runs on and lengthen what is measured. ${WARMUP_EVENTS} warm-up
events, in a session of their own, went first one at a time.

| from the ingest answer to | p50 ms | p95 ms | max ms |
|---|---:|---:|---:|
${line('baseline: the event readable (its own freshness)', readable)}
${line('**its score in `metrics`**', scored)}
${line('added by evaluation: readable to scored, per event', added)}
${line(`of which the worker: tasks queued to scores published, per task (the platform's log; ${measured.workerSamples} tasks)`, worker)}
${line(`of which the Python run: the same metric in a warm sandbox alone (after the platform stopped; runs ${SANDBOX_GAP_MS} ms apart)`, sandbox)}

Target: p50 under ${fmt(TARGET_P50_MS / 1000)} s from ingest to score: ${fmt(scored.p50Ms)} ms, **${met ? 'met' : 'NOT met'}**. At p50 the score is visible
${(scored.p50Ms / readable.p50Ms).toFixed(1)}x the event's own freshness, ${fmt(scored.p50Ms - readable.p50Ms)} ms after the event itself. The first event after the platform
started (no sandbox process ready yet) was scored ${fmt(measured.firstScoredMs)} ms after its ingest answer.

What the lag is made of, in order:

1. Storing the event, the baseline row: the events queue, the writer's batching window (up to ${window} ms), the Parquet
   write. The writer's hook then queues one task per event and evaluator on the evaluations queue.
2. The worker, about ${fmt(worker.p50Ms)} ms at p50: the evaluations queue's poller (batches of up to ${EVALUATIONS_POLLER.batchSize} tasks, no batching
   window; it is told of new tasks at once), reading the event back through the read path, and the sandbox run
   (about ${fmt(sandbox.p50Ms)} ms on its own: a process per run, the next one started after each run).
3. The score's way back, the rest of the added time (about ${fmt(wayBack)} ms at p50, by difference): a \`metrics\` update on
   the events queue, the writer's batching window again, a second write, then the read merging the update.

So the lag is about two writer batching windows plus the writes; the Python run is a small part of it.
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  // --trace: the platform's log lines, timed, on stderr (where the time goes).
  const t0 = performance.now();
  const trace = process.argv.includes('--trace')
    ? (line: string) => console.error(`${(performance.now() - t0).toFixed(0).padStart(6)} ${line}`)
    : undefined;
  const bench = await measureEvaluationLag({ ...(quick && { events: 8 }), trace });
  console.log(formatEvaluationLagSection(bench));
}
