import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../lambdas/domain/auth/api-key';
import type { EventRecord, WaggleEvent } from '../../../lambdas/domain/events/event';
import { parseQueueEnvelope } from '../../../lambdas/domain/ingest/queue-envelope';
import {
  decodeArchiveObject,
  decodeRawRequestBody,
  type RawRequestEntry,
  rawArchiveKey,
} from '../../../lambdas/domain/ingest/raw-archive';
import { createIngestHandler, type IngestHandler } from '../../../lambdas/ingest/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';
import { genAiTrace, recordSpans } from '../../support/otel-spans';
import { expectPricedModelCall } from '../../support/priced-model-call';

const KEY = 'wgl_app-test-key';
const auth = { authorization: `Bearer ${KEY}` };
let protobufBody: Uint8Array;
let jsonBody: string;

let keys: MemoryKeyRegistry;
let archive: MemoryObjectStore;
let queue: MemoryQueue;
let handler: IngestHandler;

/** POST /v1/traces with the test key: the protobuf request (base64, as API Gateway passes it on). */
const protobufTraces = () =>
  apigwEvent({
    method: 'POST',
    path: '/v1/traces',
    headers: { ...auth, 'content-type': 'application/x-protobuf' },
    body: protobufBody,
  });

/** POST /v1/traces with the test key: an OTLP/JSON body as text. */
const jsonTraces = (body: string) =>
  apigwEvent({
    method: 'POST',
    path: '/v1/traces',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
    base64: false,
  });

function queuedRecords(): EventRecord[] {
  return queue.messages.flatMap((m) => {
    const envelope = parseQueueEnvelope(m.body);
    return 'records' in envelope ? envelope.records : [];
  });
}

function queuedRawRequests(): RawRequestEntry[] {
  return queue.messages.flatMap((m) => {
    const envelope = parseQueueEnvelope(m.body);
    return 'rawRequest' in envelope ? [envelope.rawRequest] : [];
  });
}

function queuedEvents(): WaggleEvent[] {
  return queuedRecords().flatMap((r) => (r.kind === 'event' ? [r.event] : []));
}

beforeAll(async () => {
  const spans = await recordSpans(genAiTrace);
  protobufBody = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
  jsonBody = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans) as Uint8Array);
});

