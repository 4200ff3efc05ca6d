/**
 * OTLP/gRPC on the local platform (`npm start`'s WAGGLE_GRPC_PORT, here any free port): the
 * OpenTelemetry JS gRPC exporter's spans, plain and gzip, are readable through the read API exactly
 * once with their attributes; refusals are gRPC status codes with the ingest handler's message
 * (UNAUTHENTICATED, INVALID_ARGUMENT, RESOURCE_EXHAUSTED, RESOURCE_EXHAUSTED with RetryInfo when
 * throttled) and store nothing; partial_success reaches the client; every call is one log line.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  Client,
  credentials,
  status as GrpcCode,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { type DiagLogger, DiagLogLevel, diag, type Tracer } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import protobuf from 'protobufjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadOtlpProtoTypes } from '../../bench/otlp/otlp-proto-schema';
import { generateApiKey } from '../../lambdas/domain/auth/api-key';
import { TRACE_EXPORT_PATH } from '../../lambdas/local/grpc-server';
import { createLogger } from '../../lambdas/local/logger';
import { type LocalPlatform, startLocalPlatform } from '../../lambdas/local/platform';
import { agentTrace, recordSpans } from '../support/otel-spans';
import { eventually, readApi } from '../support/read-api-client';

const FAST_WRITER = { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 };
const { exportTraceServiceRequest, exportTraceServiceResponse } = loadOtlpProtoTypes();

let dataDir: string;
let platform: LocalPlatform;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-grpc-'));
  platform = await startLocalPlatform({
    port: 0,
    grpcPort: 0,
    dataDir,
    writer: FAST_WRITER,
    logger: createLogger({ level: 'debug', format: 'json', write: (line) => lines.push(JSON.parse(line)) }),
  });
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function grpcUrl(of: LocalPlatform = platform): string {
  if (!of.grpcUrl) throw new Error('the platform serves no gRPC');
  return of.grpcUrl;
}

const bearer = (key: string) => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return metadata;
};

/** A chat call (gpt-4o) and a tool call under an agent span, in one conversation (the session id). */
function grpcAgentTrace(conversation: string, extra: Record<string, number | string> = {}) {
  return agentTrace({
    model: 'gpt-4o',
    conversation,
    inputTokens: 1200,
    outputTokens: 300,
    chatAttributes: { 'app.customer': 'acme', ...extra },
  });
}

type GrpcExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;

/** Exports with the real OpenTelemetry JS gRPC exporter and returns its result. */
async function exportWithGrpc(
  options: { key: string; compression?: 'gzip' | 'none'; url?: string },
  produce: (tracer: Tracer) => void,
): Promise<ExportResult> {
  const spans = await recordSpans(produce, { 'service.name': 'grpc-app' });
  const exporter = new OTLPTraceExporter({
    url: options.url ?? grpcUrl(),
    metadata: bearer(options.key),
    // The exporter's CompressionAlgorithm enum, whose values are these strings.
    compression: (options.compression ?? 'none') as GrpcExporterConfig['compression'],
  });
  try {
    return await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  } finally {
    await exporter.shutdown();
  }
}

/** A grpc-js client for TraceService/Export that sends and returns raw bytes. */
const TraceClient = makeGenericClientConstructor(
  {
    Export: {
      path: TRACE_EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: (bytes: Buffer) => bytes,
      requestDeserialize: (bytes: Buffer) => bytes,
      responseSerialize: (bytes: Buffer) => bytes,
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  },
  'TraceService',
);

type ExportCall = (
  request: Buffer,
  metadata: Metadata,
  callback: (error: ServiceError | null, response?: Buffer) => void,
) => void;

interface RawAnswer {
  response?: Buffer;
  error?: ServiceError;
}

async function rawExport(
  bytes: Uint8Array,
  metadata: Metadata,
  options: { gzip?: boolean; url?: string } = {},
): Promise<RawAnswer> {
  const client = new TraceClient(
    (options.url ?? grpcUrl()).replace(/^http:\/\//, ''),
    credentials.createInsecure(),
    options.gzip ? { 'grpc.default_compression_algorithm': 2 } : {},
  );
  try {
    return await new Promise<RawAnswer>((resolve) => {
      const call = client.Export as ExportCall;
      call.call(client, Buffer.from(bytes), metadata, (error, response) =>
        resolve(error ? { error } : { response }),
      );
    });
  } finally {
    client.close();
  }
}

function spanMessage(name: string, traceId: Buffer, attributes: Record<string, string> = {}) {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId,
    spanId: randomBytes(8),
    name,
    kind: 1,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 1_000_000n).toString(),
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
  };
}

