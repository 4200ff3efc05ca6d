/**
 * Bounded work per request, through the whole ingest handler at the real default limits: a request
 * at each limit is accepted and queued, one item over it is a 413 naming the limit, with nothing
 * archived or queued.
 */
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_BATCH_EVENTS, MAX_JSON_VALUES } from '../../../lambdas/domain/honeyhive';
import { parseQueueEnvelope } from '../../../lambdas/domain/ingest/queue-envelope';
import type { IngestHandler } from '../../../lambdas/ingest/app';
import { apigwEvent } from '../../support/apigw-event';
import { memoryIngest } from '../../support/memory-ingest';
import type { MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';
import { OTLP_LIMIT_CASES, OTLP_LIMIT_FORMATS } from '../../support/otlp-limit-cases';

const KEY = 'wgl_limits-test-key';

let archive: MemoryObjectStore;
let queue: MemoryQueue;
let handler: IngestHandler;

beforeEach(async () => {
  ({ handler, archive, queue } = await memoryIngest(KEY));
});

function queuedRecordCount(): number {
  return queue.messages.reduce((sum, message) => {
    const envelope = parseQueueEnvelope(message.body);
    if ('rawRequest' in envelope) return sum;
    return sum + ('records' in envelope ? envelope.records.length : 1);
  }, 0);
}

/** Raw requests kept: on the queue as a raw-request message, or (too big for one) under raw/. */
function rawRequestsKept(): number {
  const queued = queue.messages.filter((message) => 'rawRequest' in parseQueueEnvelope(message.body));
  const objects = [...archive.objects.keys()].filter((key) => key.startsWith('raw/'));
  return queued.length + objects.length;
}

/** Sends a body gzip-encoded, as exporters do (several of these are over 4 MiB uncompressed). */
function send(method: string, path: string, contentType: string, body: Uint8Array | string) {
  return handler(
    apigwEvent({
      method,
      path,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': contentType, 'content-encoding': 'gzip' },
      body: gzipSync(body, { level: 1 }),
    }),
  );
}

/** The message of an error answer: OTLP Status in protobuf or JSON, or the REST JSON error. */
function errorMessage(response: APIGatewayProxyStructuredResultV2): string {
  const body = response.body ?? '';
  if (response.isBase64Encoded) return Buffer.from(body, 'base64').toString('utf8');
  const parsed = JSON.parse(body) as { message?: string; error?: string };
  return parsed.message ?? parsed.error ?? '';
}

function expectRefusedAndNothingStored(response: APIGatewayProxyStructuredResultV2, limit: string): void {
  expect(response.statusCode).toBe(413);
  expect(errorMessage(response)).toContain(limit);
  expect(queue.messages).toHaveLength(0);
  expect(archive.objects.size).toBe(0);
}

const CONTENT_TYPES = { protobuf: 'application/x-protobuf', json: 'application/json' } as const;

describe.each(['protobuf', 'json'] as const)('OTLP %s through the handler', (name) => {
  const format = OTLP_LIMIT_FORMATS[name];
  it.each(OTLP_LIMIT_CASES.map((c) => [c.limit, c] as const))(
    '%s: a request at it is accepted and queued; one over is a 413 naming it, nothing stored',
    async (limit, c) => {
      const over = await send('POST', '/v1/traces', CONTENT_TYPES[name], format.over(c));
      expectRefusedAndNothingStored(over, limit);

      const accepted = await send('POST', '/v1/traces', CONTENT_TYPES[name], format.at(c));
      expect(accepted.statusCode).toBe(200);
      expect(queuedRecordCount()).toBe(c.atLimit.spans);
      // The raw request is kept once (big records may add overflow/ objects beside it).
      expect(rawRequestsKept()).toBe(1);
    },
  );
});

describe('HoneyHive REST through the handler', () => {
  const toolEvent = (index: number) => ({
    event_type: 'tool',
    event_name: `step-${index}`,
    inputs: { q: index },
  });
  const modelEvent = (index: number) => ({ model: 'gpt-4o-mini', event_name: `call-${index}`, messages: [] });

  it.each([
    ['/events/batch', 'events', toolEvent],
    ['/events/model/batch', 'model_events', modelEvent],
  ] as const)(
    `POST %s takes ${MAX_BATCH_EVENTS} events; one more is a 413 naming MAX_BATCH_EVENTS, nothing stored`,
    async (path, itemsKey, item) => {
      const batch = (count: number) =>
        JSON.stringify({ [itemsKey]: Array.from({ length: count }, (_, i) => item(i)) });
      expectRefusedAndNothingStored(
        await send('POST', path, 'application/json', batch(MAX_BATCH_EVENTS + 1)),
        'MAX_BATCH_EVENTS',
      );

      const accepted = await send('POST', path, 'application/json', batch(MAX_BATCH_EVENTS));
      expect(accepted.statusCode).toBe(200);
      expect(queuedRecordCount()).toBe(MAX_BATCH_EVENTS);
    },
  );

  // `{"event":{"event_type":"tool","inputs":{"list":[0,...]}}}` counts 5 (three objects, one comma, the
  // array) plus a comma per further item.
  const eventWithList = (items: number) =>
    JSON.stringify({ event: { event_type: 'tool', inputs: { list: Array(items).fill(0) } } });

  it(`POST /events takes a body of ${MAX_JSON_VALUES} JSON values; one more is a 413, nothing stored`, async () => {
    const atLimit = eventWithList(MAX_JSON_VALUES - 4);
    expect(countedJsonValues(atLimit)).toBe(MAX_JSON_VALUES);
    expectRefusedAndNothingStored(
      await send('POST', '/events', 'application/json', eventWithList(MAX_JSON_VALUES - 3)),
      'MAX_JSON_VALUES',
    );

    const accepted = await send('POST', '/events', 'application/json', atLimit);
    expect(accepted.statusCode).toBe(200);
    expect(queuedRecordCount()).toBe(1);
  });

  it('counts the values inside a JSON-encoded event string as well', async () => {
    const encoded = JSON.stringify({
      event: JSON.stringify({ event_type: 'tool', inputs: { list: Array(MAX_JSON_VALUES).fill(0) } }),
    });
    expectRefusedAndNothingStored(
      await send('POST', '/events', 'application/json', encoded),
      'MAX_JSON_VALUES',
    );
  });
});

/** Independent count of the characters the JSON scan counts (the test bodies have no strings holding them). */
function countedJsonValues(text: string): number {
  let count = 0;
  for (const char of text) if (char === '{' || char === '[' || char === ',') count++;
  return count;
}
