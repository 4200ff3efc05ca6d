import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventRecord, WaggleEvent } from '../../../lambdas/domain/events/event';
import {
  groupIntoBatches,
  groupRecords,
  publishRecords,
} from '../../../lambdas/domain/ingest/publish-records';
import { parseQueueEnvelope } from '../../../lambdas/domain/ingest/queue-envelope';
import { MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';

/** `random` payloads do not compress, so they exercise the size limits after compression. */
function eventRecord(id: string, payloadBytes: number, random = false): EventRecord {
  const text = random
    ? randomBytes(Math.ceil(payloadBytes / 2))
        .toString('hex')
        .slice(0, payloadBytes)
    : 'x'.repeat(payloadBytes);
  const event = {
    event_id: id,
    project_id: 'p1',
    org_id: 'o',
    workspace_id: 'w',
    inputs: { text },
  } as unknown as WaggleEvent;
  return { kind: 'event', event };
}

async function drain(queue: MemoryQueue, store: MemoryObjectStore): Promise<string[]> {
  const ids: string[] = [];
  for (const message of queue.messages) {
    const envelope = parseQueueEnvelope(message.body);
    if ('records' in envelope) {
      for (const record of envelope.records) if (record.kind === 'event') ids.push(record.event.event_id);
    } else if ('overflowKey' in envelope) {
      const object = store.objects.get(envelope.overflowKey);
      if (!object) throw new Error(`overflow object ${envelope.overflowKey} missing`);
      const record = JSON.parse(gunzipSync(object).toString('utf8')) as EventRecord;
      if (record.kind === 'event') ids.push(record.event.event_id);
    }
  }
  return ids;
}

describe('publishRecords', () => {
  it('packs many small events into few compressed messages and keeps their order', async () => {
    const queue = new MemoryQueue();
    const store = new MemoryObjectStore();
    const records = Array.from({ length: 500 }, (_, i) => eventRecord(`e${i}`, 800));
    const result = await publishRecords(records, queue, store, { requestId: 'r1' });
    expect(result.messages).toBe(1);
    const rawBytes = records.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
    expect(queue.messages[0]?.body.length).toBeLessThan(rawBytes / 5);
    expect(result.overflowed).toBe(0);
    expect(await drain(queue, store)).toEqual(
      records.map((r) => (r.kind === 'event' ? r.event.event_id : '')),
    );
  });

  it('sends an event too big for a message through the overflow store', async () => {
    const queue = new MemoryQueue();
    const store = new MemoryObjectStore();
    const records = [
      eventRecord('small', 10),
      eventRecord('huge', 2 * 1024 * 1024),
      eventRecord('small2', 10),
    ];
    const result = await publishRecords(records, queue, store, { requestId: 'r2' });
    expect(result.overflowed).toBe(1);
    expect([...store.objects.keys()][0]).toMatch(/^overflow\/project_id=p1\/r2-0\.json\.gz$/);
    expect((await drain(queue, store)).sort()).toEqual(['huge', 'small', 'small2']);
  });

  it('overflows a record that fits uncompressed but not once compressed (incompressible data)', async () => {
    const queue = new MemoryQueue();
    const store = new MemoryObjectStore();
    const records = [eventRecord('a', 10), eventRecord('noise', 400 * 1024, true), eventRecord('b', 10)];
    // Hex halves under zstd and grows a third in base64: 400 KiB of it needs a ~270 KiB message.
    const result = await publishRecords(records, queue, store, {
      requestId: 'r3',
      maxMessageBytes: 256 * 1024,
    });
    expect(result.overflowed).toBe(1);
    expect((await drain(queue, store)).sort()).toEqual(['a', 'b', 'noise']);
  });

  it('fails as a whole when the queue refuses', async () => {
    const queue = new MemoryQueue();
    queue.failSends = true;
    await expect(
      publishRecords([eventRecord('a', 1)], queue, new MemoryObjectStore(), { requestId: 'r' }),
    ).rejects.toThrow(/simulated queue outage/);
  });

  it('never exceeds the SQS limits and never loses a record (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400_000 }), fc.boolean()), {
          minLength: 0,
          maxLength: 30,
        }),
        fc.integer({ min: 4 * 1024, max: 1024 * 1024 }),
        fc.integer({ min: 1024, max: 2 * 1024 * 1024 }),
        async (sizes, maxMessageBytes, maxRecordBytes) => {
          const queue = new MemoryQueue();
          const store = new MemoryObjectStore();
          const records = sizes.map(([size, random], i) => eventRecord(`e${i}`, size, random));
          await publishRecords(records, queue, store, { requestId: 'prop', maxMessageBytes, maxRecordBytes });
          for (const message of queue.messages)
            expect(Buffer.byteLength(message.body)).toBeLessThanOrEqual(maxMessageBytes);
          expect((await drain(queue, store)).sort()).toEqual(records.map((_, i) => `e${i}`).sort());
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('groupRecords and groupIntoBatches', () => {
  it('returns nothing for no records', () => {
    expect(groupRecords([], 1024)).toEqual({ groups: [], oversized: [] });
    expect(groupIntoBatches([])).toEqual([]);
  });

  it('groups at most 10 messages and 1 MiB per batch', () => {
    const messages = Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, body: 'y'.repeat(300 * 1024) }));
    const batches = groupIntoBatches(messages);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10);
      expect(batch.reduce((sum, m) => sum + m.body.length, 0)).toBeLessThanOrEqual(1024 * 1024);
    }
    expect(batches.flat()).toHaveLength(25);
    const small = groupIntoBatches(Array.from({ length: 25 }, (_, i) => ({ id: `m${i}`, body: 'z' })));
    expect(small.map((b) => b.length)).toEqual([10, 10, 5]);
  });
});