function encodeRequest(spans: ReturnType<typeof spanMessage>[]): Uint8Array {
  return exportTraceServiceRequest
    .encode(exportTraceServiceRequest.fromObject({ resourceSpans: [{ scopeSpans: [{ spans }] }] }))
    .finish();
}

const decodeResponse = (bytes: Uint8Array) =>
  exportTraceServiceResponse.toObject(exportTraceServiceResponse.decode(bytes), { longs: String }) as {
    partialSuccess?: { rejectedSpans?: string; errorMessage?: string };
  };

const grpcLines = () => lines.filter((line) => line.msg === `GRPC ${TRACE_EXPORT_PATH}`);

async function readSession(sessionId: string, count: number) {
  const api = readApi(platform.url, platform.apiKey);
  return eventually(async () => {
    const body = await api.export({
      filters: [{ field: 'session_id', operator: 'is', value: sessionId, type: 'string' }],
    });
    return body.totalEvents >= count ? body : undefined;
  }, 30_000);
}

/** Sends one length-prefixed gRPC message by hand (node:http2), gzip-flagged when `compressed`. */
async function sendFramed(
  message: Buffer,
  options: { compressed: boolean },
): Promise<{ trailers: Record<string, unknown>; body: Buffer }> {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(options.compressed ? 1 : 0, 0);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  const session = connect(grpcUrl());
  try {
    return await new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': TRACE_EXPORT_PATH,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-encoding': 'gzip',
        authorization: `Bearer ${platform.apiKey}`,
      });
      const chunks: Buffer[] = [];
      // A status without a message comes in the response headers (trailers-only), else in trailers.
      const trailers: Record<string, unknown> = {};
      stream.on('response', (headers) => Object.assign(trailers, headers));
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('trailers', (received) => Object.assign(trailers, received));
      stream.on('end', () => resolve({ trailers, body: Buffer.concat(chunks) }));
      stream.on('error', reject);
      stream.end(frame);
    });
  } finally {
    session.close();
  }
}

/**
 * Calls `act` and checks it neither queued nor archived anything: ingest writes only to the events
 * queue and, for oversized requests and records, to the raw archive (`raw/project_id=`, `overflow/`);
 * the writer's own `raw/batches/` objects, of earlier requests, may land meanwhile.
 */
async function expectNothingStored(act: () => Promise<void>): Promise<void> {
  const sent = vi.spyOn(platform.eventsQueue, 'sendBatch');
  const put = vi.spyOn(platform.rawArchive, 'put');
  await act();
  expect(sent).not.toHaveBeenCalled();
  expect(put.mock.calls.map(([key]) => key).filter((key) => !key.startsWith('raw/batches/'))).toEqual([]);
  sent.mockRestore();
  put.mockRestore();
}

