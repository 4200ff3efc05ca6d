/**
 * SDK overhead beside the bare OpenTelemetry JS SDK (@opentelemetry/sdk-trace TracerProvider +
 * BatchSpanProcessor), measured side by side in one run:
 * 1. time per traced call with enrichment (tracer.trace + enrichSpan) vs startActiveSpan +
 *    setAttributes of the same attributes + end; first to a no-op exporter (only SDK work), then
 *    to a local HTTP sink (in a worker thread) that accepts and discards;
 * 2. tracer start-up: the first tracer of a fresh process (one-time environment/git detection and
 *    cold code) and every later one;
 * 3. heap per additional tracer (100 tracers, forced GC);
 * 4. event-loop pauses while 10,000 spans are exported to the HTTP sink.
 * Standalone: `npx tsx bench/sdk/sdk-bench.ts` prints a table.
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { createExportPipeline, enrichSpan, WaggleTracer } from '../../sdk/src/index';
import { percentile } from '../harness';

interface SdkComparison {
  waggle: number;
  otel: number;
  /** waggle / otel. */
  ratio: number;
}

interface SdkTarget {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

interface SdkBenchResult {
  /** Microseconds per traced call (median of samples), no-op exporter. */
  perCallNoopUs: SdkComparison;
  /** Microseconds per traced call with the real pipeline to a local HTTP sink. */
  perCallHttpUs: SdkComparison;
  /** Milliseconds: the first tracer of a fresh process (median of fresh processes). */
  firstTracerMs: SdkComparison;
  /** Milliseconds: every later tracer of the process (median). */
  tracerStartupMs: SdkComparison;
  /** Kilobytes of heap per additional tracer (median of rounds of 100). */
  heapPerTracerKb: SdkComparison;
  /** Longest event-loop pause (ms) while 10,000 spans are produced and exported. */
  exportMaxPauseMs: SdkComparison;
  /** p99 event-loop delay (ms) during the same window (monitorEventLoopDelay). */
  exportP99DelayMs: SdkComparison;
  exportSpans: number;
  /** Spans the pipelines reported as exported (should equal exportSpans). */
  exportedSpans: { waggle: number; otel: number };
  targets: SdkTarget[];
}

const SILENT = { debug: () => {}, warn: () => {} };
const EXPORT_SPANS = 10_000;

// ---------------------------------------------------------------------------------------------
// Sinks

class NoopExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    this.exported += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

/** Counts what a real exporter reports as exported. */
class CountingExporter implements SpanExporter {
  exported = 0;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode; error?: Error }) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.exported += spans.length;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

