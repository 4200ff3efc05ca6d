/**
 * The LLM proxy's overhead: the same chat completions sent straight to a fake OpenAI-compatible
 * server (test/support/fake-providers) and through the proxy (`POST /v1/chat/completions` on the
 * local platform, model `openai-compatible/<model>`, the fake registered as the project's
 * openai-compatible provider key), in the same run. The platform runs in a process of its own
 * (platform-process.ts), as `npm start` does beside the applications calling it.
 *
 * - Non-streamed: latency p50 and p99 of each path, in alternating blocks after a warm-up; the
 *   difference is what the proxy adds (its HTTP edge, authentication, key resolution, the AI SDK call,
 *   the answer's translation, its recording), the ratio its cost beside a provider that answers at once.
 * - Streamed: the fake waits CHUNK_DELAY_MS between chunks; time to the first token on each path,
 *   and, through the proxy, how long after the fake wrote a chunk the client reads it (first and
 *   last content chunk) and how long before the fake's last chunk the first token arrives: a proxy
 *   that buffered would deliver the first token after the last chunk.
 *
 * Alone: `npm exec -- tsx bench/proxy/proxy-bench.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request as httpRequest } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { LocalWriterTuning } from '../../lambdas/local/platform';
import {
  countTokens,
  ECHO_PREFIX,
  type FakeProvider,
  startFakeOpenAICompatible,
} from '../../test/support/fake-providers';
import { type LatencySummary, percentile, summarizeLatencies } from '../harness';
import { machineDescription } from '../machine';
import { type PlatformSettings, startPlatformProcess } from './platform-process';

const FAKE_KEY = 'sk-bench-fake-provider-0123456789';
const MODEL = 'bench-model';
const PROMPT =
  'Summarize the attached incident report in three short sentences for the on-call engineer, with the cause first.';
const EXPECTED = `${ECHO_PREFIX}${PROMPT}`;
const WORDS = countTokens(EXPECTED);
const CHUNK_DELAY_MS = 25;
/** Non-streamed: iterations per path, run in blocks of BLOCK alternating between the paths. */
const ITERATIONS = 3_000;
const WARM_UP = 300;
const BLOCK = 100;
const STREAM_RUNS = 20;

export interface StreamStats {
  /** Request sent to first content delta read. */
  ttftP50Ms: number;
  ttftP99Ms: number;
  /** Request sent to last content delta read. */
  lastTokenP50Ms: number;
  /** From the fake writing the first (last) content chunk to the client reading it. */
  firstChunkLagP50Ms: number;
  lastChunkLagP50Ms: number;
  /** How long before the fake wrote its last word's chunk the client had the first token. */
  firstTokenBeforeLastWordP50Ms: number;
  contentDeltas: number;
  runs: number;
}

export interface ProxyBench {
  date: string;
  machine: string;
  node: string;
  /** Why the proxy was not measured (no route on the local platform yet), when it was not. */
  unavailable?: string;
  nonStreamed?: { direct: LatencySummary; proxied: LatencySummary };
  /** The same on a second platform whose writer writes nothing until the run is over. */
  nonStreamedWriterDeferred?: { direct: LatencySummary; proxied: LatencySummary };
  /** The same with the writer on the platform's main thread (as before it had a thread of its own). */
  nonStreamedWriterOnMainThread?: { direct: LatencySummary; proxied: LatencySummary };
  streamed?: { chunkDelayMs: number; words: number; direct: StreamStats; proxied: StreamStats };
}

interface Path {
  url: string;
  key: string;
  model: string;
}

function body(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a concise assistant.' },
      { role: 'user', content: PROMPT },
    ],
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

function post(path: Path, stream: boolean): Promise<Response> {
  return fetch(path.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${path.key}`, 'content-type': 'application/json' },
    body: body(path.model, stream),
  });
}

/**
 * The non-streamed client: node:http with one kept-alive connection per path. Node's global fetch
 * (undici) makes this process's every young-generation collection take 10-30 ms (its objects
 * outlive the scavenges that follow them), noise on both paths that is the client's, not the proxy's.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function postOverHttp(path: Path): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      path.url,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${path.key}`, 'content-type': 'application/json' },
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8');
        incoming.on('data', (chunk: string) => {
          text += chunk;
        });
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body(path.model, false));
  });
}