describe('OTLP/gRPC on the local platform', () => {
  it('lists its endpoint with the others, in local.json too', async () => {
    expect(platform.grpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(platform.grpcUrl).not.toBe(platform.url);
    const info = JSON.parse(await readFile(join(dataDir, 'local.json'), 'utf8'));
    expect(info.endpoints).toEqual({
      otlpTraces: `${platform.url}/v1/traces`,
      otlpGrpc: platform.grpcUrl,
      honeyhive: platform.url,
      health: `${platform.url}/healthz`,
    });
  });

  it('answers other OTLP services UNIMPLEMENTED', async () => {
    const client = new Client(grpcUrl().replace(/^http:\/\//, ''), credentials.createInsecure());
    try {
      const error = await new Promise<ServiceError | null>((resolve) =>
        client.makeUnaryRequest(
          '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
          (bytes: Buffer) => bytes,
          (bytes: Buffer) => bytes,
          Buffer.alloc(0),
          bearer(platform.apiKey),
          (failure) => resolve(failure),
        ),
      );
      expect(error?.code).toBe(GrpcCode.UNIMPLEMENTED);
    } finally {
      client.close();
    }
  });

  it.each(['none', 'gzip'] as const)(
    'stores the OpenTelemetry JS gRPC exporter spans (compression %s) once each, attributes intact',
    async (compression) => {
      const conversation = `grpc-${compression}-${randomUUID()}`;
      const sent = vi.spyOn(platform.eventsQueue, 'sendBatch');
      const before = grpcLines().length;
      const result = await exportWithGrpc(
        { key: platform.apiKey, compression },
        grpcAgentTrace(conversation),
      );
      expect(result.code, String(result.error)).toBe(ExportResultCode.SUCCESS);
      expect(sent).toHaveBeenCalled();

      const body = await readSession(conversation, 3);
      // Give a duplicate time to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const again = await readSession(conversation, 3);
      expect(again.totalEvents).toBe(3);
      const ids = again.events.map((event) => event.event_id);
      expect(new Set(ids).size).toBe(3);

      const model = body.events.find((event) => event.event_type === 'model');
      expect(model).toMatchObject({
        event_name: 'chat gpt-4o',
        model: 'gpt-4o',
        prompt_tokens: 1200,
        completion_tokens: 300,
        total_tokens: 1500,
        session_id: conversation,
        project_id: 'default',
      });
      expect(model?.metadata).toMatchObject({ attributes: { 'app.customer': 'acme' } });
      const root = body.events.find((event) => event.event_name === 'agent');
      expect(model?.parent_id).toBe(root?.event_id);
      expect(body.events.find((event) => event.event_type === 'tool')?.event_name).toBe('search');

      // One request line for the call, with what the handler reported.
      const logged = grpcLines().slice(before);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({
        level: 'info',
        status: 200,
        grpc_status: 'OK',
        project: 'default',
        accepted: 3,
      });
    },
  );

  it('inflates a message sent with grpc-encoding: gzip (framed by hand over HTTP/2)', async () => {
    const traceId = randomBytes(16);
    const request = encodeRequest([
      spanMessage('hand-gzip', traceId, { session_id: `gzip-${randomUUID()}` }),
    ]);
    const answer = await sendFramed(gzipSync(request), { compressed: true });
    expect(answer.trailers['grpc-status']).toBe('0');
    // The reply is one uncompressed message: the empty ExportTraceServiceResponse of a full success.
    expect([...answer.body]).toEqual([0, 0, 0, 0, 0]);

    // Bytes that do not inflate: grpc-js refuses them itself (INTERNAL) and nothing is stored.
    await expectNothingStored(async () => {
      const corrupt = await sendFramed(Buffer.from('not gzip at all'), { compressed: true });
      expect(corrupt.trailers['grpc-status']).toBe(String(GrpcCode.INTERNAL));
    });
    expect(grpcLines().at(-1)).toMatchObject({
      grpc_status: 'INTERNAL',
      why: 'Failed to decompress message',
    });

    const api = readApi(platform.url, platform.apiKey);
    const stored = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'event_name', operator: 'is', value: 'hand-gzip', type: 'string' }],
      });
      return body.totalEvents === 1 ? body : undefined;
    }, 30_000);
    expect(stored.events[0]?.trace_id).toBe(traceId.toString('hex'));
  });

  it('answers a wrong or missing key with UNAUTHENTICATED and the handler message, storing nothing', async () => {
    await expectNothingStored(async () => {
      const before = grpcLines().length;
      const result = await exportWithGrpc({ key: generateApiKey() }, grpcAgentTrace(`wrong-${randomUUID()}`));
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect((result.error as ServiceError).code).toBe(GrpcCode.UNAUTHENTICATED);
      expect((result.error as ServiceError).details).toBe('Unknown API key');

      const missing = await rawExport(encodeRequest([]), new Metadata());
      expect(missing.error?.code).toBe(GrpcCode.UNAUTHENTICATED);
      expect(missing.error?.details).toMatch(/Missing or malformed credentials/);

      const logged = grpcLines().slice(before);
      expect(logged).toHaveLength(2);
      expect(logged[0]).toMatchObject({
        status: 401,
        grpc_status: 'UNAUTHENTICATED',
        why: 'Unknown API key',
      });
    });
  });

  it('answers a malformed protobuf message with INVALID_ARGUMENT, storing nothing', async () => {
    await expectNothingStored(async () => {
      const garbage = Buffer.from([0x0a, 0x05, 0x01, 0xff, 0xff]);
      const answer = await rawExport(garbage, bearer(platform.apiKey));
      expect(answer.error?.code).toBe(GrpcCode.INVALID_ARGUMENT);
      expect(answer.error?.details).toMatch(/Malformed OTLP protobuf/);
      const gzipped = await rawExport(garbage, bearer(platform.apiKey), { gzip: true });
      expect(gzipped.error?.code).toBe(GrpcCode.INVALID_ARGUMENT);
    });
    expect(grpcLines().at(-1)).toMatchObject({ status: 400, grpc_status: 'INVALID_ARGUMENT' });
  });

  it('answers an oversized message with RESOURCE_EXHAUSTED (not retryable: no RetryInfo), storing nothing', async () => {
    await expectNothingStored(async () => {
      // Over the ingest function's 4 MiB body limit: the handler's 413.
      const overBodyLimit = await rawExport(Buffer.alloc(5 * 1024 * 1024, 1), bearer(platform.apiKey));
      expect(overBodyLimit.error?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      expect(overBodyLimit.error?.details).toMatch(/exceeds the limit of 4194304/);
      expect(overBodyLimit.error?.metadata.get('grpc-status-details-bin')).toEqual([]);

      // Over the 10 MiB message limit: grpc-js refuses it before the handler.
      const before = grpcLines().length;
      const overMessageLimit = await rawExport(Buffer.alloc(11 * 1024 * 1024, 1), bearer(platform.apiKey));
      expect(overMessageLimit.error?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
      // The same through gzip: 11 MiB of zeros inflate past the limit.
      const bomb = await rawExport(Buffer.alloc(11 * 1024 * 1024), bearer(platform.apiKey), { gzip: true });
      expect(bomb.error?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);

      const logged = grpcLines().slice(before);
      expect(logged).toHaveLength(2);
      for (const line of logged) {
        expect(line).toMatchObject({ level: 'info', grpc_status: 'RESOURCE_EXHAUSTED' });
        expect(line.status).toBeUndefined();
        expect(line.why).toMatch(/larger than/);
      }
    });
    // The server keeps serving.
    const ok = await rawExport(encodeRequest([]), bearer(platform.apiKey));
    expect(ok.error).toBeUndefined();
  });

  it('returns partial_success to the client: rejected spans, and warnings to the exporter', async () => {
    const session = `partial-${randomUUID()}`;
    const request = encodeRequest([
      spanMessage('kept', randomBytes(16), { session_id: session }),
      spanMessage('zero trace id', Buffer.alloc(16), { session_id: session }),
    ]);
    const answer = await rawExport(request, bearer(platform.apiKey));
    expect(answer.error).toBeUndefined();
    expect(decodeResponse(answer.response as Buffer)).toEqual({
      partialSuccess: {
        rejectedSpans: '1',
        errorMessage: expect.stringMatching(
          /1 span\(s\) rejected: span "zero trace id": trace_id must be 16 non-zero bytes/,
        ),
      },
    });
    expect(grpcLines().at(-1)).toMatchObject({ status: 200, grpc_status: 'OK', accepted: 1, refused: 1 });
    const stored = await readSession(session, 1);
    expect(stored.events.map((event) => event.event_name)).toEqual(['kept']);

    // A value the store cannot keep is dropped with a warning the OpenTelemetry exporter reports.
    const warnings: string[] = [];
    const logger: DiagLogger = {
      error: () => {},
      warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      const result = await exportWithGrpc(
        { key: platform.apiKey },
        grpcAgentTrace(`warning-${randomUUID()}`, { 'gen_ai.usage.input_tokens': 1e19 }),
      );
      expect(result.code).toBe(ExportResultCode.SUCCESS);
    } finally {
      diag.disable();
    }
    const partial = warnings.find((warning) => warning.startsWith('Received Partial Success response:'));
    expect(partial).toMatch(/value\(s\) the store cannot keep were dropped/);
  });
});

