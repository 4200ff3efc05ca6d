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
import type { ConfigurationLookup } from '../../domain/configurations/configuration';
import type { JudgeRunner } from '../../domain/evaluators/evaluator';
import { createJudgeBudget, type JudgeBudgetOptions } from '../../domain/evaluators/judge/judge-budget';
import { createJudgeRunner, type JudgeRunnerDeps } from '../../domain/evaluators/judge/judge-runner';
import type { ProviderKeyResolver } from '../../domain/providers/resolve';
import type { ProxyGuards } from '../../domain/proxy/guards';
import type { UsageCounters } from '../../domain/proxy/limit-ports';
import { createModelFactory, type ModelFactoryOptions } from '../../domain/proxy/provider-models';
import { createProxyService, type ProxyServiceDeps } from '../../domain/proxy/proxy-service';
import { classifyProviderFailure } from './provider-failures';

export interface ProviderJudgeRunnerOptions {
  keys: Pick<ProviderKeyResolver, 'resolve'>;
  /** How providers are reached (and Bedrock signed): as the LLM proxy function reaches them. */
  models: ModelFactoryOptions;
  /** Puts a judge's model event on the events queue, as the proxy does. */
  publish: ProxyServiceDeps['publish'];
  /** The per-evaluator daily budgets' counters: the proxy's usage counters. */
  counters: UsageCounters;
  /** Dollars a day for an evaluator whose definition names no budget (JUDGE_DAILY_BUDGET_USD). */
  defaultDailyBudgetUsd: number;
  /** The project's budgets and rate limits, which judges' calls count against too. */
  guards?: ProxyGuards;
  /** Configurations, for a judge whose model name is a prompt configuration's. */
  configurations?: ConfigurationLookup;
  fallbacks?: JudgeRunnerDeps['fallbacks'];
  maxOutputTokens?: number;
  retry?: ProxyServiceDeps['retry'];
  attemptTimeoutMs?: number;
  sleep?: ProxyServiceDeps['sleep'];
  clock?: () => number;
  onCall?: ProxyServiceDeps['onCall'];
  onEventLost?: ProxyServiceDeps['onEventLost'];
  onCounterFailure?: JudgeBudgetOptions['onCounterFailure'];
}

export function createProviderJudgeRunner(options: ProviderJudgeRunnerOptions): JudgeRunner {
  const proxy = createProxyService({
    keys: options.keys,
    models: createModelFactory(options.models),
    classifyFailure: classifyProviderFailure,
    configurations: options.configurations,
    guards: options.guards,
    publish: options.publish,
    clock: options.clock,
    sleep: options.sleep,
    retry: options.retry,
    attemptTimeoutMs: options.attemptTimeoutMs,
    onCall: options.onCall,
    onEventLost: options.onEventLost,
  });
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
