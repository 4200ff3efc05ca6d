import { describe, expect, it } from 'vitest';
import { digest } from '../../../lambdas/domain/sync/digest';
import { buildHeartbeat, HeartbeatError, parseHeartbeat } from '../../../lambdas/domain/sync/heartbeat';

const figures = {
  dataPlaneId: 'dp-eu-1',
  queueDepth: 3,
  errors: 0,
  lagMs: 1200,
  appliedSeq: 41,
  digest: digest([]),
};

describe('heartbeats', () => {
  it('carry the health figures and the digest, and nothing else a caller passes along', () => {
    const extra = { ...figures, events: [{ input: 'secret prompt' }], apiKey: 'wgl_x' };
    const heartbeat = buildHeartbeat(extra, 1000);
    expect(heartbeat).toEqual({ v: 1, type: 'heartbeat', sentAt: 1000, ...figures });
    expect(JSON.stringify(heartbeat)).not.toMatch(/secret prompt|wgl_/);
    expect(parseHeartbeat(JSON.parse(JSON.stringify(heartbeat)))).toEqual(heartbeat);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a negative queue depth', { queueDepth: -1 }],
    ['a fractional lag', { lagMs: 1.5 }],
    ['a bad data plane id', { dataPlaneId: 'dp eu' }],
    ['a digest that is not a hash', { digest: { ...digest([]), project: 'abc' } }],
  ])('refuse %s', (_, override) => {
    expect(() => parseHeartbeat({ v: 1, type: 'heartbeat', sentAt: 1, ...figures, ...override })).toThrow(
      HeartbeatError,
    );
  });

  it('read a digest missing a kind (a data plane older than the kind) with the kind left out', () => {
    const parsed = parseHeartbeat({
      v: 1,
      type: 'heartbeat',
      sentAt: 1,
      ...figures,
      digest: { ...digest([]), alert: undefined },
    });
    expect(parsed.digest.alert).toBeUndefined();
    expect(parsed.digest.project).toBe(digest([]).project);
  });

  it('refuse another version or type', () => {
    expect(() => parseHeartbeat({ ...buildHeartbeat(figures, 1), v: 2 })).toThrow(HeartbeatError);
    expect(() => parseHeartbeat({ ...buildHeartbeat(figures, 1), type: 'alert' })).toThrow(HeartbeatError);
    expect(() => parseHeartbeat(null)).toThrow(HeartbeatError);
  });
});
