/**
 * Configurations, tools and metric definitions on the local platform: the configurations function's app, reading the
 * local data plane's synced copy (the ConfigStore the in-process config sync fills) and forwarding
 * writes to the local control plane over HTTP, as a data plane in AWS does. Also the
 * ConfigurationLookup the local LLM proxy reads.
 */
import { type ConfigurationsHandlerDeps, createConfigurationsHandler } from '../configurations/app';
import { fetchForwarder } from '../configurations/forward';
import { CONFIGURATION_ROUTES } from '../configurations/routes';
import { type ConfigurationReader, createConfigurationLookup } from '../domain/configurations/lookup';
import {
  createSyncedEvaluatorCatalog,
  type SyncedEvaluatorCatalog,
} from '../domain/evaluators/definitions/catalog';
import type { ConfigStore } from '../domain/sync/stores';
import type { DataPlaneCallerDeps } from '../http/data-plane-caller';
import type { HttpApi } from '../http/router';

export interface ConfigurationsLocal {
  routes: typeof CONFIGURATION_ROUTES;
  handler: HttpApi;
  /** The synced copy's reader: ConfigurationLookup for the proxy, lists for the API. */
  lookup: ConfigurationReader;
  /** The synced metrics: GET /metrics, run_metric and online evaluation read them. */
  evaluators: SyncedEvaluatorCatalog;
}

export function startConfigurationsLocal(options: {
  configStore: ConfigStore;
  controlPlaneUrl: string;
  callerAuth: Omit<DataPlaneCallerDeps, 'clock'>;
  onError?: ConfigurationsHandlerDeps['onError'];
}): ConfigurationsLocal {
  const lookup = createConfigurationLookup({ configStore: options.configStore });
  const evaluators = createSyncedEvaluatorCatalog({ configStore: options.configStore });
  const handler = createConfigurationsHandler({
    ...options.callerAuth,
    reader: lookup,
    evaluators,
    forward: fetchForwarder(options.controlPlaneUrl),
    onError: options.onError,
  });
  return { routes: CONFIGURATION_ROUTES, handler, lookup, evaluators };
}
