/**
 * The writer's raw archive: the raw-request messages of a batch become one object per receive hour,
 * each line the message as queued; a failed PUT fails only the messages of that object.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { rawRequestMessageBody } from '../../../lambdas/domain/ingest/queue-envelope';
import { type ArchiveHeader, decodeRawRequestBody } from '../../../lambdas/domain/ingest/raw-archive';
import {
  archiveRawRequests,
  decodeRawBatch,
  encodeRawBatch,
  rawBatchKey,
} from '../../../lambdas/domain/ingest/raw-batch-archive';
import { MemoryObjectStore } from '../../support/memory-ports';

const HOUR = Date.UTC(2026, 10, 21, 23);

function header(requestId: string, receivedAt: number): ArchiveHeader {
  return {
    v: 1,
    requestId,
    receivedAt,
    route: 'events-batch',
    contentType: 'application/json',
    tenant: { org_id: 'o', workspace_id: 'w', project_id: 'p' },
    projectName: 'p',
  };
}

function queued(messageId: string, receivedAt: number, body = `{"events":["${messageId}"]}`) {
  return {
    messageId,
    body: rawRequestMessageBody(header(messageId, receivedAt), Buffer.from(body), false),
    receivedAt,
  };
}

describe('raw batch archive', () => {
  it('names objects by the receive hour and the batch id', () => {
    expect(rawBatchKey(HOUR + 59 * 60_000, 'b-1')).toBe('raw/batches/dt=2026-11-21/hour=23/b-1.jsonl.zst');
  });

  it('round-trips message bodies; request bodies come back byte for byte, gzip ones as sent', () => {
    const sent = gzipSync('{"a":1}');
    const lines = [
      rawRequestMessageBody(header('r1', HOUR), Buffer.from('plain ✓'), false),
      rawRequestMessageBody(header('r2', HOUR), sent, true),
    ];
    const [first, second] = decodeRawBatch(encodeRawBatch(lines));
    expect(first?.header.requestId).toBe('r1');
    expect(Buffer.from(decodeRawRequestBody(first as NonNullable<typeof first>)).toString()).toBe('plain ✓');
    expect(Buffer.from(second?.body as string, 'base64').equals(sent)).toBe(true);
  });

  it('refuses an object with a line that is not a raw request', () => {
    expect(() => decodeRawBatch(encodeRawBatch(['{"v":1,"overflowKey":"overflow/x"}']))).toThrow(
      /not a raw request/,
    );
  });

  it('writes one object per receive hour (one per batch unless it spans hours)', async () => {
    const store = new MemoryObjectStore();
    const result = await archiveRawRequests(
      [queued('a', HOUR + 1), queued('b', HOUR + 2), queued('c', HOUR + 3_600_000)],
      store,
      'batch-1',
    );
    expect(result).toEqual({ failedMessageIds: [], objects: 2, requests: 3 });
    expect([...store.objects.keys()].sort()).toEqual([
      'raw/batches/dt=2026-11-21/hour=23/batch-1.jsonl.zst',
      'raw/batches/dt=2026-11-22/hour=00/batch-1.jsonl.zst',
    ]);
    const first = decodeRawBatch(
      store.objects.get('raw/batches/dt=2026-11-21/hour=23/batch-1.jsonl.zst') as Uint8Array,
    );
    expect(first.map((entry) => entry.header.requestId)).toEqual(['a', 'b']);
  });

  it('reports the messages of an object it could not write, and only those', async () => {
    const store = new MemoryObjectStore();
    const put = store.put.bind(store);
    store.put = async (key, body) => {
      if (key.includes('hour=00')) throw new Error('simulated S3 outage');
      return put(key, body);
    };
    const failures: string[][] = [];
    const result = await archiveRawRequests(
      [queued('a', HOUR), queued('b', HOUR + 3_600_000), queued('c', HOUR + 3_600_001)],
      store,
      'batch-2',
      (ids) => failures.push([...ids]),
    );
    expect(result.failedMessageIds.sort()).toEqual(['b', 'c']);
    expect(failures).toEqual([['b', 'c']]);
    expect([...store.objects.keys()]).toEqual(['raw/batches/dt=2026-11-21/hour=23/batch-2.jsonl.zst']);
  });

  it('writes nothing for a batch without raw requests', async () => {
    const store = new MemoryObjectStore();
    expect(await archiveRawRequests([], store, 'b')).toEqual({
      failedMessageIds: [],
      objects: 0,
      requests: 0,
    });
    expect(store.objects.size).toBe(0);
  });
});
