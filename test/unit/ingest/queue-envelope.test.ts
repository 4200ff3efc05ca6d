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
  rawRequestMessageBody,
  recordsMessageBody,
} from '../../../lambdas/domain/ingest/queue-envelope';
import { type ArchiveHeader, decodeRawRequestBody } from '../../../lambdas/domain/ingest/raw-archive';

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

  it('carries a raw request as v 2, its body as sent: gzip kept byte for byte, anything else under zstd', () => {
    const header: ArchiveHeader = {
      v: 1,
      requestId: 'req-1',
      receivedAt: Date.UTC(2026, 10, 21, 23, 59),
      route: 'otlp-traces',
      contentType: 'application/x-protobuf',
      tenant: { org_id: 'o', workspace_id: 'w', project_id: 'p 1' },
      projectName: 'p',
    };
    const body = Buffer.from('\u0000\u0001 binary protobuf \u00ff'.repeat(50), 'latin1');
    const plain = parseQueueEnvelope(rawRequestMessageBody(header, body, false));
    if (!('rawRequest' in plain)) throw new Error('not a raw request');
    expect(plain).toMatchObject({ v: 2, rawRequest: { header, encoding: 'zstd' } });
    expect(Buffer.from(decodeRawRequestBody(plain.rawRequest)).equals(body)).toBe(true);

    const sent = gzipSync(body);
    const gzip = parseQueueEnvelope(rawRequestMessageBody(header, sent, true));
    if (!('rawRequest' in gzip)) throw new Error('not a raw request');
    expect(gzip.rawRequest.encoding).toBe('gzip');
    expect(Buffer.from(gzip.rawRequest.body, 'base64').equals(sent)).toBe(true);
    expect(Buffer.from(decodeRawRequestBody(gzip.rawRequest)).equals(body)).toBe(true);
    expect(JSON.parse(rawRequestMessageBody(header, sent, true))).toMatchObject({
      v: 2,
      kind: 'raw-request',
    });
  });

  it.each([
    ['not JSON', 'nope', /JSON/],
    ['another version', JSON.stringify({ v: 3, zst: '' }), /expected v: 1 or 2/],
    [
      'a v2 message of an unknown kind',
      JSON.stringify({ v: 2, kind: 'later', zst: '' }),
      /Unknown queue envelope kind/,
    ],
    [
      'a raw request without a valid header',
      JSON.stringify({ v: 2, kind: 'raw-request', header: { v: 1 }, encoding: 'zstd', body: '' }),
      /no valid header/,
    ],
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
