/**
 * The LLM proxy's budgets, rate limits and response cache on the local platform: the same DynamoDB
 * adapters as on AWS, on the platform's dynalite, in two tables made here unless they exist.
 * dynalite does not expire items by TTL: old counters and cache entries stay in the data folder
 * (the cache's get() checks the expiry itself, and a past period's counter is never read again).
 * startProviderKeysLocal calls this and shares the limits with the /v1/proxy-limits routes, so a
 * PUT applies to the next call at once.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoProxyLimitsStore,
  DynamoUsageCounters,
  PROXY_LIMITS_TABLE,
} from '../adapters/aws/dynamo-proxy-guards';
import {
  DynamoResponseCache,
  type DynamoResponseCacheOptions,
  RESPONSE_CACHE_TABLE,
} from '../adapters/aws/dynamo-response-cache';
import {
  createProxyGuards,
  type ProxyGuardsOptions,
  type ProxyGuardsWithLimits,
} from '../domain/proxy/admission';
import type { ResponseCache } from '../domain/proxy/guards';
import type { ProxyLimitsStore, UsageCounters } from '../domain/proxy/limit-ports';
import { ensureTable } from './dynamo-local';

export const LOCAL_PROXY_LIMITS_TABLE = 'waggle-local-proxy-limits';
export const LOCAL_RESPONSE_CACHE_TABLE = 'waggle-local-response-cache';

export interface ProxyLimitsLocalOptions {
  /** The platform's dynalite client (startLocalDynamo(...).client). */
  dynamo: DynamoDBClient;
  clock?: () => number;
  onCounterFailure?: ProxyGuardsOptions['onCounterFailure'];
  onCacheSkipped?: DynamoResponseCacheOptions['onSkipped'];
  limitsTableName?: string;
  cacheTableName?: string;
}

export interface ProxyLimitsLocal {
  /** What the proxy calls: admit() before a provider call, settle() after it. */
  guards: ProxyGuardsWithLimits;
  /** The opt-in exact-match response cache. */
  cache: ResponseCache;
  /** The limits documents (the /v1/proxy-limits routes read and write them). */
  limits: ProxyLimitsStore;
  /** The usage counters the guards count on (LLM judges count their evaluators' budgets there too). */
  counters: UsageCounters;
}

export async function startProxyLimitsLocal(options: ProxyLimitsLocalOptions): Promise<ProxyLimitsLocal> {
  const limitsTable = options.limitsTableName ?? LOCAL_PROXY_LIMITS_TABLE;
  const cacheTable = options.cacheTableName ?? LOCAL_RESPONSE_CACHE_TABLE;
  await ensureTable(options.dynamo, limitsTable, [PROXY_LIMITS_TABLE.partitionKey]);
  await ensureTable(options.dynamo, cacheTable, [RESPONSE_CACHE_TABLE.partitionKey]);
  const limits = new DynamoProxyLimitsStore(options.dynamo, limitsTable);
  const counters = new DynamoUsageCounters(options.dynamo, limitsTable);
  const guards = createProxyGuards({
    limits,
    counters,
    clock: options.clock,
    onCounterFailure: options.onCounterFailure,
  });
  const cache = new DynamoResponseCache(options.dynamo, cacheTable, {
    clock: options.clock,
    onSkipped: options.onCacheSkipped,
  });
  return { guards, cache, limits, counters };
}
