/** The llm-proxy function's environment (lib/data-plane/llm-proxy.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { PROVIDER_KEY_VARIABLES } from '../config/provider-keys';
import { PROXY_GUARD_VARIABLES } from '../config/proxy-guards';
import { integer, string, url, withDefault } from '../config/schema';

export const LLM_PROXY_ENVIRONMENT = defineFunctionEnvironment(
  'llm-proxy',
  {
    ...PROVIDER_KEY_VARIABLES,
    /** Budgets, rate limits and their usage counters; the opt-in response cache (x-waggle-cache). */
    ...PROXY_GUARD_VARIABLES,
    /** The sync-state table: configurations by name (the `model` of a request that is not <provider>/<model>). */
    SYNC_STATE_TABLE_NAME: string(),
    /** Model events go on the events queue, as ingested SDK traces do. */
    EVENTS_QUEUE_URL: url(),
    /** Where a model event too large for a queue message is written first (the raw-archive bucket, as ingest). */
    OVERFLOW_BUCKET: string(),
    /** Longest wait for a provider's answer (or its first streamed part), per attempt. */
    PROVIDER_TIMEOUT_MS: withDefault(integer({ min: 1000, max: 600_000 }), 60_000),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readLlmProxyEnvironment = LLM_PROXY_ENVIRONMENT.read;
export const environmentForLlmProxy = LLM_PROXY_ENVIRONMENT.environmentFor;
