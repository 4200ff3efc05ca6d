/**
 * The LLM proxy's guards and response cache on AWS, from a function's environment
 * (PROXY_GUARD_VARIABLES): one DynamoDB client, the limits table for limits and counters, the cache
 * table for answers. The handler passes its hooks (metrics and logs for counter failures and
 * skipped answers).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ProxyGuardValues } from '../../config/proxy-guards';
import {
  createProxyGuards,
  type ProxyGuardsOptions,
  type ProxyGuardsWithLimits,
} from '../../domain/proxy/admission';
import type { ResponseCache } from '../../domain/proxy/guards';
import { DynamoProxyLimitsStore, DynamoUsageCounters } from './dynamo-proxy-guards';
import { DynamoResponseCache, type DynamoResponseCacheOptions } from './dynamo-response-cache';

export interface ProxyGuardsWiring {
  guards: ProxyGuardsWithLimits;
  cache: ResponseCache;
}

export function proxyGuardsFromEnvironment(
  dynamo: DynamoDBClient,
  env: ProxyGuardValues,
  hooks: {
    onCounterFailure?: ProxyGuardsOptions['onCounterFailure'];
    onCacheSkipped?: DynamoResponseCacheOptions['onSkipped'];
  } = {},
): ProxyGuardsWiring {
  return {
    guards: createProxyGuards({
      limits: new DynamoProxyLimitsStore(dynamo, env.PROXY_LIMITS_TABLE_NAME),
      counters: new DynamoUsageCounters(dynamo, env.PROXY_LIMITS_TABLE_NAME),
      onCounterFailure: hooks.onCounterFailure,
    }),
    cache: new DynamoResponseCache(dynamo, env.RESPONSE_CACHE_TABLE_NAME, {
      onSkipped: hooks.onCacheSkipped,
    }),
  };
}
