/**
 * Ingest benchmarks: decode + normalize throughput against a generic protobufjs decode of the same
 * bytes, handler latency, and the AWS request mix per request that the cost model prices.
 *
 * Runnable alone for the cost table: `npm exec -- tsx bench/ingest-bench.ts`.
 */
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '../lambdas/domain/auth/api-key';
import { convertRequest } from '../lambdas/domain/ingest/convert-request';
import { decodeTraceRequestJson } from '../lambdas/domain/otlp/decode-json';
import { decodeTraceRequestProtobuf } from '../lambdas/domain/otlp/decode-protobuf';
import { createIngestHandler } from '../lambdas/ingest/app';
import { EVENT_WRITER_DEFAULTS } from '../lib/data-plane/event-writer';
import { INGEST_FUNCTION_MEMORY_MB } from '../lib/data-plane/ingest-function-settings';
import { apigwEvent } from '../test/support/apigw-event';
import {
  type CostLine,
  costPerMillionSpans,
  requestsPerWriterBatch,
  writerSqsRequestsPerRequest,
} from './cost-model';
import { CountingObjectStore, CountingQueue, StaticKeyRegistry } from './counting-ports';
import { type Timing, timeAsync, timeSync } from './harness';
import { makeGenAiRequest } from './otlp/genai-request';
import { loadOtlpProtoTypes } from './otlp/otlp-proto-schema';

interface ThroughputRow {
  name: string;
  medianMs: number;
  spansPerSecond: number;
}

interface LatencyRow {
  name: string;
  p50Ms: number;
  p99Ms: number;
}

interface RequestMix {
  spansPerRequest: number;
  requestBytes: number;
  sqsBatches: number;
  sqsMessages: number;
  /** Body bytes of those messages (the raw request's message included). */
  sqsBytes: number;
  sqsChunks: number;
  /** S3 PUTs ingest made (a request too big for a message, overflow events). */
  ingestS3Puts: number;
  /** Requests whose messages fill one writer batch at the default batch size. */
  requestsPerWriterBatch: number;
  /** The writer's one raw-batch PUT, shared by the requests of its batch. */
  writerS3Puts: number;
  writerSqsRequests: number;
  handlerP50Ms: number;
}

/** The writer's recommended (default) batch size. */
export const WRITER_BATCH_SIZE = EVENT_WRITER_DEFAULTS.batchSize;

/** The ingest function's memory (lib/data-plane/ingest-function-settings.ts); Lambda gives one full vCPU at 1769 MB. */
export const LAMBDA_MEMORY_MB = INGEST_FUNCTION_MEMORY_MB;
export const FULL_VCPU_MB = 1769;
/** Assumed in-region wait for the SQS SendMessageBatch (not measurable here). */
export const ASSUMED_IO_WAIT_MS = 20;

/** Billed Lambda ms: the handler's time scaled to the function's share of a vCPU, plus the I/O wait. */
function lambdaBilledMs(handlerP50Ms: number): number {
  return Math.ceil(handlerP50Ms * (FULL_VCPU_MB / LAMBDA_MEMORY_MB) + ASSUMED_IO_WAIT_MS);
}

export function ingestCost(mix: RequestMix): { lambdaMs: number; lines: CostLine[]; total: number } {
  const lambdaMs = lambdaBilledMs(mix.handlerP50Ms);
  const lines = costPerMillionSpans({
    spansPerRequest: mix.spansPerRequest,
    sqsChunks: mix.sqsChunks,
    writerSqsRequests: mix.writerSqsRequests,
    ingestS3Puts: mix.ingestS3Puts,
    writerS3Puts: mix.writerS3Puts,
    lambdaMs,
    lambdaMemoryMb: LAMBDA_MEMORY_MB,
  });
  return { lambdaMs, lines, total: lines.reduce((sum, line) => sum + line.usdPerMillionSpans, 0) };
}

const TENANT = { org_id: 'bench-org', workspace_id: 'bench-ws', project_id: 'bench' };
const KEY = 'wgl_bench-key';

function throughput(name: string, spans: number, timing: Timing): ThroughputRow {
  return { name, medianMs: timing.medianMs, spansPerSecond: (spans / timing.medianMs) * 1000 };
}

function convert(body: Uint8Array, contentType: string) {
  return convertRequest({
    route: 'otlp-traces',
    contentType,
    body,
    tenant: TENANT,
    projectName: 'bench',
    requestId: 'bench-request',
    ingestedAt: 1_763_700_000_000,
    version: 1,
    rawArchiveKey: 'raw/bench',
  });
}

