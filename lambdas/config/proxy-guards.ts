/**
 * The variables of a function that admits LLM proxy calls and uses the response cache: the two
 * tables of ProxyLimits (lib/data-plane/proxy-limits.ts, whose environment() gives them);
 * lambdas/adapters/aws/proxy-guards-wiring.ts builds the guards and the cache from them.
 */
import { type InputOf, string, type ValuesOf } from './schema';

export const PROXY_GUARD_VARIABLES = {
  /** Limits documents and usage counters. */
  PROXY_LIMITS_TABLE_NAME: string(),
  /** Cached completions. */
  RESPONSE_CACHE_TABLE_NAME: string(),
} as const;

export type ProxyGuardInput = InputOf<typeof PROXY_GUARD_VARIABLES>;
export type ProxyGuardValues = ValuesOf<typeof PROXY_GUARD_VARIABLES>;