const SINK_SOURCE = `
const { parentPort } = require('node:worker_threads');
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': req.headers['content-type'] || 'application/x-protobuf' });
    res.end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/** An HTTP server in a worker thread: accepts any request, discards the body, answers 200. */
async function startSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const worker = new Worker(SINK_SOURCE, { eval: true });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await worker.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The work: one traced call with two small arguments and enrichment

const NAME = 'answerQuestion';
const METADATA = { user: 'u1', channel: 'web' };
const METRICS = { score: 0.9, tokens: 42 };

interface Pair {
  waggleCall: (question: string, topK: number) => number;
  otelCall: (question: string, topK: number) => number;
  shutdown: () => Promise<void>;
}

function makeWaggle(
  serverUrl: string,
  spanProcessor?: SpanProcessor,
): { tracer: WaggleTracer; call: (q: string, k: number) => number } {
  const tracer = new WaggleTracer({
    apiKey: 'wgl_bench',
    project: 'bench',
    source: 'bench',
    serverUrl,
    logger: SILENT,
    ...(spanProcessor === undefined ? {} : { spanProcessor }),
  });
  const call = tracer.trace(function answerQuestion(question: string, topK: number): number {
    enrichSpan({ metadata: METADATA, metrics: METRICS });
    return question.length + topK;
  });
  return { tracer, call };
}

/** Bare OpenTelemetry doing the same work: a span with the attributes the Waggle call produces. */
function makeOtel(provider: TracerProvider, sessionId: string): (q: string, k: number) => number {
  const otelTracer = provider.getTracer('bench-otel', '1.0.0');
  return function answerQuestion(question: string, topK: number): number {
    return otelTracer.startActiveSpan(
      NAME,
      {
        attributes: {
          honeyhive_event_type: 'chain',
          honeyhive_event_name: NAME,
          honeyhive_session_id: sessionId,
          honeyhive_project: 'bench',
          honeyhive_source: 'bench',
          honeyhive_session_name: 'bench',
        },
      },
      (span) => {
        span.setAttributes({ 'honeyhive_inputs.question': question, 'honeyhive_inputs.topK': topK });
        const result = question.length + topK;
        span.setAttributes({
          'honeyhive_metadata.user': METADATA.user,
          'honeyhive_metadata.channel': METADATA.channel,
          'honeyhive_metrics.score': METRICS.score,
          'honeyhive_metrics.tokens': METRICS.tokens,
        });
        span.setAttribute('honeyhive_outputs.result', result);
        span.end();
        return result;
      },
    );
  };
}

function otelProvider(processor: SpanProcessor): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    spanProcessors: [processor],
  });
}

/** Both calls must produce spans with the same attribute keys, or the comparison is meaningless. */
async function checkSameAttributes(serverUrl: string): Promise<void> {
  const waggleMemory = new InMemorySpanExporter();
  const otelMemory = new InMemorySpanExporter();
  const waggle = makeWaggle(serverUrl, new SimpleSpanProcessor({ exporter: waggleMemory }));
  const provider = otelProvider(new SimpleSpanProcessor({ exporter: otelMemory }));
  const otel = makeOtel(provider, 'x');
  waggle.call('what is otel?', 3);
  otel('what is otel?', 3);
  await waggle.tracer.flush();
  await provider.forceFlush();
  const keys = (memory: InMemorySpanExporter) =>
    Object.keys(memory.getFinishedSpans()[0]?.attributes ?? {})
      .sort()
      .join(',');
  if (keys(waggleMemory) !== keys(otelMemory) || keys(waggleMemory) === '') {
    throw new Error(`attribute sets differ:\n  waggle ${keys(waggleMemory)}\n  otel   ${keys(otelMemory)}`);
  }
  await waggle.tracer.shutdown();
  await provider.shutdown();
}

async function noopPair(serverUrl: string): Promise<Pair> {
  const waggle = makeWaggle(
    serverUrl,
    createExportPipeline({
      url: `${serverUrl}/v1/traces`,
      apiKey: 'wgl_bench',
      exporter: new NoopExporter(),
    }),
  );
  const provider = otelProvider(new BatchSpanProcessor({ exporter: new NoopExporter() }));
  return pairOf(waggle, provider);
}

async function httpPair(serverUrl: string): Promise<Pair> {
  // Default Waggle pipeline: protobuf + gzip. Bare OTel: the OTLP/proto exporter with gzip.
  const waggle = makeWaggle(serverUrl);
  const exporter = new OTLPTraceExporter({
    url: `${serverUrl}/v1/traces`,
    compression: CompressionAlgorithm.GZIP,
  });
  const provider = otelProvider(new BatchSpanProcessor({ exporter }));
  return pairOf(waggle, provider);
}

/** Waggle's and bare OTel's traced call side by side (OTel's spans in Waggle's session), shut down together. */
function pairOf(waggle: ReturnType<typeof makeWaggle>, provider: TracerProvider): Pair {
  return {
    waggleCall: waggle.call,
    otelCall: makeOtel(provider, sessionOf(waggle.tracer)),
    shutdown: async () => {
      await waggle.tracer.shutdown();
      await provider.shutdown();
    },
  };
}

function sessionOf(tracer: WaggleTracer): string {
  return tracer.getSessionId() ?? 'no-session';
}

// ---------------------------------------------------------------------------------------------
// 1. Time per traced call

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Microseconds per call over a batch of calls. */
function batchUs(fn: (q: string, k: number) => number, calls: number): number {
  const start = performance.now();
  let sink = 0;
  for (let i = 0; i < calls; i++) sink += fn('what is otel?', i & 7);
  const elapsed = performance.now() - start;
  if (sink < 0) console.log(sink);
  return (elapsed * 1_000) / calls;
}

/**
 * Alternates the two sides sample by sample (so GC and machine noise hit both alike) and yields
 * to the event loop between samples so the export pipelines drain as they would in an app.
 */
async function comparePerCall(pair: Pair, samples = 300, calls = 100): Promise<SdkComparison> {
  for (let i = 0; i < 60; i++) {
    batchUs(pair.waggleCall, calls);
    batchUs(pair.otelCall, calls);
    await yieldToLoop();
  }
  const waggle: number[] = [];
  const otel: number[] = [];
  for (let i = 0; i < samples; i++) {
    if (i % 2 === 0) {
      waggle.push(batchUs(pair.waggleCall, calls));
      await yieldToLoop();
      otel.push(batchUs(pair.otelCall, calls));
    } else {
      otel.push(batchUs(pair.otelCall, calls));
      await yieldToLoop();
      waggle.push(batchUs(pair.waggleCall, calls));
    }
    await yieldToLoop();
  }
  return comparison(median(waggle), median(otel));
}

// ---------------------------------------------------------------------------------------------
// 2. Start-up

type StartupKind = 'waggle' | 'otel';

/** In a fresh process: the first tracer (cold) and then later ones; prints JSON for the parent. */
function startupChild(kind: StartupKind, serverUrl: string): void {
  const make = (): unknown => {
    if (kind === 'waggle') {
      return new WaggleTracer({ apiKey: 'wgl_bench', project: 'bench', serverUrl, logger: SILENT });
    }
    const exporter = new OTLPTraceExporter({ url: `${serverUrl}/v1/traces` });
    const provider = otelProvider(new BatchSpanProcessor({ exporter }));
    return provider.getTracer('bench-otel');
  };
  const t0 = performance.now();
  const first = make();
  const firstMs = performance.now() - t0;
  const later: number[] = [];
  const keep: unknown[] = [first];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    keep.push(make());
    later.push(performance.now() - t);
  }
  process.stdout.write(`${JSON.stringify({ firstMs, laterMs: median(later), kept: keep.length })}\n`);
}

function runStartupChild(
  kind: StartupKind,
  serverUrl: string,
): Promise<{ firstMs: number; laterMs: number }> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    // The same runtime and loader flags (tsx) as this process.
    const child = spawn(process.execPath, [...process.execArgv, self, '--startup-child', kind, serverUrl], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`start-up child exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}'));
    });
  });
}

