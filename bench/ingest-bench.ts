/**
 * Ingest benchmarks: decode + normalize throughput against a generic protobufjs decode of the same
 * bytes, handler latency, and the AWS request mix per request that the cost model prices.
 */
import { hashApiKey } from '../lambdas/domain/auth/api-key';
import { convertRequest } from '../lambdas/domain/ingest/convert-request';
import { decodeTraceRequestJson } from '../lambdas/domain/otlp/decode-json';
import { decodeTraceRequestProtobuf } from '../lambdas/domain/otlp/decode-protobuf';
import { createIngestHandler } from '../lambdas/ingest/app';
import { apigwEvent } from '../test/support/apigw-event';
import { CountingObjectStore, CountingQueue, StaticKeyRegistry } from './counting-ports';
import { type Timing, timeAsync, timeSync } from './harness';
import { makeGenAiRequest } from './otlp/genai-request';
import { loadOtlpProtoTypes } from './otlp/otlp-proto-schema';

export interface ThroughputRow {
  name: string;
  medianMs: number;
  spansPerSecond: number;
}

export interface LatencyRow {
  name: string;
  p50Ms: number;
  p99Ms: number;
}

export interface RequestMix {
  spansPerRequest: number;
  requestBytes: number;
  sqsBatches: number;
  sqsMessages: number;
  sqsChunks: number;
  s3Puts: number;
  handlerP50Ms: number;
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
  return {
    spansPerRequest: spans,
    requestBytes: request.protobuf.byteLength,
    sqsBatches: queue.batches,
    sqsMessages: queue.messages,
    sqsChunks: queue.billedChunks,
    s3Puts: archive.puts,
    handlerP50Ms: latency.p50Ms,
  };
}
