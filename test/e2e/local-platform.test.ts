/**
 * End to end through the local platform (`npm start` in-process on a random port) with the real
 * OpenTelemetry JS exporters and HoneyHive-shaped REST calls: events arrive normalized on the events
 * queue and the raw requests in the archive, and survive a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventRecord, WaggleEvent } from '../../lambdas/domain/events/event';
import { parseQueueEnvelope } from '../../lambdas/domain/ingest/queue-envelope';
import { archiveRawRequests, decodeRawBatch } from '../../lambdas/domain/ingest/raw-batch-archive';
import { startLocalPlatform } from '../../lambdas/local/platform';
import { exportSpans, otlpHttpTo } from '../support/otel-spans';
import { expectPricedModelCall } from '../support/priced-model-call';
import { readApi } from '../support/read-api-client';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;

let dataDir: string;
let platform: Platform;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-e2e-'));
  platform = await startLocalPlatform({ port: 0, dataDir, log: () => {} });
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * Takes every record currently on the events queue (and deletes the messages); raw requests are
 * archived first, with the writer's own function, as the writer would.
 */
let takenBatches = 0;
async function takeQueuedRecords(): Promise<EventRecord[]> {
  const records: EventRecord[] = [];
  for (;;) {
    const batch = await platform.eventsQueue.receive(10, 30_000);
    if (batch.length === 0) return records;
    const raw = [];
    for (const message of batch) {
      const envelope = parseQueueEnvelope(message.body);
      if ('records' in envelope) records.push(...envelope.records);
      if ('rawRequest' in envelope) {
        const { receivedAt } = envelope.rawRequest.header;
        raw.push({ messageId: message.messageId, body: message.body, receivedAt });
      }
    }
    const archived = await archiveRawRequests(raw, platform.rawArchive, `e2e-${takenBatches++}`);
    expect(archived.failedMessageIds).toEqual([]);
    for (const message of batch) await platform.eventsQueue.delete(message.receiptHandle);
  }
}

function events(records: EventRecord[]): WaggleEvent[] {
  return records.flatMap((r) => (r.kind === 'event' ? [r.event] : []));
}

const exportWith = (exporter: SpanExporter, produce: (tracer: Tracer) => void) =>
  exportSpans(exporter, produce, 'e2e-app', 'e2e');

function chatTrace(model: string, conversation: string) {
  return (tracer: Tracer) =>
    tracer.startActiveSpan('workflow', (root) => {
      // No global context manager is registered here, so the parent is passed explicitly.
      const parent = trace.setSpan(ROOT_CONTEXT, root);
      const llm = tracer.startSpan(
        `chat ${model}`,
        {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': model,
            'gen_ai.usage.input_tokens': 1000,
            'gen_ai.usage.output_tokens': 500,
            'gen_ai.conversation.id': conversation,
          },
        },
        parent,
      );
      llm.end();
      const tool = tracer.startSpan(
        'lookup',
        {
          attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' },
        },
        parent,
      );
      tool.end();
      root.end();
    });
}

describe('local platform end to end', () => {
  it('accepts spans from the OTLP protobuf exporter', async () => {
    const exporter = new OtlpProtoExporter(otlpHttpTo(platform));
    await exportWith(exporter, chatTrace('gpt-4o', 'conv-proto'));
    const queued = events(await takeQueuedRecords());
    expect(queued).toHaveLength(3);
    const llm = queued.find((e) => e.event_type === 'model');
    expectPricedModelCall(llm, { model: 'gpt-4o', prompt_tokens: 1000, completion_tokens: 500 });
    expect(queued.find((e) => e.event_type === 'tool')?.event_name).toBe('lookup');
    const root = queued.find((e) => e.event_name === 'workflow');
    expect(root?.parent_id).toBeNull();
    expect(llm?.parent_id).toBe(root?.event_id);
    expect(queued.every((e) => e.project_id === 'default')).toBe(true);
  });

  it('accepts spans from the OTLP JSON exporter on the /opentelemetry alias', async () => {
    const exporter = new OtlpHttpJsonExporter({
      url: `${platform.url}/opentelemetry/v1/traces`,
      headers: { Authorization: `Bearer ${platform.apiKey}` },
    });
    await exportWith(exporter, chatTrace('claude-3-5-sonnet-20241022', 'conv-json'));
    const queued = events(await takeQueuedRecords());
    expect(queued).toHaveLength(3);
    expect(queued.find((e) => e.event_type === 'model')?.model).toBe('claude-3-5-sonnet-20241022');
    expect(new Set(queued.map((e) => e.trace_id)).size).toBe(1);
  });

  it('accepts HoneyHive-shaped REST calls', async () => {
    const { post } = readApi(platform.url, platform.apiKey);
    const session = await post('/session/start', {
      session: { project: 'default', session_name: 'e2e', source: 'test' },
    });
    expect(session.status).toBe(200);
    const { session_id } = (await session.json()) as { session_id: string };
    const event = await post('/events', {
      event: JSON.stringify({
        event_type: 'model',
        event_name: 'llm_call',
        session_id,
        inputs: { prompt: 'hello' },
        outputs: { response: 'hi' },
        config: { model: 'gpt-4o-mini', provider: 'openai' },
        metadata: { prompt_tokens: 35, completion_tokens: 23 },
        duration: 1500,
        start_time: 1_700_000_000_000,
      }),
    });
    expect(event.status).toBe(200);
    const queued = events(await takeQueuedRecords());
    expect(queued.map((e) => e.event_type).sort()).toEqual(['model', 'session']);
    expect(queued.every((e) => e.session_id === session_id)).toBe(true);
  });

  it('refuses bad input with the documented status and keeps serving', async () => {
    const send = (headers: Record<string, string>, body: string | Uint8Array) =>
      fetch(`${platform.url}/v1/traces`, { method: 'POST', headers, body });
    const auth = { authorization: `Bearer ${platform.apiKey}` };
    expect((await send({ 'content-type': 'application/json' }, '{}')).status).toBe(401);
    expect(
      (await send({ authorization: 'Bearer wgl_wrong', 'content-type': 'application/json' }, '{}')).status,
    ).toBe(401);
    expect((await send({ ...auth, 'content-type': 'application/json' }, '{"resourceSpans":')).status).toBe(
      400,
    );
    expect(
      (await send({ ...auth, 'content-type': 'application/x-protobuf' }, new Uint8Array([0x0a, 0x05, 1])))
        .status,
    ).toBe(400);
    expect((await send({ ...auth, 'content-type': 'text/csv' }, 'a,b')).status).toBe(415);
    expect((await fetch(`${platform.url}/healthz`)).status).toBe(200);
    expect(await takeQueuedRecords()).toHaveLength(0);
  });

  it('keeps the archive and the key across a restart', async () => {
    const keys: string[] = [];
    for await (const key of platform.rawArchive.list('raw/')) keys.push(key);
    const requests = [];
    for (const key of keys)
      requests.push(...decodeRawBatch((await platform.rawArchive.get(key)) as Uint8Array));
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(requests.every((request) => request.header.tenant.project_id === 'default')).toBe(true);

    const apiKey = platform.apiKey;
    await platform.close();
    platform = await startLocalPlatform({ port: 0, dataDir, log: () => {} });
    expect(platform.apiKey).toBe(apiKey);
    const after: string[] = [];
    for await (const key of platform.rawArchive.list('raw/')) after.push(key);
    expect(after).toEqual(keys);
    const response = await fetch(`${platform.url}/session/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ session: { session_name: 'after restart' } }),
    });
    expect(response.status).toBe(200);
  });
});
