/**
 * A JudgeRunner over the real provider layer, for the data plane's evaluation code (the metrics
 * API's run_metric, the online evaluation worker) on AWS and on the local platform: the LLM proxy's
 * service built with the maintained AI SDK adapters and this folder's failure classifier, the
 * project's provider keys, the proxy's guards (project budgets and rate limits), the events queue
 * for the judges' model events, and the per-evaluator daily budget on the proxy's usage counters.
 *
 * On AWS pass the address-checked fetch (createGuardedFetch) and the DynamoDB counters of the proxy
 * limits table; locally, createLocalProviderFetch and the same counters on dynalite.
 */
import type { JudgeRunner } from '../../domain/evaluators/evaluator';
import { createJudgeBudget, type JudgeBudgetOptions } from '../../domain/evaluators/judge/judge-budget';
import { createJudgeRunner, type JudgeRunnerDeps } from '../../domain/evaluators/judge/judge-runner';
import type { UsageCounters } from '../../domain/proxy/limit-ports';
import { createProviderProxy, type ProviderProxyOptions } from './provider-proxy';

export interface ProviderJudgeRunnerOptions extends ProviderProxyOptions {
  /** The per-evaluator daily budgets' counters: the proxy's usage counters. */
  counters: UsageCounters;
  /** Dollars a day for an evaluator whose definition names no budget (JUDGE_DAILY_BUDGET_USD). */
  defaultDailyBudgetUsd: number;
  fallbacks?: JudgeRunnerDeps['fallbacks'];
  maxOutputTokens?: number;
  onCounterFailure?: JudgeBudgetOptions['onCounterFailure'];
}

export function createProviderJudgeRunner(options: ProviderJudgeRunnerOptions): JudgeRunner {
  const proxy = createProviderProxy(options);
  return createJudgeRunner({
    proxy,
    budget: createJudgeBudget({
      counters: options.counters,
      defaultUsdPerDay: options.defaultDailyBudgetUsd,
      onCounterFailure: options.onCounterFailure,
    }),
    fallbacks: options.fallbacks,
    maxOutputTokens: options.maxOutputTokens,
    clock: options.clock,
  });
}