/** One non-streamed completion; its latency (request sent to whole answer read). */
async function complete(path: Path): Promise<number> {
  const started = performance.now();
  const { status, text } = await postOverHttp(path);
  const elapsed = performance.now() - started;
  if (status !== 200) throw new Error(`${path.url} answered ${status}: ${text.slice(0, 300)}`);
  return elapsed;
}

async function checkAnswer(path: Path): Promise<void> {
  const response = await post(path, false);
  const answer = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
  const content = answer.choices?.[0]?.message?.content;
  if (content !== EXPECTED) throw new Error(`${path.url} answered ${JSON.stringify(answer).slice(0, 300)}`);
}

async function measureNonStreamed(direct: Path, proxied: Path, fake: FakeProvider) {
  fake.respondWith({});
  await checkAnswer(direct);
  await checkAnswer(proxied);
  for (let i = 0; i < WARM_UP; i++) {
    await complete(direct);
    await complete(proxied);
  }
  const samples = { direct: [] as number[], proxied: [] as number[] };
  for (let block = 0; block < ITERATIONS / BLOCK; block++) {
    const order = block % 2 ? (['proxied', 'direct'] as const) : (['direct', 'proxied'] as const);
    for (const side of order)
      for (let i = 0; i < BLOCK; i++)
        samples[side].push(await complete(side === 'direct' ? direct : proxied));
    fake.requests.length = 0; // the fake keeps every request: keep its memory flat
  }
  return { direct: summarizeLatencies(samples.direct), proxied: summarizeLatencies(samples.proxied) };
}

interface StreamSample {
  ttft: number;
  lastToken: number;
  firstLag: number;
  lastLag: number;
  ahead: number;
  deltas: number;
}

