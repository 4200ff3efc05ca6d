/**
 * The read path end to end on the local platform: spans from the OpenTelemetry JS exporters and
 * HoneyHive-shaped REST events come back through the read API (export, session tree, single event)
 * with the right types, models, tokens, cost, parents, children and rollups, and survive a restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPlatform } from '../../lambdas/local/platform';
import { agentTrace, exportSpans, otlpHttpTo } from '../support/otel-spans';
import { expectPricedModelCall } from '../support/priced-model-call';
import { eventually, readApi } from '../support/read-api-client';

type Platform = Awaited<ReturnType<typeof startLocalPlatform>>;

const FAST_WRITER = { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 };
let dataDir: string;
let platform: Platform;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'waggle-read-'));
  platform = await startLocalPlatform({ port: 0, dataDir, writer: FAST_WRITER });
});

afterAll(async () => {
  await platform?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const exportWith = (exporter: SpanExporter, produce: (tracer: Tracer) => void) =>
  exportSpans(exporter, produce, 'read-path-app', 'read-path');

/** The agent trace these tests read back: 2000 tokens in, 1000 out. */
function readPathTrace(model: string, conversation: string) {
  return agentTrace({ model, conversation, inputTokens: 2000, outputTokens: 1000 });
}

describe('read path on the local platform', () => {
  it('returns OTLP protobuf spans through export and the session tree with rollups', async () => {
    const api = readApi(platform.url, platform.apiKey);
    await exportWith(new OtlpProtoExporter(otlpHttpTo(platform)), readPathTrace('gpt-4o', 'conv-proto'));
    const exported = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'session_id', operator: 'is', value: 'conv-proto', type: 'string' }],
      });
      return body.totalEvents === 3 ? body : undefined;
    });
    const model = exported.events.find((e) => e.event_type === 'model');
    expectPricedModelCall(model, { model: 'gpt-4o', prompt_tokens: 2000, completion_tokens: 1000 });
    const root = exported.events.find((e) => e.event_name === 'agent');
    expect(model?.parent_id).toBe(root?.event_id);
    expect([...((root?.children_ids as string[]) ?? [])].sort()).toEqual(
      exported.events
        .filter((e) => e.event_name !== 'agent')
        .map((e) => e.event_id)
        .sort(),
    );

    const session = await api.session('conv-proto');
    expect(session.status).toBe(200);
    expect(session.body.metadata).toMatchObject({
      num_events: 3,
      num_model_events: 1,
      prompt_tokens: 2000,
      completion_tokens: 1000,
      total_tokens: 3000,
    });
    expect(session.body.metadata.cost).toBeCloseTo(model?.cost as number, 10);
    const tree = JSON.stringify(session.body);
    expect(tree).toContain('"event_name":"search"');
  });

  it('returns OTLP JSON spans and HoneyHive REST events, filtered by model and type', async () => {
    const api = readApi(platform.url, platform.apiKey);
    await exportWith(
      new OtlpHttpJsonExporter(otlpHttpTo(platform)),
      readPathTrace('claude-3-5-sonnet-20241022', 'conv-json'),
    );
    const started = await api.post('/session/start', {
      session: { session_name: 'rest-session', user_properties: { plan: 'pro' } },
    });
    const { session_id } = (await started.json()) as { session_id: string };
    const batch = await api.post('/events/batch', {
      events: [
        {
          event_type: 'model',
          event_name: 'completion',
          session_id,
          inputs: { prompt: 'hi' },
          outputs: { text: 'hello' },
          config: { model: 'gpt-4o-mini', provider: 'openai' },
          metadata: { prompt_tokens: 10, completion_tokens: 5 },
          feedback: { rating: 5 },
          start_time: 1_763_700_000_000,
          duration: 120,
        },
        {
          event_type: 'tool',
          event_name: 'lookup',
          session_id,
          inputs: { q: 'x' },
          start_time: 1_763_700_000_200,
        },
      ],
    });
    expect(batch.status).toBe(200);

    const claude = await eventually(async () => {
      const body = await api.export({
        filters: [{ field: 'model', operator: 'contains', value: 'claude', type: 'string' }],
      });
      return body.totalEvents === 1 ? body.events[0] : undefined;
    });
    expect(claude).toMatchObject({ event_type: 'model', total_tokens: 3000 });

    const session = await eventually(async () => {
      const response = await api.session(session_id);
      return response.status === 200 && response.body.metadata?.num_events === 2 ? response.body : undefined;
    });
    expect(session.metadata).toMatchObject({ num_model_events: 1, has_feedback: true, total_tokens: 15 });
    expect(session.event_type).toBe('session');
    const toolEvent = (session.children as { event_name: string; user_properties: unknown }[]).find(
      (child) => child.event_name === 'lookup',
    );
    expect(toolEvent?.user_properties).toEqual({ plan: 'pro' });
  });

  it('answers 400, not 500, for ids with malformed percent-encoding', async () => {
    const api = readApi(platform.url, platform.apiKey);
    for (const [method, path] of [
      ['GET', '/v1/sessions/%ff'],
      ['GET', '/v1/events/%E0%A4%A'],
      ['DELETE', '/v1/events/%ff'],
      ['DELETE', '/v1/sessions/%E0%A4%A'],
    ] as const) {
      const response = await api.request(method, path);
      expect([method, path, response.status]).toEqual([method, path, 400]);
      expect(((await response.json()) as { message: string }).message).toMatch(
        /is not valid percent-encoding/,
      );
    }
  });

  it('hides deleted events, and keeps everything across a restart', async () => {
    const api = readApi(platform.url, platform.apiKey);
    const before = await api.export({ filters: [] });
    const victim = before.events.find((e) => e.event_name === 'search');
    expect(victim).toBeDefined();
    const deleted = await api.request('DELETE', `/v1/events/${victim?.event_id}`);
    expect(deleted.status).toBe(200);
    await eventually(async () => {
      const body = await api.export({ filters: [] });
      return body.totalEvents === before.totalEvents - 1 ? body : undefined;
    });

    await platform.close();
    platform = await startLocalPlatform({ port: 0, dataDir, writer: FAST_WRITER });
    const after = await readApi(platform.url, platform.apiKey).export({ filters: [] });
    expect(after.totalEvents).toBe(before.totalEvents - 1);
    expect(after.events.map((e) => e.event_id)).not.toContain(victim?.event_id);
  });
});
