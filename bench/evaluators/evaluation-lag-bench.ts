/**
 * Online evaluation lag on the local platform: from an event accepted by ingest (HTTP 200) to its
 * score visible in the event's `metrics` through the read API (`POST /v1/events/export`, as the
 * freshness bench reads). Beside it, in the same run and on the same events, the event's own
 * freshness (accepted to readable, read the same way), so what evaluation adds to storing the event
 * shows.
 *
 * One enabled Python metric (the length of the answer) for model events, sampled at 100%, on the
 * local platform with its default writer tuning in a temporary data folder. Events are sent on a
 * fixed schedule, not one after another's score, so several are in flight at once as under steady
 * traffic; one poll of their session answers for all of them (SessionWatcher). Warm-up events
 * (scored before the timed ones start) absorb the sandbox's first, cold process; the first one's lag
 * is reported apart. The whole is repeated in ROUNDS fresh platforms, since a shared machine's load
 * moves these figures by seconds; the rounds' samples are pooled and each round's p50 is shown. After
 * the platforms have stopped, the same metric is timed in a warm sandbox of its own: the Python part.
 *
 * Alone: `npm exec -- tsx bench/evaluators/evaluation-lag-bench.ts` (`--quick`: one small round;
 * `--trace`: the platform's log lines, timed, on stderr).
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
import { type LatencySummary, summarizeLatencies } from '../harness';
import { machineDescription } from '../machine';

const METRIC_NAME = 'answer_length';
const CODE = `def ${METRIC_NAME}(event):\n    return len(event["outputs"].get("content", ""))\n`;
const DEFAULT_EVENTS = 40;
const DEFAULT_SPACING_MS = 250;
const WARMUP_EVENTS = 3;
const DEFAULT_ROUNDS = 3;
/** One more round at a low rate: whether the lag at the default rate is the pipeline's or a backlog's. */
const SLOW = { events: 20, spacingMs: 1_000 };
/** Each in-flight event is looked at this often: the resolution of every figure. */
const DEFAULT_POLL_MS = 25;
const GIVE_UP_MS = 60_000;
/** What the platform itself polls with (lambdas/local/platform.ts), for the explanation. */
const EVALUATIONS_POLLER = { batchSize: 10, maximumBatchingWindowMs: 0 };
const SANDBOX_RUNS = 40;
const SANDBOX_GAP_MS = 150;
export const TARGET_P50_MS = 5_000;

interface Stages {
  /** Ingest answer -> evaluation tasks queued: the event stored. */
  stored: LatencySummary;
  /** Tasks queued -> scores published as updates: the evaluations queue, reading the event, the sandbox. */
  worker: LatencySummary;
  /** Score published -> seen by the watcher: the update stored and read, plus up to one poll. */
  wayBack: LatencySummary;
}

/** One round's own figures, to show how much they move from one platform and moment to the next. */
interface RoundSummary {
  /** The 1-minute load average when the timed events started and when the last was scored. */
  loadBefore: number;
  loadAfter: number;
  readableP50Ms: number;
  scoredP50Ms: number;
  /** p50 to the score of the round's first and last quarter of events: whether the lag grew as it ran. */
  earlyP50Ms: number;
  lateP50Ms: number;
  /** The very first event after the platform started (cold sandbox), accepted -> scored. */
  firstScoredMs: number;
}

interface Measured {
  rounds: RoundSummary[];
  eventsPerRound: number;
  spacingMs: number;
  pollMs: number;
  /** Ingest accepted -> the event readable (its own freshness; the baseline). */
  readable: LatencySummary;
  /** Ingest accepted -> readable on a platform with no evaluator (control rounds, same schedule). */
  control: LatencySummary;
  controlP50Ms: number[];
  /** Ingest accepted -> its score in `metrics`. */
  scored: LatencySummary;
  /** Per event: readable -> scored, what evaluation adds. */
  added: LatencySummary;
  /** Where each event's time went (the platform's log), over the rounds whose log could be paired. */
  stages?: Stages;
  stagedRounds: number;
  /** `GET /v1/events/{id}` of each scored event, once a round's events are all scored. */
  get: LatencySummary;
  /** One watcher poll (an export of the session): the read load the measuring adds. */
  poll: LatencySummary;
  /** The same metric in a warm sandbox of its own, after the platforms stopped. */
  sandbox: LatencySummary;
  /** One round at SLOW's rate: readable and scored. */
  slow?: { readable: LatencySummary; scored: LatencySummary; summary: RoundSummary };
}