async function measureStartup(
  serverUrl: string,
  rounds = 5,
): Promise<{ first: SdkComparison; later: SdkComparison }> {
  const waggleFirst: number[] = [];
  const otelFirst: number[] = [];
  const waggleLater: number[] = [];
  const otelLater: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const w = await runStartupChild('waggle', serverUrl);
    const o = await runStartupChild('otel', serverUrl);
    waggleFirst.push(w.firstMs);
    otelFirst.push(o.firstMs);
    waggleLater.push(w.laterMs);
    otelLater.push(o.laterMs);
  }
  return {
    first: comparison(median(waggleFirst), median(otelFirst)),
    later: comparison(median(waggleLater), median(otelLater)),
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Heap per additional tracer

function gcFunction(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

async function heapPerInstanceKb(
  make: () => { shutdown: () => Promise<void> },
  count = 100,
): Promise<number> {
  const gc = gcFunction();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const instances: { shutdown: () => Promise<void> }[] = [];
  for (let i = 0; i < count; i++) instances.push(make());
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  await Promise.all(instances.map((instance) => instance.shutdown()));
  return (after - before) / count / 1024;
}

async function measureHeap(serverUrl: string, rounds = 5): Promise<SdkComparison> {
  const makeWaggleInstance = () => {
    const tracer = new WaggleTracer({ apiKey: 'wgl_bench', project: 'bench', serverUrl, logger: SILENT });
    return { shutdown: () => tracer.shutdown() };
  };
  const makeOtelInstance = () => {
    const exporter = new OTLPTraceExporter({
      url: `${serverUrl}/v1/traces`,
      compression: CompressionAlgorithm.GZIP,
    });
    const provider = otelProvider(new BatchSpanProcessor({ exporter }));
    provider.getTracer('bench-otel');
    return { shutdown: () => provider.shutdown() };
  };
  // One throwaway round each: module-level caches and compiled code are not per instance.
  await heapPerInstanceKb(makeWaggleInstance, 10);
  await heapPerInstanceKb(makeOtelInstance, 10);
  const waggle: number[] = [];
  const otel: number[] = [];
  for (let i = 0; i < rounds; i++) {
    waggle.push(await heapPerInstanceKb(makeWaggleInstance));
    otel.push(await heapPerInstanceKb(makeOtelInstance));
  }
  return comparison(median(waggle), median(otel));
}

// ---------------------------------------------------------------------------------------------
// 4. Event-loop pauses during export

interface PauseResult {
  maxPauseMs: number;
  p99DelayMs: number;
  exported: number;
}

/**
 * Produces `spans` spans in chunks of 50 per loop turn (an app doing other work in between), then
 * flushes; a 1 ms interval probe and monitorEventLoopDelay watch the loop throughout.
 */
async function measurePauses(
  call: (q: string, k: number) => number,
  flush: () => Promise<unknown>,
  exported: () => number,
  spans = EXPORT_SPANS,
): Promise<PauseResult> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let maxPauseMs = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    maxPauseMs = Math.max(maxPauseMs, now - last - 1);
    last = now;
  }, 1);
  histogram.enable();
  const before = exported();
  for (let produced = 0; produced < spans; produced += 50) {
    for (let i = 0; i < 50; i++) call('what is otel?', i & 7);
    await yieldToLoop();
  }
  await flush();
  histogram.disable();
  clearInterval(probe);
  return {
    maxPauseMs: Math.max(maxPauseMs, 0),
    p99DelayMs: histogram.percentile(99) / 1e6 - 1,
    exported: exported() - before,
  };
}

