/**
 * The variables of a function that runs LLM judges (lambdas/domain/evaluators/judge): the daily
 * budget of an evaluator whose definition names none, and the fallbacks of judge models. A function
 * that runs judges also needs the proxy's variables (provider keys, PROXY_GUARD_VARIABLES, the
 * events queue): the judge's calls are the proxy's.
 */
import { MAX_FALLBACKS } from '../domain/proxy/chat-request';
import { MAX_USD } from '../domain/proxy/limits';
import { parseModelTarget } from '../domain/proxy/routing';
import { PROVIDER_KEY_VARIABLES } from './provider-keys';
import { custom, type InputOf, json, optional, string, type ValuesOf, withDefault } from './schema';

/** Dollars a UTC day an evaluator's judge may spend when its definition says nothing. */
export const DEFAULT_JUDGE_DAILY_BUDGET_USD = 5;

export const JUDGE_VARIABLES = {
  /** Default daily budget per evaluator, in dollars (0 stops every judge without a budget of its own). */
  JUDGE_DAILY_BUDGET_USD: withDefault(
    custom(`a number of dollars from 0 to ${MAX_USD}`, '5', (text, name) => parseDollars(text, name)),
    DEFAULT_JUDGE_DAILY_BUDGET_USD,
  ),
  /** {"<provider>/<model>": ["<provider>/<model>", ...]}: what a judge tries when its model fails transiently. */
  JUDGE_FALLBACKS: optional(
    json(
      `an object of <provider>/<model> to at most ${MAX_FALLBACKS} <provider>/<model> fallbacks`,
      '{"openai/gpt-4o-mini":["anthropic/claude-haiku-4-5"]}',
      parseJudgeFallbacks,
    ),
  ),
} as const;

export type JudgeInput = InputOf<typeof JUDGE_VARIABLES>;
export type JudgeValues = ValuesOf<typeof JUDGE_VARIABLES>;

/**
 * Everything a function needs to run judges beyond the events queue it already has: provider keys,
 * the proxy's limits table (budgets, rate limits, usage counters), and the judge settings.
 */
export const JUDGE_WIRING_VARIABLES = {
  ...PROVIDER_KEY_VARIABLES,
  /** The project's budgets and rate limits and their usage counters (the proxy's), which judges count against. */
  PROXY_LIMITS_TABLE_NAME: string(),
  ...JUDGE_VARIABLES,
} as const;

export type JudgeWiringInput = InputOf<typeof JUDGE_WIRING_VARIABLES>;
export type JudgeWiringValues = ValuesOf<typeof JUDGE_WIRING_VARIABLES>;

export function parseDollars(text: string, name: string): number {
  const usd = Number(text.trim());
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || usd > MAX_USD) {
    throw new Error(
      `${name} must be a number of dollars from 0 to ${MAX_USD}, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  return usd;
}

export function parseJudgeFallbacks(value: unknown): Record<string, string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  const fallbacks: Record<string, string[]> = {};
  for (const [model, list] of Object.entries(value)) {
    if (!parseModelTarget(model))
      throw new Error(`${JSON.stringify(model.slice(0, 80))} is not <provider>/<model>`);
    if (!Array.isArray(list) || list.length > MAX_FALLBACKS) {
      throw new Error(`${model} must map to a list of at most ${MAX_FALLBACKS} models`);
    }
    for (const item of list) {
      if (typeof item !== 'string' || !parseModelTarget(item)) {
        throw new Error(`the fallbacks of ${model} must each be <provider>/<model> with a known provider`);
      }
    }
    fallbacks[model] = list as string[];
  }
  return fallbacks;
}
