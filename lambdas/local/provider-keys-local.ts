/**
 * Provider keys on the local platform: the provider-keys function's app on a dynalite table
 * (the same DynamoProviderKeyStore as on AWS) with secrets sealed by the data folder's local AES key
 * (<data>/provider-keys/master.key, made on first use). base_url may be http on loopback here, for a
 * model server on the laptop. Returns what the platform's server needs: the routes and the handler,
 * plus the resolver the local proxy will use (emptied by every change made through the handler),
 * and the proxy's guards and response cache (proxy-limits-local.ts), whose cached limits the
 * handler's PUT /v1/proxy-limits empties.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoProviderKeyStore, PROVIDER_KEYS_TABLE } from '../adapters/aws/dynamo-provider-key-store';
import { localSecretSealer } from '../adapters/local/local-secret-sealer';
import { createProviderKeyResolver, type ProviderKeyResolver } from '../domain/providers/resolve';
import type { DataPlaneCallerDeps } from '../http/data-plane-caller';
import type { HttpApi } from '../http/router';
import { createProviderKeysHandler, type ProviderKeysHandlerDeps } from '../provider-keys/app';
import { PROVIDER_KEY_ROUTES } from '../provider-keys/routes';
import { ensureTable } from './dynamo-local';
import {
  type ProxyLimitsLocal,
  type ProxyLimitsLocalOptions,
  startProxyLimitsLocal,
} from './proxy-limits-local';

export const LOCAL_PROVIDER_KEYS_TABLE = 'waggle-local-provider-keys';

export interface ProviderKeysLocalOptions {
  /** The platform's data folder (localPaths(dataDir).root): the master key goes under provider-keys/. */
  dataDir: string;
  /** The platform's dynalite client (startLocalDynamo(...).client). */
  dynamo: DynamoDBClient;
  /** Who may call: the same keys, brute-force budget and token trust as the ingest and query routes. */
  callerAuth: Omit<DataPlaneCallerDeps, 'clock'>;
  clock?: () => number;
  onChanged?: ProviderKeysHandlerDeps['onChanged'];
  onAuditFailure?: ProviderKeysHandlerDeps['onAuditFailure'];
  onError?: ProviderKeysHandlerDeps['onError'];
  tableName?: string;
  /** A settle or give-back of the proxy's usage counters failed. */
  onCounterFailure?: ProxyLimitsLocalOptions['onCounterFailure'];
  /** An answer too large for the response cache was not cached. */
  onCacheSkipped?: ProxyLimitsLocalOptions['onCacheSkipped'];
}

export interface ProviderKeysLocal {
  routes: typeof PROVIDER_KEY_ROUTES;
  handler: HttpApi;
  resolver: ProviderKeyResolver;
  /** The proxy's budgets, rate limits and response cache: `proxyLimits.guards`, `proxyLimits.cache`. */
  proxyLimits: ProxyLimitsLocal;
}

export async function startProviderKeysLocal(options: ProviderKeysLocalOptions): Promise<ProviderKeysLocal> {
  const tableName = options.tableName ?? LOCAL_PROVIDER_KEYS_TABLE;
  // The provider-key table (pk, sk strings) as on AWS, unless it exists.
  await ensureTable(options.dynamo, tableName, [
    PROVIDER_KEYS_TABLE.partitionKey,
    PROVIDER_KEYS_TABLE.sortKey,
  ]);
  const store = new DynamoProviderKeyStore(options.dynamo, tableName);
  const sealer = await localSecretSealer(options.dataDir);
  const proxyLimits = await startProxyLimitsLocal({
    dynamo: options.dynamo,
    clock: options.clock,
    onCounterFailure: options.onCounterFailure,
    onCacheSkipped: options.onCacheSkipped,
  });
  const resolver = createProviderKeyResolver({ store, sealer, clock: options.clock });
  const handler = createProviderKeysHandler({
    ...options.callerAuth,
    store,
    sealer,
    proxyLimits: proxyLimits.limits,
    invalidateProxyLimits: (tenant) => proxyLimits.guards.invalidate(tenant),
    clock: options.clock,
    allowLoopbackBaseUrl: true,
    invalidate: (ref) => resolver.invalidate(ref),
    onChanged: options.onChanged,
    onAuditFailure: options.onAuditFailure,
    onError: options.onError,
  });
  return { routes: PROVIDER_KEY_ROUTES, handler, resolver, proxyLimits };
}
