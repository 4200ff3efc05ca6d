/**
 * Acknowledged means kept: numbers the store cannot hold (token counts of 2^63 and beyond, 1e300,
 * totals that overflow), sent among valid events over REST and OTLP, never take a valid event with
 * them. REST refuses the item that carries one (400, or the batch's per-item error); OTLP keeps the
 * span with the value dropped and says so in partial_success. Every valid acknowledged event is
 * readable exactly once, and nothing ends in the dead-letter archive.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eventually, readApi } from '../support/read-api-client';
import { platformForFile } from '../support/temp-platform';

const FAST_WRITER = { maximumBatchingWindowMs: 100, visibilityTimeoutMs: 1_000, batchSize: 50 };

/** The poison values the attack run found, each as the metadata of a REST event. */
const REST_POISON: Record<string, unknown>[] = [
  { prompt_tokens: 2 ** 64 },
  { prompt_tokens: 2 ** 63 - 1 },
  { prompt_tokens: 5e18, completion_tokens: 5e18 },
  { total_tokens: 1e300 },
  { prompt_tokens: 5e15, completion_tokens: 5e15 },
];

/** OTLP/JSON attribute values that poisoned the writer before (as `key: value` of AnyValue). */
const OTLP_POISON: Array<Array<{ key: string; value: Record<string, unknown> }>> = [
  [{ key: 'gen_ai.usage.input_tokens', value: { intValue: '9223372036854775807' } }],
  [{ key: 'gen_ai.usage.input_tokens', value: { doubleValue: 1e19 } }],
  [
    { key: 'gen_ai.usage.input_tokens', value: { intValue: '5000000000000000000' } },
    { key: 'gen_ai.usage.output_tokens', value: { intValue: '5000000000000000000' } },
  ],
  [{ key: 'llm.usage.total_tokens', value: { doubleValue: 1e300 } }],
  [{ key: 'honeyhive_metadata.prompt_tokens', value: { doubleValue: 1e30 } }],
  [{ key: 'llm.token_count.prompt', value: { doubleValue: 2 ** 70 } }],
];

const local = platformForFile('waggle-poison-', { writer: FAST_WRITER });

function toolEvent(name: string): Record<string, unknown> {
  return { event_id: randomUUID(), event_type: 'tool', event_name: name, inputs: { name } };
}

function modelEvent(metadata: Record<string, unknown>): Record<string, unknown> {
  return {
    event_id: randomUUID(),
    event_type: 'model',
    event_name: 'poisoned',
    config: { model: 'gpt-4o-mini', provider: 'openai' },
    inputs: {},
    metadata,
  };
}

function otlpSpan(name: string, attributes: Array<{ key: string; value: Record<string, unknown> }>) {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name,
    kind: 1,
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(start + 5_000_000n),
    attributes,
  };
}

describe('values the store cannot hold, among valid events', () => {
  it('leave every valid acknowledged event readable, over REST and OTLP', async () => {
    const api = readApi(local.platform.url, local.platform.apiKey);
    const acknowledged: string[] = [];

    // REST, one event per request: the poison item is refused with a 400 naming the value.
    for (const metadata of REST_POISON) {
      const valid = toolEvent('rest-single');
      const ok = await api.post('/events', { event: valid });
      expect(ok.status).toBe(200);
      acknowledged.push(valid.event_id as string);
      const refused = await api.post('/events', { event: modelEvent(metadata) });
      expect(refused.status).toBe(400);
      expect(await refused.text()).toMatch(/cannot be stored: \w+_tokens .* beyond the largest whole number/);
    }
    const model = await api.post('/events/model', {
      model: 'gpt-4o-mini',
      provider: 'openai',
      usage: { prompt_tokens: 1e19 },
    });
    expect(model.status).toBe(400);

    // REST batch: valid items and poison interleaved; the poison items are the batch's per-item errors.
    const batch = REST_POISON.flatMap((metadata) => [toolEvent('rest-batch'), modelEvent(metadata)]);
    const batchResponse = await api.post('/events/batch', { events: batch });
    const batchBody = (await batchResponse.json()) as { event_ids: string[]; errors?: string[] };
    expect(batchBody.errors).toHaveLength(REST_POISON.length);
    const batchValid = batch.filter((item) => item.event_type === 'tool').map((item) => item.event_id);
    expect(batchBody.event_ids).toEqual(batchValid);
    acknowledged.push(...(batchValid as string[]));

    // OTLP/JSON: valid tool spans and poisoned model spans in one request; the poison values are
    // dropped (the spans are kept) and reported as a partial_success warning.
    const spans = OTLP_POISON.flatMap((attributes) => [
      otlpSpan('tool call', [{ key: 'honeyhive_event_type', value: { stringValue: 'tool' } }]),
      otlpSpan('poisoned model call', [
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
        ...attributes,
      ]),
    ]);
    const otlp = await fetch(`${local.platform.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${local.platform.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] }),
    });
    expect(otlp.status).toBe(200);
    const otlpBody = (await otlp.json()) as {
      partialSuccess?: { rejectedSpans?: string; errorMessage?: string };
    };
    expect(otlpBody.partialSuccess?.rejectedSpans).toBeUndefined();
    expect(otlpBody.partialSuccess?.errorMessage).toMatch(/value\(s\) the store cannot keep were dropped/);
    const otlpToolSpans = spans.filter((span) => span.name === 'tool call').length;

    // Every acknowledged tool event is readable exactly once.
    const body = await eventually(async () => {
      const result = await api.export({
        filters: [{ field: 'event_type', operator: 'is', value: 'tool', type: 'string' }],
      });
      return result.totalEvents >= acknowledged.length + otlpToolSpans ? result : undefined;
    }, 30_000);
    const ids = body.events.map((event) => event.event_id);
    expect(ids.length).toBe(new Set(ids).size);
    expect(body.totalEvents).toBe(acknowledged.length + otlpToolSpans);
    for (const id of acknowledged) expect(ids).toContain(id);

    // The poisoned OTLP spans are kept too, their unstorable values empty and named in the notes.
    const models = await eventually(async () => {
      const result = await api.export({
        filters: [{ field: 'event_name', operator: 'is', value: 'poisoned model call', type: 'string' }],
      });
      return result.totalEvents === OTLP_POISON.length ? result : undefined;
    }, 30_000);
    for (const event of models.events) {
      const metadata = event.metadata as { normalization_notes?: string[] };
      expect(metadata.normalization_notes?.join(' ')).toMatch(
        /(prompt|completion|total)_tokens \S+ is beyond the largest whole number the store keeps exactly \(9007199254740991\); left empty/,
      );
    }

    // Nothing was dead-lettered: no acknowledged record was poison for the writer.
    const deadLetters: string[] = [];
    for await (const key of local.platform.eventStore.list('dead-letters/')) deadLetters.push(key);
    expect(deadLetters).toEqual([]);
  });
});
