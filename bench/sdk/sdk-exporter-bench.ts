/**
 * The SDK's OTLP exporter beside OpenTelemetry JS's, both under the SDK's span processor
 * (createExportPipeline, the second with `exporter: new OTLPTraceExporter(...)` from
 * @opentelemetry/exporter-trace-otlp-proto, which brings OpenTelemetry's serializer call, gzip,
 * HTTP transport and RetryingTransport), against one local HTTP server in a child process (so its
 * CPU is not this process's), in the same run:
 * 1. cost per exported batch of 512 spans as the SDK makes them (a small traced call, and an LLM
 *    call with about 2 KB of prompt and 2 KB of completion), gzip and no compression: CPU of the
 *    application's thread (process.threadCpuUsage), CPU of all threads (process.cpuUsage; gzip runs
 *    on the libuv pool) and wall time, from the batch handed to the processor to the export's end;
 * 2. event-loop pauses during those exports: the longest gap between ticks of a 1 ms interval
 *    probe, and the p99 of monitorEventLoopDelay per batch;
 * 3. the encoding alone: OpenTelemetry's ProtobufTraceSerializer on the whole batch (what
 *    OTLPTraceExporter runs inside export()) and the SDK's encodeProtobufInSlices (the same
 *    serializer on 64-span slices with event-loop turns between them): CPU, longest block, bytes;
 * 4. retries against scripted answers, span ids checked on arrival: 503 with Retry-After: 1, 429,
 *    a connection reset, then 200 (long-running profile); two 503s then 200 within the serverless
 *    profile's 2 s export budget; shutdown (500 ms limit) during a 2 s Retry-After wait.
 * On a shared machine other processes lengthen every wall-clock figure, never shorten it: the
 * least-disturbed batch (or round) is reported beside the median. CPU figures are means over the
 * batches, because some kernels (virtual machines without a fine scheduler clock) account a
 * thread's CPU per scheduler tick, 4 ms at 250 Hz: one reading is good only to the tick, the mean
 * of many is not biased.
 * Standalone: `npx tsx bench/sdk/sdk-exporter-bench.ts` prints the section.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { decodeTraceRequestProtobuf } from '../../lambdas/domain/otlp/decode-protobuf';
import { enrichSpan, WaggleTracer } from '../../sdk/src/index';
import { encodeProtobufInSlices } from '../../sdk/src/processing/chunked-encoding';
import {
  createExportPipeline,
  type ExportPipelineOptions,
  type WaggleSpanProcessor,
} from '../../sdk/src/processing/export-pipeline';
import { EXPORT_PROFILES, type ExportProfileName } from '../../sdk/src/processing/export-profiles';
import { createRateLimitedLogger } from '../../sdk/src/processing/rate-limited-logger';
import { collectEndedSpans } from '../../sdk/test/processing/span-capture';
import { collectGarbage, percentile } from '../harness';
import { seededRandom } from '../seeded-random';

const API_KEY = 'wgl_bench';
const BATCH = 512;
const WARMUP_BATCHES = 4;
const MEASURED_BATCHES = 32;
const ENCODE_ROUNDS = 30;
const SILENT_LOGGER = createRateLimitedLogger({ intervalMs: 60_000, sink: () => {} });

type Side = 'waggle' | 'otel';
type Compression = 'gzip' | 'none';

export interface Pair {
  waggle: number;
  otel: number;
  /** waggle / otel. */
  ratio: number;
}

interface CostRow {
  shape: string;
  compression: Compression;
  spans: number;
  /** Mean over batches, ms of CPU of the application's thread per batch. */
  threadCpuMs: Pair;
  /** Mean over batches, ms of CPU of every thread of the process per batch (gzip on the libuv pool included). */
  processCpuMs: Pair;
  /** Median over batches, ms from the batch's first span handed to the processor to the export's end. */
  wallMs: Pair;
  /** The longest event-loop pause (ms) of the least-disturbed batch: the batch with the shortest one. */
  leastPauseMs: Pair;
  /** Median over batches of the longest event-loop pause (ms) seen during the batch. */
  medianPauseMs: Pair;
  /** Median over batches of the batch's p99 event-loop delay (ms, monitorEventLoopDelay). */
  p99DelayMs: Pair;
}

interface EncodeRow {
  shape: string;
  spans: number;
  /** Mean ms of CPU to encode the batch. */
  cpuMs: Pair;
  /** The longest stretch (ms) the encoding held the event loop, in the least-disturbed round. */
  longestBlockMs: Pair;
  /** Encoded bytes (the sliced encoding repeats resource and scope once per slice). */
  bytes: Pair;
}

interface RetryRun {
  attempts: number;
  /** What the server answered, in order. */
  answers: string[];
  /** ms between one attempt's arrival and the next one's. */
  waitsMs: number[];
  sent: number;
  /** Distinct spans the server accepted (answered 200 for). */
  delivered: number;
  lost: number;
  /** Spans accepted more than once. */
  duplicated: number;
  /** ExportPipelineStats.retries after the run. */
  statsRetries: number;
  /** ms from the spans handed to the processor to the end of the flush. */
  elapsedMs: number;
}

