import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { deterministicIds, uuidFromHash } from '../../../lambdas/domain/ingest/deterministic-ids';
import { parseJsonBody } from '../../../lambdas/domain/ingest/json-body';
import { spanRejectionReason } from '../../../lambdas/domain/ingest/span-validation';
import { versionClock } from '../../../lambdas/domain/ingest/version-clock';
import type { OtlpSpan } from '../../../lambdas/domain/otlp/model';
import { encodeOtlpStatus } from '../../../lambdas/ingest/otlp-status';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('deterministic ids', () => {
  it('repeat for the same seed and differ between seeds', () => {
    const first = deterministicIds('req-1');
    const again = deterministicIds('req-1');
    const a = [first(), first()];
    expect([again(), again()]).toEqual(a);
    expect(a[0]).not.toBe(a[1]);
    expect(deterministicIds('req-2')()).not.toBe(a[0]);
    for (const id of a) expect(id).toMatch(UUID);
    expect(uuidFromHash('x')).toMatch(UUID);
  });
});

describe('versionClock', () => {
  it('is strictly increasing even within one millisecond and when the clock goes back', () => {
    const next = versionClock();
    const versions = [next(1000), next(1000), next(999), next(2000)];
    expect(versions).toEqual([1_000_000, 1_000_001, 1_000_002, 2_000_000]);
  });
});

describe('parseJsonBody', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('parses ordinary JSON', () => {
    expect(parseJsonBody(bytes('{"a":[1,{"b":"}]"}]}'))).toEqual({ a: [1, { b: '}]' }] });
  });

  it('rejects hostile nesting and invalid JSON with 400', () => {
    for (const text of ['['.repeat(100_000), `${'{"a":'.repeat(70)}1${'}'.repeat(70)}`, '{"a":', '']) {
      try {
        parseJsonBody(bytes(text));
        expect.unreachable(`accepted ${text.slice(0, 20)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
      }
    }
  });

  it('does not count brackets inside strings', () => {
    const nested = `${'['.repeat(60)}"${'['.repeat(100)}\\"${'{'.repeat(100)}"${']'.repeat(60)}`;
    expect(JSON.stringify(parseJsonBody(bytes(nested))).length).toBeGreaterThan(200);
    fc.assert(fc.property(fc.string(), (s) => parseJsonBody(bytes(JSON.stringify(s))) === s));
  });
});

describe('spanRejectionReason', () => {
  const span = (overrides: Partial<OtlpSpan>): OtlpSpan => ({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    traceState: '',
    name: 'chat',
    kind: 1,
    startTimeUnixMs: 0,
    endTimeUnixMs: 1,
    attributes: {},
    events: [],
    links: [],
    statusCode: 0,
    statusMessage: '',
    ...overrides,
  });

  it('accepts valid ids and rejects wrong lengths and all-zero ids', () => {
    expect(spanRejectionReason(span({}))).toBeUndefined();
    expect(spanRejectionReason(span({ parentSpanId: 'b7ad6b7169203332' }))).toBeUndefined();
    expect(spanRejectionReason(span({ traceId: 'abcd' }))).toMatch(/trace_id must be 16/);
    expect(spanRejectionReason(span({ traceId: '0'.repeat(32) }))).toMatch(/trace_id/);
    expect(spanRejectionReason(span({ spanId: '' }))).toMatch(/span_id must be 8/);
    expect(spanRejectionReason(span({ parentSpanId: 'abc' }))).toMatch(/parent_span_id/);
  });
});

describe('encodeOtlpStatus', () => {
  it('encodes code and message as google.rpc.Status', () => {
    expect([...encodeOtlpStatus(3, 'bad')]).toEqual([0x08, 3, 0x12, 3, 0x62, 0x61, 0x64]);
    expect(encodeOtlpStatus(16, 'x'.repeat(200)).length).toBe(2 + 3 + 200);
  });
});
