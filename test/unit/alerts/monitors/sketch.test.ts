/**
 * The percentile sketch on its own (the rollup property test holds it through rollups): merging is
 * the same as building from all the values, in any order; every quantile stays within the
 * documented relative error of the exact nearest-rank quantile; and a sketch read back from a
 * rollup column keeps only well-formed buckets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addToSketch,
  emptySketch,
  mergeSketch,
  readSketch,
  SKETCH_RELATIVE_ERROR,
  type Sketch,
  sketchCount,
  sketchQuantile,
} from '../../../../lambdas/domain/alerts/monitors/sketch';

function sketchOf(values: readonly number[]): Sketch {
  const sketch = emptySketch();
  for (const value of values) addToSketch(sketch, value);
  return sketch;
}

const values = fc.array(
  fc.oneof(
    fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: 0, max: 100_000 }),
    fc.constant(0),
  ),
  { minLength: 1, maxLength: 300 },
);
const quantile = fc.double({ min: 0.001, max: 1, noNaN: true });

/** Nearest rank: the ceil(q·n)-th smallest. */
function exact(all: readonly number[], q: number): number {
  const sorted = [...all].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

describe('sketch', () => {
  it('answers every quantile within the relative error of the exact nearest-rank quantile', () => {
    fc.assert(
      fc.property(values, quantile, (all, q) => {
        const truth = exact(all, q);
        const found = sketchQuantile(sketchOf(all), q) as number;
        // Values that count as zero (below 1e-9 in magnitude) answer 0.
        if (Math.abs(truth) < 1e-9) expect(found).toBe(0);
        else
          expect(Math.abs(found - truth) / Math.abs(truth)).toBeLessThanOrEqual(
            SKETCH_RELATIVE_ERROR + 1e-12,
          );
      }),
    );
  });

  it('merges to the sketch of all the values, in any split and order', () => {
    fc.assert(
      fc.property(values, values, values, (a, b, c) => {
        const merged = emptySketch();
        for (const part of [c, a, b]) mergeSketch(merged, sketchOf(part));
        const whole = sketchOf([...a, ...b, ...c]);
        expect(merged).toEqual(whole);
        expect(sketchCount(merged)).toBe(a.length + b.length + c.length);
      }),
    );
  });

  it('leaves the merged-from sketch unchanged', () => {
    const other = sketchOf([1, 2, 3, -4, 0]);
    const copy = structuredClone(other);
    mergeSketch(sketchOf([5]), other);
    expect(other).toEqual(copy);
  });

  it('has no quantile when empty, and ignores values that are not finite', () => {
    const sketch = sketchOf([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(sketchCount(sketch)).toBe(0);
    expect(sketchQuantile(sketch, 0.5)).toBeUndefined();
  });

  it('reads back what was written', () => {
    fc.assert(
      fc.property(values, (all) => {
        const sketch = sketchOf(all);
        expect(readSketch(JSON.stringify(sketch))).toEqual(sketch);
      }),
    );
  });

  it('keeps only well-formed buckets from a column', () => {
    const column = JSON.stringify({
      zero: -3,
      pos: { '12': 2, '-7': 1, abc: 5, '123456': 1, '1.5': 1, '3': -1, '4': 0, '5': 'x' },
      neg: 'not buckets',
      extra: true,
    });
    expect(readSketch(column)).toEqual({ zero: 0, pos: { '12': 2, '-7': 1 }, neg: {} });
  });

  it('reads an empty or non-object column as an empty sketch', () => {
    for (const column of [undefined, null, '', 42, 'null', '5', '"text"'])
      expect(readSketch(column)).toEqual(emptySketch());
  });

  it('refuses a column that is not JSON rather than reading it as no values', () => {
    expect(() => readSketch('{"pos":{"1":')).toThrow(SyntaxError);
  });
});