interface RetryScenario {
  name: string;
  /** What the server answers, attempt by attempt (the last step repeats). */
  steps: Step[];
  profile: ExportProfileName;
  /** timeoutMillis given to OTLPTraceExporter: its one knob for the per-attempt and overall limit. */
  otelTimeoutMillis: number;
  runs: { waggle: RetryRun[]; otel: RetryRun[] };
}

interface ShutdownRun {
  shutdownMs: number;
  delivered: number;
  sent: number;
  attempts: number;
}

interface ExporterBenchResult {
  /** 1-minute load average when the run started and ended (other processes share the cores). */
  loadAverage: { start: number; end: number; cores: number };
  cost: CostRow[];
  encode: EncodeRow[];
  retries: RetryScenario[];
  shutdown: { limitMs: number; retryAfterS: number; waggle: ShutdownRun; otel: ShutdownRun };
}

// ---------------------------------------------------------------------------------------------
// The server: a child process (its CPU is not counted in this process's), answering by script.

interface Step {
  status?: number;
  headers?: Record<string, string>;
  /** Close the connection with a TCP reset instead of answering. */
  reset?: boolean;
}

interface Hit {
  at: number;
  answer: string;
  encoding: string;
  /** base64 request body, kept only for requests answered 200. */
  body: string;
}

const SERVER_SOURCE = `
const http = require('node:http');
const scripts = new Map();
const server = http.createServer((req, res) => {
  const script = scripts.get(req.url);
  const chunks = [];
  req.on('data', (chunk) => { if (script) chunks.push(chunk); });
  req.on('end', () => {
    if (!script) {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
      return;
    }
    const step = script.steps[Math.min(script.hits.length, script.steps.length - 1)];
    const ok = !step.reset && step.status === 200;
    script.hits.push({
      at: performance.now(),
      answer: step.reset ? 'reset' : String(step.status),
      encoding: req.headers['content-encoding'] || '',
      body: ok ? Buffer.concat(chunks).toString('base64') : '',
    });
    if (step.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    res.writeHead(step.status, step.headers || {});
    res.end();
  });
});
server.keepAliveTimeout = 60000;
process.on('message', (message) => {
  if (message.op === 'script') scripts.set(message.path, { steps: message.steps, hits: [] });
  const hits = scripts.get(message.path)?.hits ?? [];
  process.send({ id: message.id, hits: message.op === 'hits' ? hits : [] });
});
process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
`;

