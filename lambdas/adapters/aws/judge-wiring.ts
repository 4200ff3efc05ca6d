/**
 * LLM judges on AWS, from a function's environment (JUDGE_WIRING_VARIABLES): provider keys opened
 * with KMS, the proxy's budgets, rate limits and usage counters in DynamoDB, the address-checked
 * fetch, and the judge's model event on the events queue (large ones through the raw archive). The
 * evaluation worker and run-metric functions call it; the handler passes its hooks (metrics, logs).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import type { JudgeWiringValues } from '../../config/judge';
import type { ConfigurationLookup } from '../../domain/configurations/configuration';
import type { JudgeRunner } from '../../domain/evaluators/evaluator';
import type { JudgeCallBounds } from '../../domain/evaluators/judge/call-bounds';
import { publishRecords } from '../../domain/ingest/publish-records';
import type { MessageQueue, ObjectStore } from '../../domain/ports';
import { createProviderKeyResolver } from '../../domain/providers/resolve';
import { createProxyGuards } from '../../domain/proxy/admission';
import { createGuardedFetch } from '../providers/guarded-fetch';
import {
  createProviderJudgeRunner,
  type ProviderJudgeRunnerOptions,
} from '../providers/provider-judge-runner';
import { DynamoProviderKeyStore } from './dynamo-provider-key-store';
import { DynamoProxyLimitsStore, DynamoUsageCounters } from './dynamo-proxy-guards';
import { kmsSecretSealer } from './esdk-secret-sealer';

export interface JudgeWiring {
  dynamo: DynamoDBClient;
  env: JudgeWiringValues;
  /** The events queue and where a message too large for it goes (the raw archive). */
  eventsQueue: MessageQueue;
  overflowStore: ObjectStore;
  configurations: ConfigurationLookup;
  /** Wraps an AWS SDK client in the function's tracer. */
  traced: <Client extends object>(client: Client) => Client;
  /** Credentials of the function's role, for Bedrock. */
  credentials: NonNullable<ProviderJudgeRunnerOptions['models']['bedrockCredentials']>;
  /** How long a call may hold the caller (domain/evaluators/judge/call-bounds.ts). */
  bounds: JudgeCallBounds;
  hooks?: Pick<ProviderJudgeRunnerOptions, 'onCall' | 'onEventLost'> & {
    onCounterFailure?: (error: unknown, context: Record<string, unknown>) => void;
  };
}

export function judgeFromEnvironment(wiring: JudgeWiring): JudgeRunner {
  const { dynamo, env } = wiring;
  const counters = new DynamoUsageCounters(dynamo, env.PROXY_LIMITS_TABLE_NAME);
  return createProviderJudgeRunner({
    keys: createProviderKeyResolver({
      store: new DynamoProviderKeyStore(dynamo, env.PROVIDER_KEYS_TABLE_NAME),
      sealer: kmsSecretSealer(wiring.traced(new KMS({})), env.PROVIDER_SECRETS_KEY_ARN),
    }),
    models: { fetch: createGuardedFetch(), bedrockCredentials: wiring.credentials },
    publish: async (records, requestId) => {
      await publishRecords(records, wiring.eventsQueue, wiring.overflowStore, {
        requestId: `judge-${requestId}`,
      });
    },
    counters,
    defaultDailyBudgetUsd: env.JUDGE_DAILY_BUDGET_USD,
    guards: createProxyGuards({
      limits: new DynamoProxyLimitsStore(dynamo, env.PROXY_LIMITS_TABLE_NAME),
      counters,
      onCounterFailure: wiring.hooks?.onCounterFailure,
    }),
    configurations: wiring.configurations,
    fallbacks: wiring.bounds.useFallbacks ? env.JUDGE_FALLBACKS : undefined,
    attemptTimeoutMs: wiring.bounds.attemptTimeoutMs,
    retry: wiring.bounds.retry,
    onCall: wiring.hooks?.onCall,
    onEventLost: wiring.hooks?.onEventLost,
  });
}