describe('OTLP/gRPC throttling', () => {
  const LIMIT = 2;
  const WINDOW_MS = 60_000;
  let throttled: LocalPlatform;
  let throttledDir: string;

  beforeAll(async () => {
    throttledDir = await mkdtemp(join(tmpdir(), 'waggle-grpc-throttle-'));
    // 20 s into a window: a source locked out now is told to retry in 40 s.
    const now = 100 * WINDOW_MS + 20_000;
    throttled = await startLocalPlatform({
      port: 0,
      grpcPort: 0,
      dataDir: throttledDir,
      auth: { clock: () => now, failureLimit: { limit: LIMIT, windowMs: WINDOW_MS } },
    });
  });

  afterAll(async () => {
    await throttled?.close();
    await rm(throttledDir, { recursive: true, force: true });
  });

  it('answers a source over the failed-authentication limit RESOURCE_EXHAUSTED with RetryInfo (Retry-After)', async () => {
    const url = grpcUrl(throttled);
    for (let attempt = 0; attempt < LIMIT; attempt++) {
      const refused = await rawExport(encodeRequest([]), bearer(generateApiKey()), { url });
      expect(refused.error?.code).toBe(GrpcCode.UNAUTHENTICATED);
    }
    const locked = await rawExport(encodeRequest([]), bearer(throttled.apiKey), { url });
    expect(locked.error?.code).toBe(GrpcCode.RESOURCE_EXHAUSTED);
    expect(locked.error?.details).toMatch(/Too many failed authentication attempts/);
    const [details] = locked.error?.metadata.get('grpc-status-details-bin') ?? [];
    expect(decodeStatus(details as Buffer)).toEqual({
      code: GrpcCode.RESOURCE_EXHAUSTED,
      message: locked.error?.details,
      retryDelaySeconds: 40,
    });
  });
});

