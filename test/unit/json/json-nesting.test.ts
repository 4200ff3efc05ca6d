import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestingExceeds } from '../../../lambdas/domain/json/json-nesting';

/** Reference: the depth of a parsed value, computed the slow, obvious way. */
function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object')
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('jsonNestingExceeds', () => {
  it('agrees with the depth of the parsed value, for text and for bytes', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, limit) => {
        const text = JSON.stringify(value);
        const expected = depthOf(value) > limit;
        expect(jsonNestingExceeds(text, limit)).toBe(expected);
        expect(jsonNestingExceeds(new TextEncoder().encode(text), limit)).toBe(expected);
      }),
    );
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[{{{{\\"[[[[', b: ['"]]]]"'] });
    expect(jsonNestingExceeds(text, 2)).toBe(false);
    expect(jsonNestingExceeds(new TextEncoder().encode(text), 2)).toBe(false);
    expect(jsonNestingExceeds(text, 1)).toBe(true);
  });

  it('stops early on hostile nesting', () => {
    const hostile = '['.repeat(5_000_000);
    expect(jsonNestingExceeds(hostile, 64)).toBe(true);
  });
});
