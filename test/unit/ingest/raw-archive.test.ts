import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  type ArchiveHeader,
  decodeArchiveObject,
  encodeArchiveObject,
  rawArchiveKey,
  receivedAtOfKey,
} from '../../../lambdas/domain/ingest/raw-archive';
import { hourPrefixes } from '../../../lambdas/domain/ingest/replay';

const header: ArchiveHeader = {
  v: 1,
  requestId: 'req-1',
  receivedAt: Date.UTC(2026, 10, 21, 23, 59, 30, 123),
  route: 'otlp-traces',
  contentType: 'application/x-protobuf',
  tenant: { org_id: 'o', workspace_id: 'w', project_id: 'my project/x' },
  projectName: 'my project/x',
};

describe('raw archive objects', () => {
  it('round-trips a plain body', () => {
    const body = Uint8Array.from([0, 1, 2, 10, 255, 10]);
    const decoded = decodeArchiveObject(encodeArchiveObject(header, body, false));
    expect(decoded.header).toEqual(header);
    expect([...decoded.body]).toEqual([...body]);
  });

  it('stores a gzip body as it came and still round-trips', () => {
    const plain = Buffer.from('{"resourceSpans":[]}');
    const gz = gzipSync(plain);
    const object = encodeArchiveObject(header, gz, true);
    expect(Buffer.from(object.subarray(object.length - gz.length)).equals(gz)).toBe(true);
    expect(Buffer.from(decodeArchiveObject(object).body).toString()).toBe(plain.toString());
  });

  it('keys objects by project, day and hour, with the receive time first in the file name', () => {
    const key = rawArchiveKey(header);
    expect(key).toBe(`raw/project_id=my%20project%2Fx/dt=2026-11-21/hour=23/${header.receivedAt}-req-1.gz`);
    expect(receivedAtOfKey(key)).toBe(header.receivedAt);
  });

  it('lists every hour folder a replay range touches', () => {
    const from = Date.UTC(2026, 0, 1, 22, 30);
    const to = Date.UTC(2026, 0, 2, 1, 0);
    expect(hourPrefixes('p', from, to)).toEqual([
      'raw/project_id=p/dt=2026-01-01/hour=22/',
      'raw/project_id=p/dt=2026-01-01/hour=23/',
      'raw/project_id=p/dt=2026-01-02/hour=00/',
      'raw/project_id=p/dt=2026-01-02/hour=01/',
    ]);
  });
});