export interface EvaluationLagBench {
  date: string;
  machine: string;
  cores: number;
  node: string;
  python?: string;
  /** Why nothing was measured (no python3). */
  unavailable?: string;
  measured?: Measured;
}

interface EventTimes {
  /** performance.now() of the ingest answer; the others are from it. */
  acceptedAt: number;
  readableMs: number;
  scoredMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
 * the session every `pollMs` answers for every event in flight at once, so watching 10 events costs
 * the platform what watching one does (a read per event and poll would load the same cores the
 * pipeline runs on, and lengthen what is measured).
 */
class SessionWatcher {
  private readonly pending = new Map<string, Watched>();
  private running = true;
  private lastError?: Error;
  private readonly loop: Promise<void>;
  readonly pollMs: number[] = [];

  constructor(
    private readonly api: Api,
    private readonly sessionId: string,
    private readonly pollIntervalMs: number,
    /** false: an event is done once readable (no evaluator runs). */
    private readonly awaitScore = true,
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
      await sleep(this.pollIntervalMs);
    }
  }

  private async poll(): Promise<void> {
    const sent = performance.now();
    for (const [eventId, watched] of this.pending)
      if (sent - watched.accepted > GIVE_UP_MS) {
        this.pending.delete(eventId);
        const last = this.lastError ? ` (last read failure: ${this.lastError.message})` : '';
        watched.reject(new Error(`event ${watched.index} not scored within ${GIVE_UP_MS / 1000} s${last}`));
      }
    let events: Awaited<ReturnType<Api['export']>>['events'];
    try {
      ({ events } = await this.api.export({
        filters: [{ field: 'session_id', operator: 'is', value: this.sessionId, type: 'string' }],
      }));
    } catch (error) {
      // One failed read is retried at the next poll; GIVE_UP_MS bounds a read that never comes back.
      this.lastError = error instanceof Error ? error : new Error(String(error));
      return;
    }
    const now = performance.now();
    this.pollMs.push(now - sent);
    for (const event of events) {
      const watched = this.pending.get(event.event_id);
      if (!watched) continue;
      watched.readableMs ??= now - watched.accepted;
      const score = this.awaitScore
        ? (event.metrics as Record<string, unknown> | undefined)?.[METRIC_NAME]
        : answer(watched.index).length;
      if (score === undefined) continue;
      this.pending.delete(event.event_id);
      if (score !== answer(watched.index).length)
        watched.reject(new Error(`event ${watched.index} scored ${JSON.stringify(score)}`));
      else
        watched.resolve({
          acceptedAt: watched.accepted,
          readableMs: watched.readableMs,
          scoredMs: now - watched.accepted,
        });
    }
  }
}

/** Sends model event `i` in `sessionId`; its times, from the ingest answer, once it is scored. */
async function send(
  api: Api,
  watcher: SessionWatcher,
  sessionId: string,
  i: number,
): Promise<EventTimes & { eventId: string }> {
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
  return { eventId, ...(await watcher.watch(eventId, i, accepted)) };
}

