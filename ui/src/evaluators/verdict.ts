/**
 * Whether a metric's value on an event passes, by the rule the platform scores with
 * (lambdas/domain/evaluators/score.ts passedOf): a boolean passes when it equals `pass_when`, a number
 * when it lies within `threshold` (bounds inclusive, either may be absent). No verdict when the metric
 * sets neither for its return type, for strings, and for values that are not of the return type.
 * Pure: the console's colouring of scores on events (ui/src/evaluators/MetricScores.tsx) uses it.
 */
import type { MetricWire } from '../api/client';

export type Verdict = 'pass' | 'fail';

export type VerdictRule = Pick<MetricWire, 'return_type' | 'threshold' | 'pass_when'>;

export function verdictOf(rule: VerdictRule | undefined, value: unknown): Verdict | undefined {
  if (!rule) return undefined;
  if (rule.return_type === 'boolean') {
    const flag = asBoolean(value);
    if (flag === undefined || rule.pass_when === undefined || rule.pass_when === null) return undefined;
    return flag === rule.pass_when ? 'pass' : 'fail';
  }
  if (rule.return_type === 'float') {
    const number = asNumber(value);
    const min = finite(rule.threshold?.min);
    const max = finite(rule.threshold?.max);
    if (number === undefined || (min === undefined && max === undefined)) return undefined;
    return (min === undefined || number >= min) && (max === undefined || number <= max) ? 'pass' : 'fail';
  }
  return undefined;
}

/** The rule in words ("passes at 3 or more"), or undefined when it gives no verdict. */
export function ruleText(rule: VerdictRule): string | undefined {
  if (rule.return_type === 'boolean')
    return rule.pass_when === undefined || rule.pass_when === null
      ? undefined
      : `passes when ${rule.pass_when}`;
  if (rule.return_type !== 'float') return undefined;
  const min = finite(rule.threshold?.min);
  const max = finite(rule.threshold?.max);
  if (min !== undefined && max !== undefined) return `passes from ${min} to ${max}`;
  if (min !== undefined) return `passes at ${min} or more`;
  if (max !== undefined) return `passes at ${max} or less`;
  return undefined;
}

// Stored scores are the metric's return type; 0/1 and "true"/"false" are read too, as the platform converts them.
function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') return finite(Number(value));
  return undefined;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