async function measureExportPauses(
  serverUrl: string,
  rounds = 3,
): Promise<{ maxPause: SdkComparison; p99: SdkComparison; exported: { waggle: number; otel: number } }> {
  const pipeline = createExportPipeline({ url: `${serverUrl}/v1/traces`, apiKey: 'wgl_bench' });
  const waggle = makeWaggle(serverUrl, pipeline);
  const otelExporter = new CountingExporter(
    new OTLPTraceExporter({ url: `${serverUrl}/v1/traces`, compression: CompressionAlgorithm.GZIP }),
  );
  // A queue that holds all 10,000 spans, like the Waggle default profile's 4,096 plus batching.
  const provider = otelProvider(new BatchSpanProcessor({ exporter: otelExporter, maxQueueSize: 4_096 }));
  const otelCall = makeOtel(provider, sessionOf(waggle.tracer));
  const waggleRuns: PauseResult[] = [];
  const otelRuns: PauseResult[] = [];
  // Warm-up round (JIT, connections), not counted.
  await measurePauses(
    waggle.call,
    () => waggle.tracer.flush(30_000),
    () => pipeline.stats().exported,
    2_000,
  );
  await measurePauses(
    otelCall,
    () => provider.forceFlush(),
    () => otelExporter.exported,
    2_000,
  );
  for (let i = 0; i < rounds; i++) {
    waggleRuns.push(
      await measurePauses(
        waggle.call,
        () => waggle.tracer.flush(30_000),
        () => pipeline.stats().exported,
      ),
    );
    otelRuns.push(
      await measurePauses(
        otelCall,
        () => provider.forceFlush(),
        () => otelExporter.exported,
      ),
    );
  }
  await waggle.tracer.shutdown();
  await provider.shutdown();
  return {
    maxPause: comparison(
      median(waggleRuns.map((r) => r.maxPauseMs)),
      median(otelRuns.map((r) => r.maxPauseMs)),
    ),
    p99: comparison(median(waggleRuns.map((r) => r.p99DelayMs)), median(otelRuns.map((r) => r.p99DelayMs))),
    exported: {
      waggle: Math.min(...waggleRuns.map((r) => r.exported)),
      otel: Math.min(...otelRuns.map((r) => r.exported)),
    },
  };
}

// ---------------------------------------------------------------------------------------------

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

function comparison(waggle: number, otel: number): SdkComparison {
  return { waggle, otel, ratio: waggle / otel };
}