class ScriptedServer {
  private nextId = 0;
  private readonly waiting = new Map<number, (hits: Hit[]) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly origin: string,
  ) {
    child.on('message', (message: { id?: number; hits?: Hit[] }) => {
      if (message.id === undefined) return;
      this.waiting.get(message.id)?.(message.hits ?? []);
      this.waiting.delete(message.id);
    });
  }

  static async start(): Promise<ScriptedServer> {
    // Plain node, without this process's loader flags: the server is CommonJS source.
    const child = spawn(process.execPath, ['-e', SERVER_SOURCE], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { port: number }) => resolve(message.port));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
    });
    return new ScriptedServer(child, `http://127.0.0.1:${port}`);
  }

  private call(op: 'script' | 'hits', path: string, steps?: Step[]): Promise<Hit[]> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ id, op, path, steps });
    });
  }

  async script(path: string, steps: Step[]): Promise<string> {
    await this.call('script', path, steps);
    return `${this.origin}${path}`;
  }

  hits(path: string): Promise<Hit[]> {
    return this.call('hits', path);
  }

  close(): void {
    this.child.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Spans as the SDK makes them

interface Shape {
  name: string;
  make: (count: number) => Promise<ReadableSpan[]>;
}

/** Ended spans of `count` calls of a function traced by a WaggleTracer (its session processor included). */
async function tracedSpans(
  count: number,
  call: (tracer: WaggleTracer, i: number) => void,
): Promise<ReadableSpan[]> {
  const ended: ReadableSpan[] = [];
  const tracer = new WaggleTracer({
    apiKey: API_KEY,
    project: 'bench',
    source: 'bench',
    sessionId: 'bench-session',
    serverUrl: 'http://127.0.0.1:9',
    logger: { debug: () => {}, warn: () => {} },
    spanProcessor: collectEndedSpans(ended),
  });
  for (let i = 0; i < count; i++) call(tracer, i);
  await tracer.shutdown();
  if (ended.length !== count) throw new Error(`expected ${count} spans, got ${ended.length}`);
  return ended;
}

const WORDS =
  'the refund policy order shipped customer support ticket plan enterprise audit log invoice answer question model tokens context window retrieval document page summary translate reply meeting friday account password reset browser screenshot billing region latency'.split(
    ' ',
  );

function text(random: () => number, bytes: number): string {
  let out = '';
  while (out.length < bytes) out += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return out.slice(0, bytes);
}

const SMALL: Shape = {
  name: 'small traced call (13 attributes)',
  make: (count) =>
    tracedSpans(count, (tracer, i) => {
      tracer.trace(function answerQuestion(question: string, topK: number): number {
        enrichSpan({ metadata: { user: 'u1', channel: 'web' }, metrics: { score: 0.9, tokens: 42 } });
        return question.length + topK;
      })('what is otel?', i & 7);
    }),
};

const LLM: Shape = {
  name: 'LLM call (2 KB prompt, 2 KB completion)',
  make: (count) => {
    const random = seededRandom(42);
    return tracedSpans(count, (tracer) => {
      const messages = [
        { role: 'system', content: text(random, 400) },
        { role: 'user', content: text(random, 1_600) },
      ];
      const completion = text(random, 2_000);
      tracer.trace(
        function chatCompletion(chat: typeof messages, model: string): string {
          enrichSpan({
            config: { model, temperature: 0.2, provider: 'openai' },
            metrics: { prompt_tokens: 512, completion_tokens: 480 },
          });
          return chat.length > 0 ? completion : model;
        },
        { eventType: 'model' },
      )(messages, 'gpt-4o-mini');
    });
  },
};

// ---------------------------------------------------------------------------------------------
// The two sides, both under the SDK's span processor

interface SideOptions {
  url: string;
  profile: ExportProfileName;
  compression: Compression;
  otelTimeoutMillis?: number;
  shutdownTimeoutMs?: number;
}

function pipelineFor(side: Side, options: SideOptions): WaggleSpanProcessor {
  const profile = EXPORT_PROFILES[options.profile];
  const common: ExportPipelineOptions = {
    url: options.url,
    apiKey: API_KEY,
    profile: options.profile,
    compression: options.compression,
    // Batches leave by size (the bench hands over whole batches) or by flush, never by the timer.
    scheduledDelayMs: 600_000,
    logger: SILENT_LOGGER,
    ...(options.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: options.shutdownTimeoutMs }),
  };
  if (side === 'waggle') return createExportPipeline(common);
  return createExportPipeline({
    ...common,
    exporter: new OTLPTraceExporter({
      url: options.url,
      headers: { authorization: `Bearer ${API_KEY}` },
      compression: options.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
      timeoutMillis: options.otelTimeoutMillis ?? profile.exportTimeoutMs,
    }),
  });
}

// ---------------------------------------------------------------------------------------------
// 1 + 2. Cost and event-loop pauses per exported batch

interface BatchSample {
  threadCpuMs: number;
  processCpuMs: number;
  wallMs: number;
  maxPauseMs: number;
  p99DelayMs: number;
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1_000;

/** The longest gap between calls of tick(), in ms: how long the event loop was held between them. */
class LoopWatch {
  private last = performance.now();
  longestMs = 0;

