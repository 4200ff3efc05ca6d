import { describe, expect, it } from 'vitest';
import {
  eventIdForSpan,
  parentEventId,
  sessionIdForTrace,
  traceSessionId,
} from '../../../lambdas/domain/events/ids';
import { keyPaths } from '../../../lambdas/domain/events/json-path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('remembered ids', () => {
  it('give the same ids as the plain functions, whatever the order of calls', () => {
    const traces = ['0af7651916cd43dd8448eb211c80319c', '4bf92f3577b34da6a3ce929d0e0e4736'];
    const spans = ['b7ad6b7169203331', '00f067aa0ba902b7', ''];
    for (let round = 0; round < 3; round++) {
      for (const trace of traces) {
        expect(traceSessionId(trace)).toBe(sessionIdForTrace(trace));
        for (const span of spans) {
          expect(parentEventId(trace, span)).toBe(eventIdForSpan(trace, span));
          expect(parentEventId(trace, span)).toMatch(UUID);
        }
      }
    }
  });

  it('formats version-8 UUIDs', () => {
    expect(eventIdForSpan('', '')).toMatch(UUID);
    expect(sessionIdForTrace('0af7651916cd43dd8448eb211c80319c')).toMatch(UUID);
  });
});

describe('keyPaths', () => {
  it('splits the key after the prefix, with the lead segment first, and reuses the result', () => {
    const paths = keyPaths('gen_ai.prompt.'.length, 'chat_history');
    const path = paths('gen_ai.prompt.0.role');
    expect(path).toEqual(['chat_history', '0', 'role']);
    expect(paths('gen_ai.prompt.0.role')).toBe(path);
    expect(keyPaths(4)('abc.x.y')).toEqual(['x', 'y']);
  });

  it('stays correct when many distinct keys overflow the cache', () => {
    const paths = keyPaths(2);
    for (let i = 0; i < 3000; i++) expect(paths(`p.${i}.v`)).toEqual([String(i), 'v']);
  });
});
