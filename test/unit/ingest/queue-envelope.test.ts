/**
 * Events-queue message bodies: records packed with zstd (what ingest writes now), gzip bodies from
 * before still read (they can wait in queues and the dead-letter archive across an upgrade), and
 * anything else refused with a clear error.
 */
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import {
  overflowMessageBody,
  parseQueueEnvelope,
  recordsMessageBody,
} from '../../../lambdas/domain/ingest/queue-envelope';

const records = [
  { kind: 'tombstone', tombstone: { target: 'event', id: 'e1', deleted_at: 1 } },
  { kind: 'tombstone', tombstone: { target: 'session', id: 's ✓', deleted_at: 2 } },
] as unknown as EventRecord[];
const serialized = records.map((record) => JSON.stringify(record));

describe('queue envelope', () => {
  it('packs records with zstd and reads them back', () => {
    const body = recordsMessageBody(serialized);
    expect(JSON.parse(body)).toEqual({ v: 1, zst: expect.any(String) });
    expect(parseQueueEnvelope(body)).toEqual({ v: 1, records });
  });

  it('still reads the gzip bodies written before zstd', () => {
    const gz = gzipSync(`[${serialized.join(',')}]`).toString('base64');
    expect(parseQueueEnvelope(JSON.stringify({ v: 1, gz }))).toEqual({ v: 1, records });
  });

  it('reads an overflow pointer', () => {
    expect(parseQueueEnvelope(overflowMessageBody('overflow/project_id=p/x.json.gz'))).toEqual({
      v: 1,
      overflowKey: 'overflow/project_id=p/x.json.gz',
    });
  });

  it.each([
    ['not JSON', 'nope', /JSON/],
    ['another version', JSON.stringify({ v: 2, zst: '' }), /expected v: 1/],
    ['no payload', JSON.stringify({ v: 1 }), /neither zst, gz nor overflowKey/],
    [
      'a payload that is not an array',
      JSON.stringify({ v: 1, zst: zstdCompressSync('{"kind":"event"}').toString('base64') }),
      /array of records/,
    ],
    [
      'a payload that is not zstd',
      JSON.stringify({ v: 1, zst: Buffer.from('plain').toString('base64') }),
      /./,
    ],
  ])('refuses %s', (_, body, message) => {
    expect(() => parseQueueEnvelope(body)).toThrow(message);
  });
});
