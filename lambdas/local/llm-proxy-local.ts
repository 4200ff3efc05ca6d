/**
 * The LLM proxy on the local platform: the llm-proxy function's app with the local provider keys,
 * the synced configurations (when the control plane runs) and the local events queue, so every
 * call becomes a model event through the same queue and writer as SDK traces. Providers are called
 * through the AWS function's transport without its address checks: a base_url on loopback (a model
 * server on the laptop) is allowed here.
 */
import { createLocalProviderFetch } from '../adapters/providers/guarded-fetch';
import type { ConfigurationLookup } from '../domain/configurations/configuration';
import { publishRecords } from '../domain/ingest/publish-records';
import type { MessageQueue, ObjectStore } from '../domain/ports';
import type { ProviderKeyResolver } from '../domain/providers/resolve';
import type { ProxyGuards, ResponseCache } from '../domain/proxy/guards';
import { createModelFactory, type FetchFunction } from '../domain/proxy/provider-models';
import type { DataPlaneCallerDeps } from '../http/data-plane-caller';
import { createLlmProxyApp, type LlmProxyApp, type LlmProxyDeps } from '../llm-proxy/app';
import { LLM_PROXY_ROUTES } from '../llm-proxy/routes';

export interface LlmProxyLocalOptions {
  callerAuth: Omit<DataPlaneCallerDeps, 'clock'>;
  providerKeys: Pick<ProviderKeyResolver, 'resolve'>;
  eventsQueue: MessageQueue;
  overflowStore: ObjectStore;
  configurations?: ConfigurationLookup;
  guards?: ProxyGuards;
  cache?: ResponseCache;
  fetch?: FetchFunction;
  onCall?: LlmProxyDeps['onCall'];
  onEventLost?: LlmProxyDeps['onEventLost'];
  onError?: LlmProxyDeps['onError'];
}

export interface LlmProxyLocal {
  routes: typeof LLM_PROXY_ROUTES;
  handler: LlmProxyApp;
}

export function startLlmProxyLocal(options: LlmProxyLocalOptions): LlmProxyLocal {
  const handler = createLlmProxyApp({
    ...options.callerAuth,
    providerKeys: options.providerKeys,
    models: createModelFactory({ fetch: options.fetch ?? createLocalProviderFetch() }),
    configurations: options.configurations,
    guards: options.guards,
    cache: options.cache,
    publish: async (records, requestId) => {
      await publishRecords(records, options.eventsQueue, options.overflowStore, {
        requestId: `proxy-${requestId}`,
      });
    },
    onCall: options.onCall,
    onEventLost: options.onEventLost,
    onError: options.onError,
  });
  return { routes: LLM_PROXY_ROUTES, handler };
}
