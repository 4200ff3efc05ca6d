/**
 * GET /v1/events/schema end to end on the local platform: the writer describes the fields of what
 * it stores (REST and OTLP events), the read rolls them up per event type and name, and a hostile
 * key (`__proto__`, a 200-character key, quotes, a dot) is never suggested and never breaks the
 * write of its event.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveField } from '../../lambdas/domain/query/fields';
import { agentTrace, exportSpans, otlpHttpTo } from '../support/otel-spans';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

interface Field {
  event_type: string;
  event_name: string;
  field: string;
  field_type: string;
  occurrences: number;
  last_seen: number;
}

const local = platformForFile('waggle-event-schema-', {
  writer: { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 2_000 },
});
let api: ReturnType<typeof readApi>;

async function schema(query = ''): Promise<Field[]> {
  const response = await api.request('GET', `/v1/events/schema${query}`);
  if (response.status !== 200)
    throw new Error(`schema answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { fields: Field[] }).fields;
}

beforeAll(async () => {
  api = readApi(local.platform.url, local.platform.apiKey);
}, 60_000);

describe('GET /v1/events/schema on the local platform', () => {
  it('lists the fields sent, per event type and name, and never a hostile key', async () => {
    const started = await api.post('/session/start', {
      session: { session_name: 'checkout', metadata: { customer: 'acme' } },
    });
    const { session_id } = (await started.json()) as { session_id: string };
    // Written as text, so that `__proto__` is an own key of the metadata as a JSON parser sees it.
    const hostile = `{"events": [{"event_type": "tool", "event_name": "lookup", "session_id": "${session_id}", "inputs": {"q": "x"}, "metadata": {"customer": "acme", "__proto__": {"polluted": true}, "${'k'.repeat(200)}": 1, "it's": 2, "a\\"b": 3, "a.b": 4, "tier": {"level": {"name": {"deep": 1}}}}}]}`;
    const response = await fetch(`${local.platform.url}/events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.platform.apiKey}`, 'content-type': 'application/json' },
      body: hostile,
    });
    expect(response.status, await response.clone().text()).toBe(200);

    await exportSpans(
      new OTLPTraceExporter(otlpHttpTo(local.platform)),
      agentTrace({ model: 'gpt-4o', conversation: 'conv-schema', inputTokens: 20, outputTokens: 10 }),
      'schema-app',
      'schema',
    );

    const fields = await eventually(async () => {
      const all = await schema();
      const seen = new Set(all.map((field) => `${field.event_type}/${field.field}`));
      return seen.has('tool/metadata.customer') &&
        seen.has('session/metadata.customer') &&
        seen.has('model/model')
        ? all
        : undefined;
    }, 20_000);

    // The event with hostile keys was stored whole.
    const exported = await api.export({
      filters: [{ field: 'event_name', operator: 'is', value: 'lookup', type: 'string' }],
    });
    expect(exported.totalEvents).toBe(1);

    expect(fields).toContainEqual({
      event_type: 'tool',
      event_name: 'lookup',
      field: 'metadata.customer',
      field_type: 'string',
      occurrences: 1,
      last_seen: expect.any(Number),
    });
    expect(fields).toContainEqual(
      expect.objectContaining({
        event_type: 'tool',
        field: 'metadata.tier.level.name',
        field_type: 'object',
      }),
    );
    expect(fields.some((field) => field.field === 'metadata.tier.level.name.deep')).toBe(false);
    expect(fields).toContainEqual(expect.objectContaining({ event_type: 'model', field: 'total_tokens' }));
    for (const field of fields) {
      expect(() => resolveField(field.field), field.field).not.toThrow();
      expect(field.field).not.toMatch(/__proto__|polluted|'|"|k{65}|metadata\.a\.b/);
    }
  });

  it('narrows to one event type and name, and answers 400 for a bad parameter', async () => {
    const tools = await schema('?event_type=tool&event_name=lookup');
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((field) => field.event_type === 'tool' && field.event_name === 'lookup')).toBe(true);
    expect(await schema(`?event_name=${encodeURIComponent("it's ? nothing")}`)).toEqual([]);
    for (const query of ['?event_type=span', '?limit=3', `?event_name=${'x'.repeat(300)}`]) {
      const response = await api.request('GET', `/v1/events/schema${query}`);
      expect(response.status, query).toBe(400);
    }
  });
});