/** One streamed completion, read as SSE `data:` lines of chat.completion.chunk. */
async function streamOnce(path: Path, fake: FakeProvider): Promise<StreamSample> {
  const started = performance.now();
  const response = await post(path, true);
  if (response.status !== 200 || !response.body)
    throw new Error(`${path.url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const decoder = new TextDecoder();
  let buffered = '';
  let text = '';
  let deltas = 0;
  let firstAt: number | undefined;
  let lastAt = Number.NaN;
  for await (const bytes of response.body) {
    buffered += decoder.decode(bytes, { stream: true });
    const frames = buffered.split(/\r?\n\r?\n/);
    buffered = frames.pop() ?? '';
    for (const frame of frames)
      for (const line of frame.split(/\r?\n/)) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') continue;
        const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
        const content = chunk.choices?.[0]?.delta?.content;
        if (!content) continue;
        const now = performance.now();
        firstAt ??= now;
        lastAt = now;
        text += content;
        deltas++;
      }
  }
  if (text !== EXPECTED || firstAt === undefined)
    throw new Error(`${path.url} streamed ${JSON.stringify(text)}, expected ${JSON.stringify(EXPECTED)}`);
  // The fake's events: the role chunk, then one content chunk per word.
  const upstream = fake.requests.at(-1)?.answer;
  const firstWritten = upstream?.eventTimes[1];
  const lastWritten = upstream?.eventTimes[WORDS];
  if (firstWritten === undefined || lastWritten === undefined)
    throw new Error('the fake did not record its stream');
  return {
    ttft: firstAt - started,
    lastToken: lastAt - started,
    firstLag: firstAt - firstWritten,
    lastLag: lastAt - lastWritten,
    ahead: lastWritten - firstAt,
    deltas,
  };
}

function streamStats(samples: StreamSample[]): StreamStats {
  const p = (pick: (sample: StreamSample) => number, at: number) =>
    percentile(
      samples.map(pick).sort((a, b) => a - b),
      at,
    );
  return {
    ttftP50Ms: p((s) => s.ttft, 50),
    ttftP99Ms: p((s) => s.ttft, 99),
    lastTokenP50Ms: p((s) => s.lastToken, 50),
    firstChunkLagP50Ms: p((s) => s.firstLag, 50),
    lastChunkLagP50Ms: p((s) => s.lastLag, 50),
    firstTokenBeforeLastWordP50Ms: p((s) => s.ahead, 50),
    contentDeltas: samples[0]?.deltas ?? 0,
    runs: samples.length,
  };
}

async function measureStreamed(direct: Path, proxied: Path, fake: FakeProvider) {
  fake.respondWith({ chunkDelayMs: CHUNK_DELAY_MS });
  for (let i = 0; i < 2; i++) {
    await streamOnce(direct, fake);
    await streamOnce(proxied, fake);
  }
  const samples = { direct: [] as StreamSample[], proxied: [] as StreamSample[] };
  for (let run = 0; run < STREAM_RUNS; run++) {
    const order = run % 2 ? (['proxied', 'direct'] as const) : (['direct', 'proxied'] as const);
    for (const side of order)
      samples[side].push(await streamOnce(side === 'direct' ? direct : proxied, fake));
  }
  return {
    chunkDelayMs: CHUNK_DELAY_MS,
    words: WORDS,
    direct: streamStats(samples.direct),
    proxied: streamStats(samples.proxied),
  };
}

export interface ProxyBenchOptions {
  /** The local writer's batching: the default is npm start's (a batch every 500 ms). */
  writer?: Partial<LocalWriterTuning>;
}

/** The writer held back for the whole run: no batch is written while requests are timed. */
const WRITER_DEFERRED: Partial<LocalWriterTuning> = { batchSize: 10_000, maximumBatchingWindowMs: 300_000 };

/** A platform process of its own with the fake registered as its project's provider key. */
async function onPlatform<T>(
  fake: FakeProvider,
  settings: PlatformSettings,
  use: (direct: Path, proxied: Path) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(join(os.tmpdir(), 'waggle-proxy-bench-'));
  const platform = await startPlatformProcess(dataDir, settings);
  try {
    const direct: Path = { url: `${fake.url}/chat/completions`, key: FAKE_KEY, model: MODEL };
    const proxied: Path = {
      url: `${platform.url}/v1/chat/completions`,
      key: platform.apiKey,
      model: `openai-compatible/${MODEL}`,
    };
    const registered = await fetch(`${platform.url}/v1/provider-keys/openai-compatible`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${platform.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: FAKE_KEY, base_url: fake.url }),
    });
    if (registered.status !== 201 && registered.status !== 200)
      throw new Error(`provider key not registered: ${registered.status} ${await registered.text()}`);
    return await use(direct, proxied);
  } finally {
    await platform.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function measureProxy(options: ProxyBenchOptions = {}): Promise<ProxyBench> {
  const result: ProxyBench = {
    date: new Date().toISOString(),
    machine: machineDescription(),
    node: process.version,
  };
  const fake = await startFakeOpenAICompatible({ apiKey: FAKE_KEY });
  try {
    await onPlatform(fake, { writer: options.writer }, async (direct, proxied) => {
      result.nonStreamed = await measureNonStreamed(direct, proxied, fake);
      result.streamed = await measureStreamed(direct, proxied, fake);
    });
    result.nonStreamedWriterDeferred = await onPlatform(
      fake,
      { writer: WRITER_DEFERRED },
      (direct, proxied) => measureNonStreamed(direct, proxied, fake),
    );
    result.nonStreamedWriterOnMainThread = await onPlatform(
      fake,
      { writer: options.writer, writerThread: false },
      (direct, proxied) => measureNonStreamed(direct, proxied, fake),
    );
    return result;
  } finally {
    await fake.close();
  }
}

export function formatProxySection(bench: ProxyBench): string {
  const fmt = (n: number, digits = 2) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const heading = `## LLM proxy: overhead beside a direct call

bench/proxy/proxy-bench.ts, ${bench.date}, ${bench.machine}, Node ${bench.node}. The same chat completions sent
straight to a fake OpenAI-compatible server (test/support/fake-providers: answers at once, or streams one word per
chunk) and through the proxy on the local platform (\`POST /v1/chat/completions\`, model \`openai-compatible/${MODEL}\`,
the fake registered as the project's provider key). The platform runs in its own process, as \`npm start\` does (its writer,
queues and compaction included); the client and the fake share the benchmark's process. One client, sequential requests:
node:http with keep-alive for the non-streamed ones (Node's fetch adds 10-30 ms collections of its own), fetch for the streamed.
`;
  const { nonStreamed, streamed } = bench;
  if (bench.unavailable || !nonStreamed || !streamed)
    return `${heading}
Not measured: ${bench.unavailable ?? 'no result'}.
`;
  const { direct, proxied } = nonStreamed;
  const addedP50 = proxied.p50Ms - direct.p50Ms;
  const addedP99 = proxied.p99Ms - direct.p99Ms;
  const runRows = (
    run: string,
    writer: string,
    stats: { direct: LatencySummary; proxied: LatencySummary } | undefined,
  ) =>
    stats
      ? [
          `| direct to the fake (${run} run) | ${fmt(stats.direct.p50Ms)} | ${fmt(stats.direct.p99Ms)} |`,
          `| through the proxy, ${writer} | ${fmt(stats.proxied.p50Ms)} | ${fmt(stats.proxied.p99Ms)} |`,
          `| added by the proxy, ${writer} | ${fmt(stats.proxied.p50Ms - stats.direct.p50Ms)} | ${fmt(stats.proxied.p99Ms - stats.direct.p99Ms)} |`,
        ].join('\n')
      : '';
  const deferredRows = [
    runRows('second', 'the writer deferred', bench.nonStreamedWriterDeferred),
    runRows('third', 'the writer on the main thread', bench.nonStreamedWriterOnMainThread),
  ]
    .filter((rows) => rows.length > 0)
    .join('\n');
  const row = (name: string, s: StreamStats) =>
    `| ${name} | ${fmt(s.ttftP50Ms, 1)} | ${fmt(s.ttftP99Ms, 1)} | ${fmt(s.lastTokenP50Ms, 0)} | ${fmt(s.firstChunkLagP50Ms)} | ${fmt(s.lastChunkLagP50Ms)} | ${fmt(s.firstTokenBeforeLastWordP50Ms, 0)} | ${s.contentDeltas} |`;
  return `${heading}
Non-streamed: ${fmt(direct.samples, 0)} requests per path after ${WARM_UP} warm-up requests each, in alternating blocks of ${BLOCK};
latency from the request sent to the whole answer read.

| path | p50 ms | p99 ms |
|---|---:|---:|
| direct to the fake | ${fmt(direct.p50Ms)} | ${fmt(direct.p99Ms)} |
| through the proxy | ${fmt(proxied.p50Ms)} | ${fmt(proxied.p99Ms)} |
| added by the proxy | ${fmt(addedP50)} | ${fmt(addedP99)} |
${deferredRows}

Through the proxy / direct: ${fmt(proxied.p50Ms / direct.p50Ms)}x at p50, ${fmt(proxied.p99Ms / direct.p99Ms)}x at p99 (a provider that answers at once;
a real model's seconds make the ratio close to 1). Targets: at most 2 ms added at p50: ${fmt(addedP50)} ms (${addedP50 <= 2 ? 'met' : 'NOT met'});
at most 10 ms added at p99: ${fmt(addedP99)} ms (${addedP99 <= 10 ? 'met' : 'NOT met'}).

Why the p99 is the platform's, not the proxy's own: the local platform serves every request, runs the queues and
compacts on one JavaScript thread, and sequential requests keep that thread busy. The writer has a worker thread of its
own (lambdas/local/writer-thread.ts): every 500 ms it reads, encodes and stores the batch of model events the proxy
queued, tens of milliseconds of work that on the main thread made the requests arriving meanwhile wait (the third run
puts it back there, as before, for comparison). What the main thread still does per batch is the queue's part: hand
the batch over, note its receive counts (one append to the queue's receive log, one flush), delete its messages. The
second run holds the writer back for the whole run (batches of 10,000, a 300 s window): what remains there is the
proxy's own path and collections of the young generation. On AWS the proxy is a function of its own, one request per
instance, with no writer beside it.

Streamed (\`stream: true\`, \`include_usage\`): the fake writes its ${streamed.words} words one chunk each, ${streamed.chunkDelayMs} ms apart; ${streamed.direct.runs} runs per
path, alternating, after 2 warm-up runs each. "Lag" is from the fake writing a content chunk to the client reading it;
"ahead" is how long before the fake wrote its last word's chunk the client had the first token (a proxy that
buffered the answer could not deliver the first token before the last word was written).

| path | first token p50 ms | first token p99 ms | last token p50 ms | first chunk lag p50 ms | last chunk lag p50 ms | first token ahead of the last word p50 ms | content deltas |
|---|---:|---:|---:|---:|---:|---:|---:|
${row('direct to the fake', streamed.direct)}
${row('through the proxy', streamed.proxied)}

The proxy adds ${fmt(streamed.proxied.ttftP50Ms - streamed.direct.ttftP50Ms)} ms to the first token at p50; it reaches the client ${fmt(streamed.proxied.firstTokenBeforeLastWordP50Ms, 0)} ms before the
fake writes the last word, so tokens are passed on as they come (${streamed.proxied.firstTokenBeforeLastWordP50Ms > 0 ? 'not buffered' : 'BUFFERED'}).
`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(formatProxySection(await measureProxy()));
}
