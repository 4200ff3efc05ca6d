import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { beforeEach, describe, expect, it } from 'vitest';
import type { WaggleEvent } from '../../../lambdas/domain/events/event';
import { parseQueueEnvelope } from '../../../lambdas/domain/ingest/queue-envelope';
import {
  decodeRawRequestBody,
  encodeArchiveObject,
  rawArchiveKey,
} from '../../../lambdas/domain/ingest/raw-archive';
import { archiveRawRequests } from '../../../lambdas/domain/ingest/raw-batch-archive';
import { replayArchive } from '../../../lambdas/domain/ingest/replay';
import { createIngestHandler, type IngestHandler } from '../../../lambdas/ingest/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';
import { genAiTrace, recordSpans } from '../../support/otel-spans';

const KEY = 'wgl_replay-test';
const NOW = Date.UTC(2026, 10, 21, 10, 30);
let archive: MemoryObjectStore;
let liveQueue: MemoryQueue;
let handler: IngestHandler;

/** Replays project p-1's archive of the instant NOW into `queue`, with other options where given. */
function replay(queue: MemoryQueue, options: Partial<Parameters<typeof replayArchive>[0]> = {}) {
  return replayArchive({
    archive,
    overflowStore: archive,
    eventsQueue: queue,
    projectId: 'p-1',
    from: NOW,
    to: NOW,
    ...options,
  });
}

function eventsOn(queue: MemoryQueue): WaggleEvent[] {
  return queue.messages.flatMap((m) => {
    const envelope = parseQueueEnvelope(m.body);
    return 'records' in envelope
      ? envelope.records.flatMap((r) => (r.kind === 'event' ? [r.event] : []))
      : [];
  });
}

beforeEach(async () => {
  const keys = new MemoryKeyRegistry();
  await keys.register(KEY, { org_id: 'o', workspace_id: 'w', project_id: 'p-1', projectName: 'p' }, [
    'ingest',
  ]);
  archive = new MemoryObjectStore();
  liveQueue = new MemoryQueue();
  handler = createIngestHandler({
    keys,
    rawArchive: archive,
    overflowStore: archive,
    eventsQueue: liveQueue,
    clock: () => NOW,
  });
  const spans = await recordSpans(genAiTrace);
  const otlp = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans) as Uint8Array);
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  await handler(apigwEvent({ method: 'POST', path: '/v1/traces', headers, body: otlp, base64: false }));
  await handler(
    apigwEvent({
      method: 'POST',
      path: '/events/batch',
      headers,
      body: JSON.stringify({ events: [{ event_type: 'tool', event_name: 'no id given', inputs: { q: 1 } }] }),
      base64: false,
    }),
  );
  // What the writer does with the raw-request messages: here each in a batch of its own.
  for (const [index, message] of rawMessages(liveQueue).entries()) {
    await archiveRawRequests([message], archive, `batch-${index}`);
  }
});

/** Stores a queued raw request as archives did before batch objects: one object per request. */
function storeAsOwnObject(store: MemoryObjectStore, body: string): void {
  const entry = parseQueueEnvelope(body);
  if (!('rawRequest' in entry)) throw new Error('not a raw request');
  const { header } = entry.rawRequest;
  store.objects.set(
    rawArchiveKey(header),
    encodeArchiveObject(header, decodeRawRequestBody(entry.rawRequest), false),
  );
}

/** The ids of the events on `queue`, sorted. */
function eventIdsOn(queue: MemoryQueue): string[] {
  return eventsOn(queue)
    .map((e) => e.event_id)
    .sort();
}

function rawMessages(queue: MemoryQueue) {
  return queue.messages.flatMap((m, index) => {
    const envelope = parseQueueEnvelope(m.body);
    return 'rawRequest' in envelope
      ? [{ messageId: `m${index}`, body: m.body, receivedAt: envelope.rawRequest.header.receivedAt }]
      : [];
  });
}

describe('replayArchive', () => {
  it('re-ingests archived requests with the same event ids and newer versions', async () => {
    const replayQueue = new MemoryQueue();
    const summary = await replay(replayQueue, {
      from: NOW - 60_000,
      to: NOW + 60_000,
      clock: () => NOW + 3_600_000,
    });
    expect(summary).toEqual({ requests: 2, records: 3, failures: [] });
    const live = eventsOn(liveQueue);
    const replayed = eventsOn(replayQueue);
    expect(eventIdsOn(replayQueue)).toEqual(eventIdsOn(liveQueue));
    for (const event of replayed) {
      const original = live.find((e) => e.event_id === event.event_id) as WaggleEvent;
      expect(event.version).toBeGreaterThan(original.version);
      expect({ ...event, version: 0 }).toEqual({ ...original, version: 0 });
    }
  });

  it('honours the project and the time range, and a dry run queues nothing', async () => {
    const queue = new MemoryQueue();
    const outside = await replay(queue, { from: NOW + 1, to: NOW + 7_200_000 });
    expect(outside.requests).toBe(0);
    const other = await replay(queue, { projectId: 'p-2', from: 0, to: NOW * 2 });
    expect(other.requests).toBe(0);
    const dry = await replay(queue, { dryRun: true });
    expect(dry.records).toBe(3);
    expect(queue.messages).toHaveLength(0);
    await expect(replay(queue, { from: 2, to: 1 })).rejects.toThrow(/empty/);
  });

  it('reads each request once: kept twice by redelivery, or both in a batch object and its own object', async () => {
    // A redelivered message archived again by a later writer batch.
    await archiveRawRequests(rawMessages(liveQueue), archive, 'batch-redelivered');
    // One request also in the one-object-per-request form (as archived before the batch objects).
    const [first] = rawMessages(liveQueue);
    storeAsOwnObject(archive, first?.body as string);
    const queue = new MemoryQueue();
    const summary = await replay(queue);
    expect(summary).toEqual({ requests: 2, records: 3, failures: [] });
    expect(eventIdsOn(queue)).toEqual(eventIdsOn(liveQueue));
  });

  it('still replays archives written one object per request, before the batch objects', async () => {
    const old = new MemoryObjectStore();
    for (const message of rawMessages(liveQueue)) storeAsOwnObject(old, message.body);
    const queue = new MemoryQueue();
    const summary = await replay(queue, { archive: old, overflowStore: old });
    expect(summary).toEqual({ requests: 2, records: 3, failures: [] });
    expect(eventIdsOn(queue)).toEqual(eventIdsOn(liveQueue));
  });

  it('reports an unreadable archive object and goes on with the rest', async () => {
    const [first] = [...archive.objects.keys()];
    archive.objects.set(first as string, Uint8Array.from([1, 2, 3]));
    const summary = await replay(new MemoryQueue());
    expect(summary.requests).toBe(1);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]?.key).toBe(first);
  });
});