beforeEach(async () => {
  keys = new MemoryKeyRegistry();
  await keys.register(
    KEY,
    { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1', projectName: 'proj' },
    ['ingest', 'read'],
  );
  archive = new MemoryObjectStore();
  queue = new MemoryQueue();
  handler = createIngestHandler({ keys, rawArchive: archive, overflowStore: archive, eventsQueue: queue });
});

describe('OTLP traces', () => {
  it('accepts protobuf (base64 from API Gateway), queues the raw request beside the normalized events', async () => {
    const response = await handler(protobufTraces());
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/x-protobuf');
    expect(response.isBase64Encoded).toBe(true);
    const events = queuedEvents();
    expect(events).toHaveLength(2);
    const llm = events.find((e) => e.event_type === 'model');
    expectPricedModelCall(llm, { model: 'gpt-4o-mini', prompt_tokens: 1200, completion_tokens: 300 });
    expect(events.every((e) => e.project_id === 'proj-1' && e.org_id === 'org-1')).toBe(true);
    // No S3 PUT: the raw request went in the same SendMessageBatch as the records, first.
    expect(archive.objects.size).toBe(0);
    expect(queue.batches).toHaveLength(1);
    expect('rawRequest' in parseQueueEnvelope(queue.batches[0]?.[0]?.body as string)).toBe(true);
    const [raw] = queuedRawRequests();
    expect(queuedRawRequests()).toHaveLength(1);
    expect(raw?.encoding).toBe('zstd');
    expect(Buffer.from(decodeRawRequestBody(raw as RawRequestEntry)).equals(Buffer.from(protobufBody))).toBe(
      true,
    );
    expect(raw?.header).toMatchObject({
      route: 'otlp-traces',
      contentType: 'application/x-protobuf',
      tenant: { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' },
      projectName: 'proj',
    });
  });

  it('writes a raw request too big for a queue message to the raw archive before answering', async () => {
    const overflow = new MemoryObjectStore();
    const big = createIngestHandler({
      keys,
      rawArchive: archive,
      overflowStore: overflow,
      eventsQueue: queue,
      limits: { maxMessageBytes: 300 },
    });
    const response = await big(protobufTraces());
    expect(response.statusCode).toBe(200);
    expect(queuedRawRequests()).toHaveLength(0);
    const [key] = [...archive.objects.keys()];
    expect(archive.objects.size).toBe(1);
    expect(key).toMatch(/^raw\/project_id=proj-1\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/\d+-.+\.gz$/);
    const archived = decodeArchiveObject(archive.objects.get(key as string) as Uint8Array);
    expect(Buffer.from(archived.body).equals(Buffer.from(protobufBody))).toBe(true);
    // At this message size the records overflow too; each is queued by its key.
    expect(queue.messages).toHaveLength(overflow.objects.size);
    expect(overflow.objects.size).toBe(2);
  });

  it('accepts gzip-encoded JSON on the /opentelemetry alias and answers in JSON', async () => {
    const sentGzip = gzipSync(jsonBody);
    const response = await handler(
      apigwEvent({
        method: 'POST',
        path: '/opentelemetry/v1/traces',
        headers: { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: sentGzip,
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(response.body as string)).toEqual({});
    expect(queuedEvents()).toHaveLength(2);
    // The raw message carries the gzip bytes exactly as sent (no second compression).
    const [raw] = queuedRawRequests();
    expect(raw?.encoding).toBe('gzip');
    expect(Buffer.from(raw?.body as string, 'base64').equals(sentGzip)).toBe(true);
    expect(Buffer.from(decodeRawRequestBody(raw as RawRequestEntry)).toString('utf8')).toBe(jsonBody);
  });

  it('gives the same event ids when a request is retried', async () => {
    const send = () => handler(jsonTraces(jsonBody));
    await send();
    await send();
    const events = queuedEvents();
    expect(events).toHaveLength(4);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(2);
    const [first, second] = [
      events[0] as WaggleEvent,
      events.find((e, i) => i >= 2 && e.event_id === events[0]?.event_id),
    ];
    expect(second?.version).toBeGreaterThan(first.version);
  });

  it('counts spans with bad ids in partial_success and queues the rest', async () => {
    const parsed = JSON.parse(jsonBody);
    parsed.resourceSpans[0].scopeSpans[0].spans[0].traceId = 'abcd';
    const response = await handler(jsonTraces(JSON.stringify(parsed)));
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body as string);
    expect(body.partialSuccess.rejectedSpans).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/trace_id must be 16/);
    expect(queuedEvents()).toHaveLength(1);
    expect(queuedRawRequests()).toHaveLength(1);
  });

  it('truncates an over-long attribute in the event and keeps the whole value in the raw archive', async () => {
    const parsed = JSON.parse(jsonBody);
    const long = 'y'.repeat(200 * 1024);
    parsed.resourceSpans[0].scopeSpans[0].spans[0].attributes.push({
      key: 'app.document',
      value: { stringValue: long },
    });
    const body = JSON.stringify(parsed);
    const response = await handler(jsonTraces(body));
    expect(response.statusCode).toBe(200);
    const [raw] = queuedRawRequests();
    const event = queuedEvents().find((e) => JSON.stringify(e.metadata).includes('app.document'));
    const stored = JSON.stringify(event?.metadata);
    expect(stored.length).toBeLessThan(100 * 1024);
    // The marker names the request (its archive name), which replay and the batch objects resolve.
    expect(stored).toContain(rawArchiveKey((raw as RawRequestEntry).header));
    expect(Buffer.from(decodeRawRequestBody(raw as RawRequestEntry)).toString('utf8')).toContain(long);
  });

  it.each([
    [
      'malformed protobuf',
      400,
      { 'content-type': 'application/x-protobuf' },
      Uint8Array.from([0x0a, 0xff, 0xff, 0xff]),
    ],
    ['malformed JSON', 400, { 'content-type': 'application/json' }, '{"resourceSpans":'],
    ['unknown content type', 415, { 'content-type': 'text/plain' }, 'hello'],
    [
      'unknown content encoding',
      415,
      { 'content-type': 'application/json', 'content-encoding': 'compress' },
      '{}',
    ],
    [
      'corrupt gzip',
      400,
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      Uint8Array.from([1, 2, 3]),
    ],
    ['oversized body', 413, { 'content-type': 'application/x-protobuf' }, new Uint8Array(5 * 1024 * 1024)],
    [
      'gzip bomb',
      413,
      { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      gzipSync(new Uint8Array(64 * 1024 * 1024)),
    ],
    ['deep JSON', 400, { 'content-type': 'application/json' }, `{"resourceSpans":${'['.repeat(10_000)}`],
  ])('answers %s with %i and changes nothing', async (_name, status, headers, body) => {
    const response = await handler(
      apigwEvent({
        method: 'POST',
        path: '/v1/traces',
        headers: { ...auth, ...headers },
        body,
        base64: typeof body !== 'string',
      }),
    );
    expect(response.statusCode).toBe(status);
    expect(queue.messages).toHaveLength(0);
    expect(archive.objects.size).toBe(0);
    const ok = await handler(protobufTraces());
    expect(ok.statusCode).toBe(200);
  });

  it('answers 401 without a key, 403 for a revoked key, with an OTLP Status body', async () => {
    const missing = await handler(
      apigwEvent({
        method: 'POST',
        path: '/v1/traces',
        headers: { 'content-type': 'application/json' },
        body: jsonBody,
        base64: false,
      }),
    );
    expect(missing.statusCode).toBe(401);
    expect(JSON.parse(missing.body as string)).toMatchObject({ code: 16 });
    const record = await keys.findByHash(hashApiKey(KEY));
    await keys.put({ ...(record as NonNullable<typeof record>), revoked: true });
    const revoked = createIngestHandler({
      keys,
      rawArchive: archive,
      overflowStore: archive,
      eventsQueue: queue,
    });
    const response = await revoked(protobufTraces());
    expect(response.statusCode).toBe(403);
    expect(response.headers?.['content-type']).toBe('application/x-protobuf');
    expect(queue.messages).toHaveLength(0);
  });

  it('answers 429 with Retry-After once a client has sent too many bad keys, and only to that client', async () => {
    const attempt = (key: string, sourceIp: string) =>
      handler(
        apigwEvent({
          method: 'POST',
          path: '/v1/traces',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf' },
          body: protobufBody,
          sourceIp,
        }),
      );
    for (let i = 0; i < 20; i++)
      expect((await attempt(`wgl_guess-${i}`, '203.0.113.9')).statusCode).toBe(401);
    const blocked = await attempt('wgl_guess-final', '203.0.113.9');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers?.['retry-after'])).toBeGreaterThan(0);
    expect((await attempt('wgl_guess-other', '198.51.100.7')).statusCode).toBe(401);
    expect((await attempt(KEY, '198.51.100.7')).statusCode).toBe(200);
  });

  it.each(['archive', 'queue'] as const)(
    'answers 503 with Retry-After when the %s write fails',
    async (failing) => {
      // Only a request too big for a message is written to the archive by ingest.
      const target = createIngestHandler({
        keys,
        rawArchive: archive,
        overflowStore: new MemoryObjectStore(),
        eventsQueue: queue,
        limits: failing === 'archive' ? { maxMessageBytes: 300 } : {},
      });
      if (failing === 'archive') archive.failPuts = true;
      else queue.failSends = true;
      const response = await target(protobufTraces());
      expect(response.statusCode).toBe(503);
      expect(response.headers?.['retry-after']).toBeDefined();
    },
  );
});

describe('HoneyHive REST intake', () => {
  it('starts a session from a JSON-encoded string and queues a session event', async () => {
    const response = await handler(
      apigwEvent({
        method: 'POST',
        path: '/session/start',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          session: JSON.stringify({ project: 'proj', session_name: 'chat', source: 'sdk-python' }),
        }),
        base64: false,
      }),
    );
    expect(response.statusCode).toBe(200);
    const { session_id } = JSON.parse(response.body as string);
    expect(typeof session_id).toBe('string');
    expect(queuedEvents()).toMatchObject([{ event_type: 'session', session_id, project_id: 'proj-1' }]);
  });

  it('queues an update for PUT /events', async () => {
    const response = await handler(
      apigwEvent({
        method: 'PUT',
        path: '/events',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ event_id: 'e-1', metadata: { reviewed: true }, feedback: { rating: 5 } }),
        base64: false,
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(queuedRecords()).toMatchObject([
      { kind: 'update', update: { event_id: 'e-1', project_id: 'proj-1' } },
    ]);
  });

  it('answers a batch whole with 200 and a partly accepted one with the spec 500, success true', async () => {
    const send = (events: unknown[]) =>
      handler(
        apigwEvent({
          method: 'POST',
          path: '/events/batch',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
          base64: false,
        }),
      );
    const tool = { project: 'proj', event_type: 'tool', inputs: { q: 1 } };
    const whole = await send([tool]);
    expect(whole.statusCode).toBe(200);
    expect(JSON.parse(whole.body as string)).not.toHaveProperty('errors');
    const partial = await send([tool, { event_type: 'tool' }]);
    expect(partial.statusCode).toBe(500);
    expect(partial.headers?.['content-type']).toBe('application/json');
    expect(JSON.parse(partial.body as string)).toMatchObject({
      success: true,
      event_ids: [expect.any(String)],
      errors: ['events[1].inputs is required (an object)'],
    });
    expect(queuedEvents()).toHaveLength(2);
  });

  it('answers 404 for unknown routes and 200 for /healthz without a key', async () => {
    expect((await handler(apigwEvent({ method: 'GET', path: '/nope', headers: auth }))).statusCode).toBe(404);
    expect((await handler(apigwEvent({ method: 'GET', path: '/healthz' }))).statusCode).toBe(200);
  });
});