/** google.rpc.Status with its RetryInfo detail, read with protobufjs (an independent decoder). */
function decodeStatus(bytes: Buffer): { code: number; message: string; retryDelaySeconds?: number } {
  const root = protobuf.Root.fromJSON({
    nested: {
      Status: {
        fields: {
          code: { type: 'int32', id: 1 },
          message: { type: 'string', id: 2 },
          details: { rule: 'repeated', type: 'Any', id: 3 },
        },
      },
      Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
      RetryInfo: { fields: { retry_delay: { type: 'Duration', id: 1 } } },
      Duration: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
    },
  });
  const status = root.lookupType('Status').toObject(root.lookupType('Status').decode(bytes)) as {
    code: number;
    message: string;
    details?: { type_url: string; value: Uint8Array }[];
  };
  const retryInfo = status.details?.find(
    (detail) => detail.type_url === 'type.googleapis.com/google.rpc.RetryInfo',
  );
  const retryDelaySeconds = retryInfo
    ? Number(
        (
          root.lookupType('RetryInfo').toObject(root.lookupType('RetryInfo').decode(retryInfo.value), {
            longs: Number,
          }) as { retry_delay: { seconds: number } }
        ).retry_delay.seconds,
      )
    : undefined;
  return { code: status.code, message: status.message, retryDelaySeconds };
}