/** Each event read once by id, one after another: what a per-event poll would have cost. */
async function timeGets(api: Api, eventIds: readonly string[]): Promise<number[]> {
  const samples: number[] = [];
  for (const eventId of eventIds) {
    const started = performance.now();
    const response = await api.request('GET', `/v1/events/${eventId}`);
    await response.arrayBuffer();
    samples.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`GET /v1/events/{id} answered ${response.status}`);
  }
  return samples;
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
 * When the platform's log says tasks were queued (the writer's hook, right after the batch holding
 * their events was stored) and scores were published as updates (after the worker's batch), one
 * time per task. Only while `counting`: the timed events.
 */
class PipelineLog {
  readonly queuedAt: number[] = [];
  readonly publishedAt: number[] = [];
  counting = false;

  readonly log = (line: string): void => {
    if (!this.counting) return;
    const now = performance.now();
    const queued = /evaluations: tasks queued tasks=(\d+)/.exec(line);
    for (let n = Number(queued?.[1] ?? 0); n > 0; n--) this.queuedAt.push(now);
    const scored = /evaluations: scored scores=(\d+)/.exec(line);
    for (let n = Number(scored?.[1] ?? 0); n > 0; n--) this.publishedAt.push(now);
  };
}

interface StageSamples {
  stored: number[];
  worker: number[];
  wayBack: number[];
}

/**
 * Each event's time split in three at the log's times, pairing the n-th event sent with the n-th
 * task queued, the n-th score published and the n-th score seen (the queues hand messages out in
 * order; the events of one writer batch share their times). Undefined when the counts differ.
 */
function stagesOf(acceptedAt: number[], visibleAt: number[], log: PipelineLog): StageSamples | undefined {
  const accepted = [...acceptedAt].sort((a, b) => a - b);
  const visible = [...visibleAt].sort((a, b) => a - b);
  const { queuedAt, publishedAt } = log;
  if (queuedAt.length !== accepted.length || publishedAt.length !== accepted.length) return undefined;
  const at = (list: number[], i: number) => list[i] ?? Number.NaN;
  const each = (from: number[], to: number[]) => accepted.map((_, i) => at(to, i) - at(from, i));
  return {
    stored: each(accepted, queuedAt),
    worker: each(queuedAt, publishedAt),
    wayBack: each(publishedAt, visible),
  };
}

interface Round {
  summary: RoundSummary;
  times: EventTimes[];
  pollMs: number[];
  getMs: number[];
  stages?: StageSamples;
}

async function measureRound(
  events: number,
  spacingMs: number,
  pollMs: number,
  trace?: (line: string) => void,
): Promise<Round> {
  const dataDir = await mkdtemp(join(tmpdir(), 'waggle-evaluation-lag-'));
  const pipeline = new PipelineLog();
  const log = (line: string) => {
    pipeline.log(line);
    trace?.(line);
  };
  const platform = await startLocalPlatform({ port: 0, dataDir, log });
  try {
    platform.evaluators.put(metric(platform.projectId));
    const api = readApi(platform.url, platform.apiKey);
    const warmup = new SessionWatcher(api, 'evaluation-lag-warmup', pollMs);
    const watcher = new SessionWatcher(api, 'evaluation-lag', pollMs);
    try {
      const first = await send(api, warmup, 'evaluation-lag-warmup', 0);
      for (let i = 1; i < WARMUP_EVENTS; i++) await send(api, warmup, 'evaluation-lag-warmup', i);
      await warmup.stop();
      pipeline.counting = true;
      const watches: Promise<EventTimes & { eventId: string }>[] = [];
      const loadBefore = os.loadavg()[0] ?? Number.NaN;
      const start = performance.now();
      for (let i = 0; i < events; i++) {
        // On a schedule, not after the last answer: a slow ingest does not space the rest out.
        const due = start + i * spacingMs - performance.now();
        if (due > 0) await sleep(due);
        watches.push(send(api, watcher, 'evaluation-lag', i));
      }
      const times = await Promise.all(watches);
      const loadAfter = os.loadavg()[0] ?? Number.NaN;
      const quarter = Math.max(1, Math.floor(times.length / 4));
      await watcher.stop();
      const getMs = await timeGets(
        api,
        times.map((t) => t.eventId),
      );
      return {
        summary: {
          loadBefore,
          loadAfter,
          readableP50Ms: summarizeLatencies(times.map((t) => t.readableMs)).p50Ms,
          scoredP50Ms: summarizeLatencies(times.map((t) => t.scoredMs)).p50Ms,
          earlyP50Ms: summarizeLatencies(times.slice(0, quarter).map((t) => t.scoredMs)).p50Ms,
          lateP50Ms: summarizeLatencies(times.slice(-quarter).map((t) => t.scoredMs)).p50Ms,
          firstScoredMs: first.scoredMs,
        },
        times,
        pollMs: watcher.pollMs,
        getMs,
        stages: stagesOf(
          times.map((t) => t.acceptedAt),
          times.map((t) => t.acceptedAt + t.scoredMs),
          pipeline,
        ),
      };
    } finally {
      await Promise.all([warmup.stop(), watcher.stop()]);
    }
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * The same warm-up and schedule on a fresh platform with no evaluator: the events' freshness when
 * nothing is evaluated, to show what evaluating slows for the events themselves (the score updates
 * share the events queue and the writer with them).
 */
async function measureControlRound(events: number, spacingMs: number, pollMs: number): Promise<number[]> {
  const dataDir = await mkdtemp(join(tmpdir(), 'waggle-evaluation-lag-control-'));
  const platform = await startLocalPlatform({ port: 0, dataDir, log: () => {} });
  try {
    const api = readApi(platform.url, platform.apiKey);
    const watcher = new SessionWatcher(api, 'evaluation-lag-control', pollMs, false);
    try {
      for (let i = 0; i < WARMUP_EVENTS; i++) await send(api, watcher, 'evaluation-lag-control', i);
      const watches: Promise<EventTimes>[] = [];
      const start = performance.now();
      for (let i = 0; i < events; i++) {
        const due = start + i * spacingMs - performance.now();
        if (due > 0) await sleep(due);
        watches.push(send(api, watcher, 'evaluation-lag-control', WARMUP_EVENTS + i));
      }
      return (await Promise.all(watches)).map((t) => t.readableMs);
    } finally {
      await watcher.stop();
    }
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function measureEvaluationLag(
  options: {
    rounds?: number;
    events?: number;
    spacingMs?: number;
    /** How often the events in flight are read (default 25 ms). */
    pollMs?: number;
    trace?: (line: string) => void;
  } = {},
): Promise<EvaluationLagBench> {
  const base = {
    date: new Date().toISOString(),
    machine: machineDescription(),
    cores: os.cpus().length,
    node: process.version,
  };
  let python: string;
  try {
    python = await pythonVersion(await resolvePython());
  } catch (error) {
    return { ...base, unavailable: error instanceof Error ? error.message : String(error) };
  }
  const eventsPerRound = options.events ?? DEFAULT_EVENTS;
  const spacingMs = options.spacingMs ?? DEFAULT_SPACING_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const rounds: Round[] = [];
  const control: number[][] = [];
  // Alternated, so the machine's load of the moment falls on both.
  for (let i = 0; i < (options.rounds ?? DEFAULT_ROUNDS); i++) {
    rounds.push(await measureRound(eventsPerRound, spacingMs, pollMs, options.trace));
    control.push(await measureControlRound(eventsPerRound, spacingMs, pollMs));
  }
  const slowRound =
    options.rounds === undefined ? await measureRound(SLOW.events, SLOW.spacingMs, pollMs) : undefined;
  const times = rounds.flatMap((round) => round.times);
  const staged = rounds.flatMap((round) => (round.stages ? [round.stages] : []));
  return {
    ...base,
    python,
    measured: {
      rounds: rounds.map((round) => round.summary),
      eventsPerRound,
      spacingMs,
      pollMs,
      readable: summarizeLatencies(times.map((t) => t.readableMs)),
      control: summarizeLatencies(control.flat()),
      controlP50Ms: control.map((each) => summarizeLatencies(each).p50Ms),
      scored: summarizeLatencies(times.map((t) => t.scoredMs)),
      added: summarizeLatencies(times.map((t) => t.scoredMs - t.readableMs)),
      stages:
        staged.length > 0
          ? {
              stored: summarizeLatencies(staged.flatMap((each) => each.stored)),
              worker: summarizeLatencies(staged.flatMap((each) => each.worker)),
              wayBack: summarizeLatencies(staged.flatMap((each) => each.wayBack)),
            }
          : undefined,
      stagedRounds: staged.length,
      get: summarizeLatencies(rounds.flatMap((round) => round.getMs)),
      poll: summarizeLatencies(rounds.flatMap((round) => round.pollMs)),
      sandbox: summarizeLatencies(await timeSandbox()),
      slow: slowRound && {
        readable: summarizeLatencies(slowRound.times.map((t) => t.readableMs)),
        scored: summarizeLatencies(slowRound.times.map((t) => t.scoredMs)),
        summary: slowRound.summary,
      },
    },
  };
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
  const line = (name: string, r: LatencySummary) =>
    `| ${name} | ${fmt(r.p50Ms)} | ${fmt(r.p95Ms)} | ${fmt(r.maxMs)} | ${fmt(r.meanMs)} |`;
  const { readable, scored, added, sandbox, poll, get, stages, control } = measured;
  const window = LOCAL_WRITER_DEFAULTS.maximumBatchingWindowMs;
  const met = scored.p50Ms < TARGET_P50_MS;
  const header = '| p50 ms | p95 ms | max ms | mean ms |\n|---|---:|---:|---:|---:|';
  const { rounds } = measured;
  const each = (pick: (round: RoundSummary) => string) => rounds.map(pick).join(' / ');
  const events = rounds.length * measured.eventsPerRound;
  const { cores } = bench;
  const busy = rounds.filter((r) => Math.max(r.loadBefore, r.loadAfter) > cores).length;
  const oversubscribed =
    busy === 0
      ? ''
      : ` In ${busy} of the ${rounds.length} rounds the load was above the\nmachine's ${cores} cores (other work on it): those figures include time spent waiting for CPU the other work held.`;
  const noSplit = `Where the time goes: not split (the platform's log did not give one queued task and one published score per
event in any round).

| ${header}
${line(`the Python run alone: the same metric in a warm sandbox (runs ${SANDBOX_GAP_MS} ms apart)`, sandbox)}
`;
  const { slow } = measured;
  const slowRows = slow
    ? `${line(`at 1 event every ${fmt(SLOW.spacingMs)} ms instead (one more round of ${SLOW.events}): readable`, slow.readable)}
${line(`at 1 event every ${fmt(SLOW.spacingMs)} ms: **its score in \`metrics\`** (first quarter p50 ${fmt(slow.summary.earlyP50Ms)}, last ${fmt(slow.summary.lateP50Ms)})`, slow.scored)}
`
    : '';
  const slowVerdict = slow
    ? `; ${fmt(slow.scored.p50Ms)} ms at 1 event every ${fmt(SLOW.spacingMs)} ms, ${slow.scored.p50Ms < TARGET_P50_MS ? 'met' : 'NOT met'}`
    : '';
  const p50s = rounds.map((r) => r.scoredP50Ms);
  const unsteady =
    Math.max(...p50s) > 2 * Math.min(...p50s)
      ? `\n\nThe rounds' p50s differ by more than 2x, so the verdict above is not a steady one on this machine: a round whose
last quarter is much slower than its first fell behind (events, scores and reads queue up faster than they clear), and
the pooled p50 moves with how many rounds did.`
      : '';
  return `${heading}

${where}, ${bench.python}, the machine shared with other work. The local platform with its default tuning (writer
batching window ${window} ms) in a temporary data folder, one enabled Python metric for model events (the answer's length,
sampled at 100%). ${rounds.length} round(s), each on a fresh platform: ${measured.eventsPerRound} model events in one session sent through HoneyHive's
\`POST /events\`, one every ${measured.spacingMs} ms, so several are in flight at once; every ${measured.pollMs} ms one \`POST /v1/events/export\` filtered
on the session (p50 ${fmt(poll.p50Ms)} ms, p95 ${fmt(poll.p95Ms)} ms each) tells which are readable and which carry the score in \`metrics\`
(its value checked). Times run from the ingest answer (HTTP 200) to the answer of the first poll that shows it, so
each is late by up to one poll. One poll for all the events in flight rather than a \`GET /v1/events/{id}\` per event:
once all were scored, a GET of each took p50 ${fmt(get.p50Ms)} ms (p95 ${fmt(get.p95Ms)} ms), and one per event in flight every ${measured.pollMs} ms
would load the cores the pipeline runs on and lengthen what is measured. Even so an export is in flight most of
the time: the measuring loads the platform too. ${WARMUP_EVENTS} warm-up events, in a session of their own, went first one at a
time in each round.

| ${events} events, from the ingest answer to ${header}
${line('baseline: the event readable (its own freshness)', readable)}
${line('control: the event readable on a platform with no evaluator (same schedule; rounds alternated)', measured.control)}
${line('**its score in `metrics`**', scored)}
${line('added by evaluation: readable to scored, per event', added)}
${slowRows}
Target: p50 under ${fmt(TARGET_P50_MS / 1000)} s from ingest to score: ${fmt(scored.p50Ms)} ms at 1 event every ${measured.spacingMs} ms, **${met ? 'met' : 'NOT met'}**${slowVerdict}. At p50 the score is visible
${(scored.p50Ms / readable.p50Ms).toFixed(1)}x the event's own freshness, ${fmt(scored.p50Ms - readable.p50Ms)} ms after it. ${readable.p50Ms > 1.5 * control.p50Ms ? 'Evaluating also slows the events\nthemselves' : "Evaluating changes the events' own freshness little"}: readable at p50 ${fmt(readable.p50Ms)} ms against ${fmt(control.p50Ms)} ms with no evaluator (the score updates share the events
queue, the writer and the reads with the events; per control round ${measured.controlP50Ms.map(fmt).join(' / ')} ms).

Round by round: p50 to the score ${each((r) => fmt(r.scoredP50Ms))} ms (the first quarter of each round's events
${each((r) => fmt(r.earlyP50Ms))} ms, the last quarter ${each((r) => fmt(r.lateP50Ms))} ms), to readable ${each((r) => fmt(r.readableP50Ms))} ms; 1-minute
load average ${each((r) => `${r.loadBefore.toFixed(1)} to ${r.loadAfter.toFixed(1)}`)} on the ${cores} cores while the timed events ran.${oversubscribed}
The first event after each platform started (no sandbox process ready yet) was scored ${each((r) => fmt(r.firstScoredMs))} ms after its
ingest answer.${unsteady}

${stages ? stagesTable(stages, sandbox, line, header, measured.stagedRounds, rounds.length) : noSplit}`;
}

function stagesTable(
  stages: Stages,
  sandbox: LatencySummary,
  line: (name: string, r: LatencySummary) => string,
  header: string,
  rounds: number,
  total: number,
): string {
  const window = LOCAL_WRITER_DEFAULTS.maximumBatchingWindowMs;
  const share = (part: LatencySummary) =>
    `${Math.round((100 * part.meanMs) / (stages.stored.meanMs + stages.worker.meanMs + stages.wayBack.meanMs))}%`;
  return `Where the time goes, per event (over ${rounds === total ? `all ${total}` : `${rounds} of the ${total}`} rounds), at the times of the platform's log (the n-th event sent paired with
the n-th task queued, score published and score seen: the queues hand messages out in order, and the events of one
writer batch share their times). The means add up to the mean from the ingest answer to the score.

| stage ${header}
${line(`1. stored: the events queue, the writer's batching window (up to ${window} ms), the Parquet write, the writer's hook queuing one task per event and evaluator (${share(stages.stored)} of the mean)`, stages.stored)}
${line(`2. evaluated: the evaluations queue (batches of up to ${EVALUATIONS_POLLER.batchSize}, no batching window, one batch at a time), reading the event back through the read path, the sandbox, publishing the score (${share(stages.worker)})`, stages.worker)}
${line(`3. back: the score as a \`metrics\` update on the events queue, the writer's batching window again, a second write, the read merging it, up to one poll (${share(stages.wayBack)})`, stages.wayBack)}
${line(`the Python run alone: the same metric in a warm sandbox after the platform stopped (runs ${SANDBOX_GAP_MS} ms apart)`, sandbox)}

The lag is two trips through the writer (its batching window each time) with the evaluation between them; the Python
run is ${Math.round((100 * sandbox.meanMs) / stages.worker.meanMs)}% of stage 2, the rest of which is waiting in the evaluations queue and reading the event back.
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const t0 = performance.now();
  const trace = process.argv.includes('--trace')
    ? (line: string) => console.error(`${(performance.now() - t0).toFixed(0).padStart(6)} ${line}`)
    : undefined;
  const bench = await measureEvaluationLag({ ...(quick && { rounds: 1, events: 8 }), trace });
  console.log(formatEvaluationLagSection(bench));
}
