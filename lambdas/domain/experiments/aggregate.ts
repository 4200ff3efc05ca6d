/**
 * The aggregate functions an experiment result may ask for (HoneyHive's `aggregate_function`,
 * default average). Booleans count as 1 and 0, so the average of a pass/fail metric is its pass rate.
 */
import { ValidationError } from '../errors';

export const AGGREGATE_FUNCTIONS = [
  'average',
  'min',
  'max',
  'median',
  'p90',
  'p95',
  'p99',
  'sum',
  'count',
] as const;
export type AggregateFunction = (typeof AGGREGATE_FUNCTIONS)[number];

export function parseAggregateFunction(value: string | undefined): AggregateFunction {
  if (value === undefined || value === '') return 'average';
  if (!AGGREGATE_FUNCTIONS.includes(value as AggregateFunction))
    throw new ValidationError(`aggregate_function must be one of: ${AGGREGATE_FUNCTIONS.join(', ')}`);
  return value as AggregateFunction;
}

export function numericValue(value: number | boolean): number {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/** The aggregate of the values; undefined for none (count: 0). */
export function aggregate(values: readonly (number | boolean)[], fn: AggregateFunction): number | undefined {
  if (fn === 'count') return values.length;
  if (values.length === 0) return undefined;
  const numbers = values.map(numericValue);
  switch (fn) {
    case 'sum':
      return numbers.reduce((total, value) => total + value, 0);
    case 'average':
      return numbers.reduce((total, value) => total + value, 0) / numbers.length;
    case 'min':
      return Math.min(...numbers);
    case 'max':
      return Math.max(...numbers);
    case 'median':
      return percentile(numbers, 0.5);
    case 'p90':
      return percentile(numbers, 0.9);
    case 'p95':
      return percentile(numbers, 0.95);
    case 'p99':
      return percentile(numbers, 0.99);
  }
}

/** Linear interpolation between closest ranks (the charts' DuckDB quantile_cont does the same). */
function percentile(numbers: readonly number[], fraction: number): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const position = (sorted.length - 1) * fraction;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}