export function measureThroughput(spans = 512): ThroughputRow[] {
  const request = makeGenAiRequest(spans);
  const jsonBytes = new TextEncoder().encode(request.json);
  const generic = loadOtlpProtoTypes().exportTraceServiceRequest;
  const rows = [
    throughput(
      'generic protobufjs decode (reflection, baseline)',
      spans,
      timeSync(() => generic.decode(request.protobuf)),
    ),
    throughput(
      'generic protobufjs decode + toObject',
      spans,
      timeSync(() => generic.toObject(generic.decode(request.protobuf))),
    ),
    throughput(
      'JSON.parse of the OTLP JSON body (floor)',
      spans,
      timeSync(() => JSON.parse(request.json)),
    ),
    throughput(
      'Waggle protobuf decode',
      spans,
      timeSync(() => decodeTraceRequestProtobuf(request.protobuf)),
    ),
    throughput(
      'Waggle JSON decode',
      spans,
      timeSync(() => decodeTraceRequestJson(jsonBytes)),
    ),
    throughput(
      'Waggle protobuf decode + validate + normalize',
      spans,
      timeSync(() => convert(request.protobuf, 'application/x-protobuf')),
    ),
    throughput(
      'Waggle JSON decode + validate + normalize',
      spans,
      timeSync(() => convert(jsonBytes, 'application/json')),
    ),
  ];
  return rows;
}

function benchHandler() {
  const archive = new CountingObjectStore();
  const queue = new CountingQueue();
  const handler = createIngestHandler({
    keys: new StaticKeyRegistry({
      ...TENANT,
      keyHash: hashApiKey(KEY),
      projectName: 'bench',
      scopes: ['ingest'],
      revoked: false,
      createdAt: 0,
    }),
    rawArchive: archive,
    overflowStore: archive,
    eventsQueue: queue,
  });
  return { handler, archive, queue };
}

function otlpEvent(body: Uint8Array) {
  return apigwEvent({
    method: 'POST',
    path: '/v1/traces',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/x-protobuf' },
    body,
  });
}

/** Whole-handler latency (API Gateway event in, response out) with stores that cost nothing. */
export async function measureHandlerLatency(spans: number): Promise<LatencyRow> {
  const request = makeGenAiRequest(spans);
  const event = otlpEvent(request.protobuf);
  const { handler } = benchHandler();
  const timing = await timeAsync(() => handler(event));
  return { name: `handler, ${spans}-span protobuf request`, p50Ms: timing.medianMs, p99Ms: timing.p99Ms };
}

/** What one request of `spans` spans costs in AWS requests. */
export async function measureRequestMix(spans: number): Promise<RequestMix> {
  const request = makeGenAiRequest(spans);
  const { handler, archive, queue } = benchHandler();
  const response = await handler(otlpEvent(request.protobuf));
  if (response.statusCode !== 200)
    throw new Error(`bench request failed: ${response.statusCode} ${response.body}`);
  const latency = await measureHandlerLatency(spans);
  const perRequest = { messagesPerRequest: queue.messages, messageBytesPerRequest: queue.bytes };
  const perBatch = requestsPerWriterBatch({ ...perRequest, batchSize: WRITER_BATCH_SIZE });
  return {
    spansPerRequest: spans,
    requestBytes: request.protobuf.byteLength,
    sqsBatches: queue.batches,
    sqsMessages: queue.messages,
    sqsBytes: queue.bytes,
    sqsChunks: queue.billedChunks,
    ingestS3Puts: archive.puts,
    requestsPerWriterBatch: perBatch,
    writerS3Puts: WRITER_PUTS_PER_BATCH / perBatch,
    writerSqsRequests: writerSqsRequestsPerRequest(perRequest),
    handlerP50Ms: latency.p50Ms,
  };
}

/**
 * The writer's PUTs per batch of one project's spans at steady traffic: the raw-batch archive, one
 * events file (one per hour partition touched: a batch spans one hour but at its edges), the id
 * locator file and the event-schema file (one each per project) and the change marker for compaction.
 */
export const WRITER_PUTS_PER_BATCH = 5;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The cost section's table, as markdown. */
export function formatCostTable(lines: readonly CostLine[], total: number): string {
  return `| service | requests per million spans | USD per million spans |
|---|---:|---:|
${lines.map((l) => `| ${l.service} | ${fmt(l.requestsPerMillionSpans, 1)} | ${fmt(l.usdPerMillionSpans, 4)} |`).join('\n')}
| **total** | | **${fmt(total, 4)}** |`;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  measureRequestMix(100)
    .then((mix) => {
      const { lambdaMs, lines, total } = ingestCost(mix);
      console.log(
        `${mix.spansPerRequest} spans, ${fmt(mix.requestBytes)} bytes of protobuf: ${mix.sqsBatches} SendMessageBatch with ${mix.sqsMessages} messages (${fmt(mix.sqsBytes)} bytes) = ${mix.sqsChunks} chunk(s); ${mix.ingestS3Puts} ingest PUT(s); ${mix.requestsPerWriterBatch} requests per writer batch; handler p50 ${fmt(mix.handlerP50Ms, 2)} ms -> ${lambdaMs} ms billed`,
      );
      console.log(formatCostTable(lines, total));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