  tick(): void {
    const now = performance.now();
    this.longestMs = Math.max(this.longestMs, now - this.last);
    this.last = now;
  }
}

async function exportBatch(
  processor: WaggleSpanProcessor,
  spans: readonly ReadableSpan[],
): Promise<BatchSample> {
  const exportedBefore = processor.stats().exported;
  const watch = new LoopWatch();
  const probe = setInterval(() => watch.tick(), 1);
  // A fresh histogram per batch: one enabled again would record the whole gap since it was disabled.
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const thread = process.threadCpuUsage();
  const all = process.cpuUsage();
  const started = performance.now();
  // The batch's last span starts the export inside onEnd, as in an application.
  for (const span of spans) processor.onEnd(span);
  await processor.forceFlush();
  const wallMs = performance.now() - started;
  const threadCpu = cpuMs(process.threadCpuUsage(thread));
  const processCpu = cpuMs(process.cpuUsage(all));
  watch.tick();
  histogram.disable();
  clearInterval(probe);
  const exported = processor.stats().exported - exportedBefore;
  if (exported !== spans.length) throw new Error(`exported ${exported} of ${spans.length} spans`);
  // The probe's own 1 ms period is not a pause, nor the histogram's 1 ms resolution a delay.
  return {
    threadCpuMs: threadCpu,
    processCpuMs: processCpu,
    wallMs,
    maxPauseMs: Math.max(0, watch.longestMs - 1),
    p99DelayMs: Math.max(0, histogram.percentile(99) / 1e6 - 1),
  };
}

async function measureCost(
  server: ScriptedServer,
  shape: Shape,
  spans: readonly ReadableSpan[],
  compression: Compression,
): Promise<CostRow> {
  const url = `${server.origin}/v1/traces`;
  const processors = {
    waggle: pipelineFor('waggle', { url, profile: 'long-running', compression }),
    otel: pipelineFor('otel', { url, profile: 'long-running', compression }),
  };
  const samples: Record<Side, BatchSample[]> = { waggle: [], otel: [] };
  for (let i = 0; i < WARMUP_BATCHES; i++) {
    await exportBatch(processors.waggle, spans);
    await exportBatch(processors.otel, spans);
  }
  for (let i = 0; i < MEASURED_BATCHES; i++) {
    // ABBA order, a full collection before each batch: neither side pays for the other's garbage.
    const order: Side[] = i % 2 === 0 ? ['waggle', 'otel'] : ['otel', 'waggle'];
    for (const side of order) {
      collectGarbage();
      samples[side].push(await exportBatch(processors[side], spans));
    }
  }
  await Promise.all([processors.waggle.shutdown(), processors.otel.shutdown()]);
  const stat = (of: (values: number[]) => number, pick: (s: BatchSample) => number) =>
    pair(of(samples.waggle.map(pick)), of(samples.otel.map(pick)));
  return {
    shape: shape.name,
    compression,
    spans: spans.length,
    threadCpuMs: stat(mean, (s) => s.threadCpuMs),
    processCpuMs: stat(mean, (s) => s.processCpuMs),
    wallMs: stat(median, (s) => s.wallMs),
    leastPauseMs: stat(minimum, (s) => s.maxPauseMs),
    medianPauseMs: stat(median, (s) => s.maxPauseMs),
    p99DelayMs: stat(median, (s) => s.p99DelayMs),
  };
}

// ---------------------------------------------------------------------------------------------
// 3. The encoding alone

/** Runs `work` while a setImmediate chain ticks at every event-loop turn; the longest turn in ms. */
async function longestBlock(work: () => unknown): Promise<number> {
  const watch = new LoopWatch();
  let running = true;
  const tick = () => {
    watch.tick();
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  await work();
  running = false;
  await new Promise<void>((resolve) => setImmediate(resolve));
  return watch.longestMs;
}

async function measureEncode(shape: Shape, spans: ReadableSpan[]): Promise<EncodeRow> {
  const otelEncode = () => {
    const bytes = ProtobufTraceSerializer.serializeRequest(spans);
    if (bytes === undefined) throw new Error('serializer returned nothing');
    return bytes;
  };
  const waggleEncode = () => encodeProtobufInSlices(spans);
  for (let i = 0; i < 5; i++) {
    otelEncode();
    await waggleEncode();
  }
  const cpu: Record<Side, number[]> = { waggle: [], otel: [] };
  const block: Record<Side, number[]> = { waggle: [], otel: [] };
  const encode: Record<Side, () => unknown> = { waggle: waggleEncode, otel: otelEncode };
  for (let i = 0; i < ENCODE_ROUNDS; i++) {
    const order: Side[] = i % 2 === 0 ? ['waggle', 'otel'] : ['otel', 'waggle'];
    for (const side of order) {
      collectGarbage();
      const start = process.threadCpuUsage();
      await encode[side]();
      cpu[side].push(cpuMs(process.threadCpuUsage(start)));
      collectGarbage();
      block[side].push(await longestBlock(encode[side]));
    }
  }
  return {
    shape: shape.name,
    spans: spans.length,
    cpuMs: pair(mean(cpu.waggle), mean(cpu.otel)),
    longestBlockMs: pair(minimum(block.waggle), minimum(block.otel)),
    bytes: pair((await waggleEncode()).byteLength, otelEncode().byteLength),
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Retries

const RECOVER: Step[] = [
  { status: 503, headers: { 'retry-after': '1' } },
  { status: 429 },
  { reset: true },
  { status: 200 },
];
const BLIP: Step[] = [{ status: 503 }, { status: 503 }, { status: 200 }];

/** Span ids of the requests the server answered 200 for. */
function acceptedSpanIds(hits: Hit[]): string[] {
  return hits
    .filter((hit) => hit.body !== '')
    .flatMap((hit) => {
      const raw = Buffer.from(hit.body, 'base64');
      const body = hit.encoding === 'gzip' ? gunzipSync(raw) : raw;
      return decodeTraceRequestProtobuf(new Uint8Array(body)).resourceSpans.flatMap((rs) =>
        rs.scopeSpans.flatMap((ss) => ss.spans.map((span) => span.spanId)),
      );
    });
}

function delivery(sent: readonly ReadableSpan[], hits: Hit[]) {
  const accepted = acceptedSpanIds(hits);
  const unique = new Set(accepted);
  const sentIds = sent.map((span) => span.spanContext().spanId);
  return {
    delivered: sentIds.filter((id) => unique.has(id)).length,
    lost: sentIds.filter((id) => !unique.has(id)).length,
    duplicated: accepted.length - unique.size,
  };
}

let runCounter = 0;

async function retryRun(
  server: ScriptedServer,
  side: Side,
  steps: Step[],
  profile: ExportProfileName,
  otelTimeoutMillis: number,
  spans: ReadableSpan[],
): Promise<RetryRun> {
  const path = `/retry/${side}/${runCounter++}/v1/traces`;
  const url = await server.script(path, steps);
  const processor = pipelineFor(side, { url, profile, compression: 'gzip', otelTimeoutMillis });
  const started = performance.now();
  for (const span of spans) processor.onEnd(span);
  await processor.forceFlush();
  const elapsedMs = performance.now() - started;
  const statsRetries = processor.stats().retries;
  await processor.shutdown();
  const hits = await server.hits(path);
  return {
    attempts: hits.length,
    answers: hits.map((hit) => hit.answer),
    waitsMs: hits.slice(1).map((hit, i) => hit.at - (hits[i] as Hit).at),
    sent: spans.length,
    ...delivery(spans, hits),
    statsRetries,
    elapsedMs,
  };
}

async function measureRetries(server: ScriptedServer, rounds: number): Promise<RetryScenario[]> {
  const scenarios: Omit<RetryScenario, 'runs'>[] = [
    {
      name: 'endpoint recovering',
      steps: RECOVER,
      profile: 'long-running',
      otelTimeoutMillis: EXPORT_PROFILES['long-running'].exportTimeoutMs,
    },
    {
      name: 'short outage',
      steps: BLIP,
      profile: 'serverless',
      // The serverless profile's budget for one export, all attempts and waits included.
      otelTimeoutMillis: EXPORT_PROFILES.serverless.retry.deadlineMs,
    },
  ];
  const results: RetryScenario[] = [];
  for (const scenario of scenarios) {
    const runs: RetryScenario['runs'] = { waggle: [], otel: [] };
    for (let round = 0; round < rounds; round++) {
      const spans = { waggle: await SMALL.make(20), otel: await SMALL.make(20) };
      // Both sides at once: the runs are mostly waiting, and the server answers each its own script.
      const [waggle, otel] = await Promise.all(
        (['waggle', 'otel'] as const).map((side) =>
          retryRun(server, side, scenario.steps, scenario.profile, scenario.otelTimeoutMillis, spans[side]),
        ),
      );
      runs.waggle.push(waggle as RetryRun);
      runs.otel.push(otel as RetryRun);
    }
    results.push({ ...scenario, runs });
  }
  return results;
}

const SHUTDOWN_LIMIT_MS = 500;
const SHUTDOWN_RETRY_AFTER_S = 2;

/** Shutdown with a 500 ms limit while the export waits out a Retry-After of 2 s. */
async function shutdownRun(server: ScriptedServer, side: Side): Promise<ShutdownRun> {
  const path = `/shutdown/${side}/${runCounter++}/v1/traces`;
  const url = await server.script(path, [
    { status: 503, headers: { 'retry-after': String(SHUTDOWN_RETRY_AFTER_S) } },
    { status: 200 },
  ]);
  const processor = pipelineFor(side, {
    url,
    profile: 'long-running',
    compression: 'gzip',
    shutdownTimeoutMs: SHUTDOWN_LIMIT_MS,
  });
  const spans = await SMALL.make(20);
  for (const span of spans) processor.onEnd(span);
  void processor.forceFlush();
  while ((await server.hits(path)).length === 0) await sleep(5);
  const started = performance.now();
  await processor.shutdown();
  const shutdownMs = performance.now() - started;
  // Anything still scheduled (a retry after shutdown returned) would arrive within the Retry-After.
  await sleep(SHUTDOWN_RETRY_AFTER_S * 1_000 + 500);
  const hits = await server.hits(path);
  return {
    shutdownMs,
    delivered: delivery(spans, hits).delivered,
    sent: spans.length,
    attempts: hits.length,
  };
}

// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function minimum(values: number[]): number {
  return Math.min(...values);
}

function pair(waggle: number, otel: number): Pair {
  return { waggle, otel, ratio: waggle / otel };
}

export async function measureSdkExporter(
  options: { retryRounds?: number } = {},
): Promise<ExporterBenchResult> {
  const loadStart = os.loadavg()[0] ?? 0;
  const server = await ScriptedServer.start();
  try {
    const shapes = [
      { shape: SMALL, spans: await SMALL.make(BATCH) },
      { shape: LLM, spans: await LLM.make(BATCH) },
    ];
    const encode: EncodeRow[] = [];
    for (const { shape, spans } of shapes) encode.push(await measureEncode(shape, spans));
    const cost: CostRow[] = [];
    for (const { shape, spans } of shapes) {
      for (const compression of ['gzip', 'none'] as const)
        cost.push(await measureCost(server, shape, spans, compression));
    }
    const retries = await measureRetries(server, options.retryRounds ?? 3);
    const [waggle, otel] = await Promise.all([shutdownRun(server, 'waggle'), shutdownRun(server, 'otel')]);
    return {
      loadAverage: { start: loadStart, end: os.loadavg()[0] ?? 0, cores: os.cpus().length },
      cost,
      encode,
      retries,
      shutdown: { limitMs: SHUTDOWN_LIMIT_MS, retryAfterS: SHUTDOWN_RETRY_AFTER_S, waggle, otel },
    };
  } finally {
    server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

const f = (n: number, digits: number) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const x = (ratio: number) => `${f(ratio, 2)}x`;

function summarizeRuns(scenario: RetryScenario, side: Side) {
  const runs = scenario.runs[side];
  const sum = (pick: (r: RetryRun) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const waits = (runs[0]?.waitsMs ?? []).map((_, i) =>
    median(runs.map((run) => run.waitsMs[i] ?? Number.NaN)),
  );
  // Every wait after an answer with Retry-After lasted at least that long (less 10 ms for the clocks).
  const retryAfterKept = runs.every((run) =>
    run.waitsMs.every((wait, i) => {
      const seconds = Number(scenario.steps[i]?.headers?.['retry-after'] ?? 0);
      return wait >= seconds * 1_000 - 10;
    }),
  );
  return {
    attempts: median(runs.map((r) => r.attempts)),
    answers: runs[0]?.answers.join(', ') ?? '',
    waits,
    retryAfterKept,
    sent: sum((r) => r.sent),
    delivered: sum((r) => r.delivered),
    lost: sum((r) => r.lost),
    duplicated: sum((r) => r.duplicated),
    statsRetries: median(runs.map((r) => r.statsRetries)),
    elapsedMs: median(runs.map((r) => r.elapsedMs)),
  };
}

function scriptText(steps: Step[]): string {
  return steps
    .map((step) => {
      if (step.reset) return 'connection reset';
      const retryAfter = step.headers?.['retry-after'];
      return retryAfter === undefined
        ? String(step.status)
        : `${step.status} with Retry-After: ${retryAfter}`;
    })
    .join(', ');
}

const SIDES = ['waggle', 'otel'] as const;

/** The SDK exporter section of docs/BENCHMARKS.md. */
export function formatSdkExporterSection(r: ExporterBenchResult): string {
  const wo = (p: Pair, digits: number) => `${f(p.waggle, digits)} / ${f(p.otel, digits)}`;
  const batchName = (row: CostRow) => `${row.shape}, ${row.compression}`;
  const costRows = r.cost.map(
    (row) =>
      `| ${batchName(row)} | ${f(row.threadCpuMs.waggle, 1)} | ${f(row.threadCpuMs.otel, 1)} | ${x(row.threadCpuMs.ratio)} | ${f((row.threadCpuMs.waggle * 1_000) / row.spans, 1)} / ${f((row.threadCpuMs.otel * 1_000) / row.spans, 1)} | ${wo(row.processCpuMs, 1)} | ${x(row.processCpuMs.ratio)} | ${wo(row.wallMs, 1)} |`,
  );
  const pauseRows = r.cost.map(
    (row) =>
      `| ${batchName(row)} | ${f(row.leastPauseMs.waggle, 1)} | ${f(row.leastPauseMs.otel, 1)} | ${x(row.leastPauseMs.ratio)} | ${wo(row.medianPauseMs, 1)} | ${x(row.medianPauseMs.ratio)} | ${wo(row.p99DelayMs, 1)} |`,
  );
  const encodeRows = r.encode.map(
    (row) =>
      `| ${row.shape} | ${f(row.cpuMs.waggle, 1)} | ${f(row.cpuMs.otel, 1)} | ${x(row.cpuMs.ratio)} | ${f(row.longestBlockMs.waggle, 1)} | ${f(row.longestBlockMs.otel, 1)} | ${x(row.longestBlockMs.ratio)} | ${f(row.bytes.waggle / 1024, 1)} / ${f(row.bytes.otel / 1024, 1)} |`,
  );
  const retryRows = r.retries.flatMap((scenario) =>
    SIDES.map((side) => {
      const s = summarizeRuns(scenario, side);
      const who = side === 'waggle' ? 'Waggle' : `OTel, timeoutMillis ${f(scenario.otelTimeoutMillis, 0)}`;
      const waits = s.waits.map((w) => f(w, 0)).join(', ') || '-';
      return `| ${scenario.name} (${scenario.profile}) | ${who} | ${f(s.attempts, 0)}: ${s.answers} | ${waits} | ${s.retryAfterKept ? 'yes' : '**no**'} | ${f(s.delivered, 0)} / ${f(s.sent, 0)} | ${f(s.lost, 0)} | ${f(s.duplicated, 0)} | ${f(s.statsRetries, 0)} | ${f(s.elapsedMs, 0)} |`;
    }),
  );
  const sd = r.shutdown;
  const shutdownRow = (who: string, run: ShutdownRun) =>
    `| ${who} | ${f(run.shutdownMs, 0)} | ${f(run.attempts, 0)} | ${f(run.delivered, 0)} / ${f(run.sent, 0)} |`;
  const rounds = r.retries[0]?.runs.waggle.length ?? 0;

  return `## SDK exporter beside OpenTelemetry's OTLP exporter

bench/sdk/sdk-exporter-bench.ts: the SDK's exporter (the one \`createExportPipeline\` builds) and OpenTelemetry
JS's \`OTLPTraceExporter\` (@opentelemetry/exporter-trace-otlp-proto: its serializer call, gzip, HTTP
transport and RetryingTransport), both under the SDK's span processor (\`createExportPipeline\` with
\`exporter\`), against one local HTTP server in a child process, in the same run. Batches of ${BATCH} spans
made by a \`WaggleTracer\`; ${MEASURED_BATCHES} batches per side, the sides alternating, a full garbage collection
before each. 1-minute load average ${f(r.loadAverage.start, 1)} at the start and ${f(r.loadAverage.end, 1)} at the end, on ${r.loadAverage.cores} cores: other processes
lengthen wall-clock figures (never shorten them), so the least-disturbed batch is shown beside the
median; CPU figures are means of the batches (a thread's CPU may be accounted per scheduler tick,
which only a mean of many readings resolves).

${decisionsText(r)}

### CPU per exported batch

From the batch's spans handed to the processor (the last one starts the export) to the export's end.
App thread: CPU of the JavaScript thread (\`process.threadCpuUsage\`); all threads adds the libuv pool,
where both compress. Wall: median.

| batch of ${BATCH}, compression | app thread ms, Waggle | OTel | Waggle / OTel | µs per span, Waggle / OTel | all threads ms, Waggle / OTel | Waggle / OTel | wall ms, Waggle / OTel |
|---|---:|---:|---:|---:|---:|---:|---:|
${costRows.join('\n')}

### Event-loop pauses during those exports

Per batch, the longest gap between ticks of a 1 ms interval probe, less its 1 ms, in the
least-disturbed batch and in the median batch; and the p99 of \`monitorEventLoopDelay\` (1 ms resolution)
during a batch, median of batches.

| batch of ${BATCH}, compression | longest pause ms, least-disturbed batch, Waggle | OTel | Waggle / OTel | median batch, Waggle / OTel | Waggle / OTel | p99 delay ms, Waggle / OTel |
|---|---:|---:|---:|---:|---:|---:|
${pauseRows.join('\n')}

### The encoding alone

OpenTelemetry's \`ProtobufTraceSerializer.serializeRequest\` on the whole batch (what \`OTLPTraceExporter\`
runs inside \`export()\`, so inside the \`span.end()\` that fills a batch) and the SDK's
\`encodeProtobufInSlices\` (the same serializer on 64-span slices, an event-loop turn between slices,
the slices concatenated). Longest block: the longest event-loop turn while encoding, in the
least-disturbed of ${ENCODE_ROUNDS} rounds.

| batch of ${BATCH} | CPU ms, Waggle (slices) | OTel (whole) | Waggle / OTel | longest block ms, Waggle | OTel | Waggle / OTel | KiB encoded, Waggle / OTel |
|---|---:|---:|---:|---:|---:|---:|---:|
${encodeRows.join('\n')}

### Retries

20 spans per export, gzip; the server answers both sides by the same script, and decodes the span ids
of what it accepts (answers 200 for). ${rounds} runs per side and scenario, the two sides at the same time:
attempts, waits and time are medians, spans totals. Scripts: endpoint recovering = ${scriptText(r.retries[0]?.steps ?? [])};
short outage = ${scriptText(r.retries[1]?.steps ?? [])}. OTel's \`timeoutMillis\` is its one limit, per attempt and for all attempts
with their waits; its RetryingTransport is fixed at 5 retries, backoff from 1 s growing 1.5x per retry
(Retry-After or not) up to 5 s, ±20 % jitter. The SDK follows its profile's retry policy.

| scenario (profile) | exporter | attempts: answers | waits between attempts, ms | Retry-After waited out | spans delivered | lost | duplicated | \`stats().retries\` | ms to flushed |
|---|---|---|---|:---:|---:|---:|---:|---:|---:|
${retryRows.join('\n')}

Shutdown (\`shutdownTimeoutMs\` ${f(sd.limitMs, 0)}) while the export waits: the server answers 503 with Retry-After: ${sd.retryAfterS}, then 200.

| exporter | shutdown took, ms | attempts | spans delivered |
|---|---:|---:|---:|
${shutdownRow('Waggle', sd.waggle)}
${shutdownRow('OTel', sd.otel)}
`;
}

/** What the SDK uses per part, each with the margin measured in this run. */
function decisionsText(r: ExporterBenchResult): string {
  const llmEncode = r.encode.find((row) => row.shape === LLM.name);
  const smallEncode = r.encode.find((row) => row.shape === SMALL.name);
  const llmGzip = r.cost.find((row) => row.shape === LLM.name && row.compression === 'gzip');
  const [recover, blip] = r.retries;
  if (!llmEncode || !smallEncode || !llmGzip || !recover || !blip) return '';
  const recoverW = summarizeRuns(recover, 'waggle');
  const recoverO = summarizeRuns(recover, 'otel');
  const blipW = summarizeRuns(blip, 'waggle');
  const blipO = summarizeRuns(blip, 'otel');
  const sd = r.shutdown;
  const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${f((ratio - 1) * 100, 1)} %`;
  const shorter = (p: Pair) => `${f(1 / p.ratio, 1)}x`;
  const recheck = (holds: boolean) => (holds ? '' : ' **Not borne out by this run: re-examine.**');
  const encodeWins = llmEncode.longestBlockMs.waggle < llmEncode.longestBlockMs.otel;
  const retryWins =
    blipW.delivered > blipO.delivered && sd.waggle.shutdownMs < sd.otel.shutdownMs && recoverW.lost === 0;
  const thread = r.cost.map((row) => row.threadCpuMs.ratio);
  const geomean = (ratios: number[]) =>
    Math.exp(ratios.reduce((sum, v) => sum + Math.log(v), 0) / ratios.length);
  const range = (ratios: number[]) => `${x(Math.min(...ratios))} to ${x(Math.max(...ratios))}`;
  const encodeCpu = r.encode.map((row) => row.cpuMs.ratio);
  const average = geomean(thread);
  const cheaper =
    average > 1.02
      ? "OpenTelemetry's costs less, and the retries decide"
      : average < 0.98
        ? "the SDK's costs less"
        : 'level';
  return `What the SDK uses, part by part, and the margin in this run:

- **Encoding: the SDK's slices, kept.** Both encode with OpenTelemetry's \`ProtobufTraceSerializer\`; the
  SDK cuts the batch into 64-span slices with an event-loop turn between them, where \`OTLPTraceExporter\`
  serializes the whole batch inside \`export()\`. Longest block of the loop for ${BATCH} LLM spans:
  ${f(llmEncode.longestBlockMs.waggle, 1)} ms against ${f(llmEncode.longestBlockMs.otel, 1)} ms, ${shorter(llmEncode.longestBlockMs)} shorter (small spans ${f(smallEncode.longestBlockMs.waggle, 1)} against ${f(smallEncode.longestBlockMs.otel, 1)} ms, ${shorter(smallEncode.longestBlockMs)});
  exporting ${BATCH} LLM spans with gzip under the processor, longest pause ${f(llmGzip.leastPauseMs.waggle, 1)} against ${f(llmGzip.leastPauseMs.otel, 1)} ms, ${shorter(llmGzip.leastPauseMs)} shorter
  (median batch ${f(llmGzip.medianPauseMs.waggle, 1)} against ${f(llmGzip.medianPauseMs.otel, 1)} ms). The price: encoding CPU ${range(encodeCpu)} of the whole-batch
  encode, and ${pct(llmEncode.bytes.ratio)} bytes (resource and scope once per slice).${recheck(encodeWins)}
- **Gzip, HTTP and retries: the SDK's exporter, kept.** OpenTelemetry's HTTP transport and gzip come
  only inside \`createOtlpHttpExportDelegate\`, together with its RetryingTransport (the transport alone
  is not exported), so the three are one choice. Cost: app-thread CPU per exported batch, the whole
  export, ${x(average)} of OpenTelemetry's on average (${range(thread)} over the four batches above, the
  slicing included): ${cheaper}. Retries: recovering after 503 with Retry-After, 429 and a reset, both deliver
  every span once (${f(recoverW.delivered, 0)} / ${f(recoverW.sent, 0)} and ${f(recoverO.delivered, 0)} / ${f(recoverO.sent, 0)}, ${f(recoverW.duplicated + recoverO.duplicated, 0)} duplicated), both wait out Retry-After, and the SDK is
  flushed in ${f(recoverW.elapsedMs, 0)} ms against ${f(recoverO.elapsedMs, 0)} ms. A short outage (two 503s) in the serverless profile's
  ${f(blip.otelTimeoutMillis / 1_000, 0)} s budget: the SDK delivers ${f(blipW.delivered, 0)} of ${f(blipW.sent, 0)} spans in ${f(blipW.elapsedMs, 0)} ms, OpenTelemetry ${f(blipO.delivered, 0)} (its first backoff alone is about
  1 s, whatever the budget). Shutdown with a ${f(sd.limitMs, 0)} ms limit during a Retry-After wait: ${f(sd.waggle.shutdownMs, 0)} ms against
  ${f(sd.otel.shutdownMs, 0)} ms (its shutdown waits out the retry). Its fixed policy has no counterpart for the SDK's
  \`retry\` option and profiles, and \`stats().retries\` sees only the SDK's exporter.${recheck(retryWins)}`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(formatSdkExporterSection(await measureSdkExporter()));
  process.exit(0);
}
