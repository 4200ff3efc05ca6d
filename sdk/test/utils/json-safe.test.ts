import { describe, expect, it } from 'vitest';
import { toJsonSafe } from '../../src/utils/json-safe';

const limits = { maxDepth: 3, maxStringLength: 5, maxItems: 2 };

describe('toJsonSafe', () => {
  it('maps non-JSON scalars to readable strings', () => {
    expect(
      toJsonSafe({
        n: Number.NaN,
        i: Infinity,
        b: 12n,
        s: Symbol('x'),
        u: undefined,
        f: function named() {},
      }),
    ).toEqual({ n: 'NaN', i: 'Infinity', b: '12', s: 'Symbol(x)', f: '[Function named]' });
    expect(toJsonSafe([undefined])).toEqual([null]);
    expect(toJsonSafe(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(toJsonSafe(new Date(Number.NaN))).toBe('Invalid Date');
    expect(toJsonSafe(/a+/g)).toBe('/a+/g');
    expect(toJsonSafe(Buffer.from('abc'))).toBe('[Buffer 3 bytes]');
    expect(toJsonSafe(new Float32Array(2))).toBe('[Float32Array 8 bytes]');
    expect(toJsonSafe(Promise.resolve(1))).toBe('[Promise]');
  });

  it('cuts cycles but keeps a shared sub-object', () => {
    const shared = { v: 1 };
    const root: Record<string, unknown> = { a: shared, b: shared };
    root.self = root;
    expect(toJsonSafe(root)).toEqual({ a: { v: 1 }, b: { v: 1 }, self: '[Circular]' });
  });

  it('bounds strings, items, keys and depth', () => {
    expect(toJsonSafe('abcdefgh', limits)).toBe('abcde...[truncated 3 chars]');
    expect(toJsonSafe([1, 2, 3, 4], limits)).toEqual([1, 2, '[2 more items]']);
    expect(toJsonSafe({ a: 1, b: 2, c: 3 }, limits)).toEqual({ a: 1, b: 2, '[truncated]': '1 more keys' });
    expect(toJsonSafe({ a: { b: { c: { d: 1 } } } }, limits)).toEqual({ a: { b: { c: '[MaxDepth]' } } });
  });

  it('converts Maps, Sets, Errors and toJSON', () => {
    expect(toJsonSafe(new Map<unknown, unknown>([['k', new Set([1, 2])]]))).toEqual({ k: [1, 2] });
    const error = toJsonSafe(new Error('outer', { cause: new TypeError('inner') })) as Record<
      string,
      unknown
    >;
    expect(error).toMatchObject({
      name: 'Error',
      message: 'outer',
      cause: { name: 'TypeError', message: 'inner' },
    });
    expect(typeof error.stack).toBe('string');
    expect(toJsonSafe({ toJSON: () => ({ id: 7 }) })).toEqual({ id: 7 });
  });

  it('never throws: throwing getters, toJSON and revoked proxies become markers', () => {
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(toJsonSafe({ ok: 1, bad: getter })).toEqual({ ok: 1, bad: '[Unserializable]' });
    expect(
      toJsonSafe({
        toJSON() {
          throw new Error('no');
        },
      }),
    ).toBe('[Unserializable]');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(toJsonSafe(proxy)).toBe('[Unserializable]');
    expect(toJsonSafe({ p: proxy })).toBe('[Unserializable]');
  });
});
