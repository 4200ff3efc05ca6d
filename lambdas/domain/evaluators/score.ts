/**
 * What every evaluator's raw answer becomes: a value of the evaluator's return type, and whether it
 * passes. The conversion rules are those the Python harness applies to a code metric's return value
 * (lambdas/evaluator-executor/harness.py, `convert`), so a judge's rating and a metric's return
 * value of the same type are read alike; passing is decided here for both (a runner returns the
 * value, the caller applies the definition's threshold or passWhen with `withPassed`).
 */
import type { EvaluationOutcome, EvaluatorDefinition, ReturnType, ScoreValue } from './evaluator';

/** A decimal number as Python's float() reads one (no hex, no empty string). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export type Conversion = { ok: true; value: ScoreValue } | { ok: false; problem: string };

/**
 * A raw value as the return type wants it:
 * - float: finite numbers, numeric strings, booleans (1 or 0);
 * - boolean: booleans, the numbers 0 and 1, the strings "true" and "false" (any case, trimmed);
 * - string: strings, booleans and finite numbers as their JSON text, at most `valueChars` characters.
 */
export function convertScore(value: unknown, returnType: ReturnType, valueChars: number): Conversion {
  if (returnType === 'float') {
    if (typeof value === 'boolean') return { ok: true, value: value ? 1 : 0 };
    let number: number;
    if (typeof value === 'number') number = value;
    else if (typeof value === 'string' && DECIMAL.test(value.trim())) number = Number(value.trim());
    else return { ok: false, problem: `expected a number, got ${shown(value)}` };
    if (!Number.isFinite(number))
      return { ok: false, problem: `expected a finite number, got ${shown(value)}` };
    return { ok: true, value: number };
  }
  if (returnType === 'boolean') {
    if (typeof value === 'boolean') return { ok: true, value };
    if (value === 0 || value === 1) return { ok: true, value: value === 1 };
    if (typeof value === 'string') {
      const word = value.trim().toLowerCase();
      if (word === 'true' || word === 'false') return { ok: true, value: word === 'true' };
    }
    return { ok: false, problem: `expected a boolean (or "true"/"false"), got ${shown(value)}` };
  }
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (typeof value === 'number' && Number.isFinite(value)) text = JSON.stringify(value);
  else return { ok: false, problem: `expected a string, got ${shown(value)}` };
  if (text.length > valueChars) {
    return { ok: false, problem: `the string score is longer than ${valueChars} characters` };
  }
  return { ok: true, value: text };
}

/**
 * Whether a value passes the definition: a boolean equals passWhen; a number lies within the
 * threshold's [min, max] (either bound may be absent). Undefined when the definition sets neither
 * for the value's type, and for strings.
 */
export function passedOf(
  definition: Pick<EvaluatorDefinition, 'threshold' | 'passWhen'>,
  value: ScoreValue,
): boolean | undefined {
  if (typeof value === 'boolean') {
    return definition.passWhen === undefined ? undefined : value === definition.passWhen;
  }
  if (typeof value === 'number') {
    const { min, max } = definition.threshold ?? {};
    if (min === undefined && max === undefined) return undefined;
    return (min === undefined || value >= min) && (max === undefined || value <= max);
  }
  return undefined;
}

/** The outcome with `passed` set from the definition (an error outcome is returned as it is). */
export function withPassed(
  outcome: EvaluationOutcome,
  definition: Pick<EvaluatorDefinition, 'threshold' | 'passWhen'>,
): EvaluationOutcome {
  if (outcome.status !== 'ok') return outcome;
  const passed = passedOf(definition, outcome.value);
  const { passed: _previous, ...rest } = outcome;
  return passed === undefined ? rest : { ...rest, passed };
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}
