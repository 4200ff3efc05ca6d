/**
 * The LLM proxy's service for callers inside the data plane (LLM judges, server-side experiments):
 * the maintained AI SDK adapters, this folder's failure classifier, the project's provider keys and
 * the proxy's guards (budgets and rate limits), each call published as a model event. On AWS pass
 * the address-checked fetch (createGuardedFetch); locally createLocalProviderFetch.
 */
import type { ConfigurationLookup } from '../../domain/configurations/configuration';
import type { ProviderKeyResolver } from '../../domain/providers/resolve';
import type { ProxyGuards } from '../../domain/proxy/guards';
import { createModelFactory, type ModelFactoryOptions } from '../../domain/proxy/provider-models';
import {
  createProxyService,
  type ProxyService,
  type ProxyServiceDeps,
} from '../../domain/proxy/proxy-service';
import { classifyProviderFailure } from './provider-failures';

export interface ProviderProxyOptions {
  keys: Pick<ProviderKeyResolver, 'resolve'>;
  /** How providers are reached (and Bedrock signed): as the LLM proxy function reaches them. */
  models: ModelFactoryOptions;
  /** Puts a call's model event on the events queue, as the proxy does. */
  publish: ProxyServiceDeps['publish'];
  /** The project's budgets and rate limits. */
  guards?: ProxyGuards;
  /** Configurations, for a model name that is a prompt configuration's. */
  configurations?: ConfigurationLookup;
  retry?: ProxyServiceDeps['retry'];
  attemptTimeoutMs?: number;
  sleep?: ProxyServiceDeps['sleep'];
  clock?: () => number;
  onCall?: ProxyServiceDeps['onCall'];
  onEventLost?: ProxyServiceDeps['onEventLost'];
}

export function createProviderProxy(options: ProviderProxyOptions): ProxyService {
  return createProxyService({
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
}