export async function measureSdk(): Promise<SdkBenchResult> {
  const sink = await startSink();
  try {
    // Start-up first: fresh child processes, unaffected by this process's state.
    const startup = await measureStartup(sink.url);
    // The SDK installs its AsyncLocalStorage context manager at the first span; bare OTel uses it too.
    await checkSameAttributes(sink.url);
    const noop = await noopPair(sink.url);
    const perCallNoopUs = await comparePerCall(noop);
    await noop.shutdown();
    const http = await httpPair(sink.url);
    const perCallHttpUs = await comparePerCall(http);
    await http.shutdown();
    const heapPerTracerKb = await measureHeap(sink.url);
    const pauses = await measureExportPauses(sink.url);
    const f = (n: number, d = 1) => n.toFixed(d);
    const targets: SdkTarget[] = [
      {
        name: 'time per traced call vs bare OTel (no-op sink)',
        value: `${f(perCallNoopUs.ratio, 2)}x`,
        target: '<= 1.5x',
        met: perCallNoopUs.ratio <= 1.5,
      },
      {
        name: 'time per traced call (no-op sink)',
        value: `${f(perCallNoopUs.waggle)} µs`,
        target: '< 20 µs',
        met: perCallNoopUs.waggle < 20,
      },
      {
        name: 'time per traced call (HTTP sink)',
        value: `${f(perCallHttpUs.waggle)} µs (${f(perCallHttpUs.ratio, 2)}x)`,
        target: '< 20 µs, <= 1.5x',
        met: perCallHttpUs.waggle < 20 && perCallHttpUs.ratio <= 1.5,
      },
      {
        name: 'tracer start-up (later tracers)',
        value: `${f(startup.later.waggle, 2)} ms`,
        target: '< 5 ms',
        met: startup.later.waggle < 5,
      },
      {
        name: 'heap per additional tracer',
        value: `${f(heapPerTracerKb.waggle)} KB`,
        target: '< 500 KB',
        met: heapPerTracerKb.waggle < 500,
      },
      {
        name: `max event-loop pause, export of ${EXPORT_SPANS.toLocaleString('en-US')} spans`,
        value: `${f(pauses.maxPause.waggle)} ms`,
        target: '<= 5 ms',
        met: pauses.maxPause.waggle <= 5,
      },
    ];
    return {
      perCallNoopUs,
      perCallHttpUs,
      firstTracerMs: startup.first,
      tracerStartupMs: startup.later,
      heapPerTracerKb,
      exportMaxPauseMs: pauses.maxPause,
      exportP99DelayMs: pauses.p99,
      exportSpans: EXPORT_SPANS,
      exportedSpans: pauses.exported,
      targets,
    };
  } finally {
    await sink.close();
  }
}

/** The result as Markdown tables (for the standalone run and docs/BENCHMARKS.md). */
export function formatSdkTable(r: SdkBenchResult): string {
  const f = (n: number, d: number) =>
    n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const row = (name: string, c: SdkComparison, unit: string, d: number) =>
    `| ${name} | ${f(c.waggle, d)} ${unit} | ${f(c.otel, d)} ${unit} | ${f(c.ratio, 2)}x |`;
  return [
    '| what | Waggle SDK | bare OpenTelemetry | Waggle / OTel |',
    '|---|---:|---:|---:|',
    row('traced call + enrichment, no-op exporter', r.perCallNoopUs, 'µs', 2),
    row('traced call + enrichment, HTTP sink (protobuf + gzip)', r.perCallHttpUs, 'µs', 2),
    row('first tracer of a process (incl. environment/git detection)', r.firstTracerMs, 'ms', 2),
    row('tracer start-up (later tracers)', r.tracerStartupMs, 'ms', 3),
    row('heap per additional tracer', r.heapPerTracerKb, 'KB', 1),
    row(`max event-loop pause, ${f(r.exportSpans, 0)} spans exported`, r.exportMaxPauseMs, 'ms', 1),
    row('p99 event-loop delay during that export', r.exportP99DelayMs, 'ms', 2),
    '',
    `Exported spans (of ${f(r.exportSpans, 0)}): Waggle ${f(r.exportedSpans.waggle, 0)}, OTel ${f(r.exportedSpans.otel, 0)}.`,
    '',
    '| target | measured | target | met |',
    '|---|---:|---:|:---:|',
    ...r.targets.map((t) => `| ${t.name} | ${t.value} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`),
  ].join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];

if (invokedDirectly) {
  const childIndex = process.argv.indexOf('--startup-child');
  if (childIndex >= 0) {
    startupChild(process.argv[childIndex + 1] as StartupKind, process.argv[childIndex + 2] ?? '');
  } else {
    const result = await measureSdk();
    console.log(formatSdkTable(result));
    // Keep-alive sockets of the exporters must not hold the process.
    process.exit(0);
  }
}
