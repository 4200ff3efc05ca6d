/**
 * What the LLM proxy asks before and after it calls a provider: spending budgets and rate limits
 * (per API key and per project) and the opt-in exact-match response cache. These are ports: the
 * proxy's call path (lambdas/domain/proxy/) only sees these interfaces; DynamoDB conditional
 * counters implement them on AWS and on the local platform (dynalite), memory versions in tests.
 */
import type { ProjectTenant } from '../providers/resolve';

/** Who is calling, as budgets and rate limits count it. */
export interface ProxyCaller {
  tenant: ProjectTenant;
  /** A stable id of the credential: `api-key:<hash prefix>` or `user:<subject>`. */
  credentialId: string;
}

export interface AdmissionRequest {
  caller: ProxyCaller;
  /**
   * The most this call can cost in USD (prompt tokens estimated from the request, completion tokens
   * from max_tokens or the model's limit, priced from the price table); 0 when the model has no
   * price. Reserved against the budgets before the call, so that a budget is exceeded by at most
   * one request.
   */
  reserveUsd: number;
  /** Epoch ms (budgets are per UTC day and month). */
  at: number;
}

/** A granted admission: handed back to settle() once the call's real cost is known. */
export interface Admission {
  readonly caller: ProxyCaller;
  readonly reservedUsd: number;
  readonly at: number;
  /** Opaque to the proxy: what settle() needs to correct each counter it reserved on. */
  readonly counters: readonly string[];
}

export interface ProxyGuards {
  /**
   * Admits a call or refuses it: throws RateLimitedError (lambdas/domain/errors.ts) with
   * retryAfterSeconds when a rate limit is reached or a budget is spent (budget: seconds until the
   * period ends). Reserves `reserveUsd` on every budget that applies.
   */
  admit(request: AdmissionRequest): Promise<Admission>;
  /** Replaces the reservation with the actual cost (0 for a failed call). Never throws. */
  settle(admission: Admission, actualUsd: number): Promise<void>;
}

/** A completion kept by the response cache: the non-streamed OpenAI-shaped answer. */
export interface CachedCompletion {
  /** The OpenAI chat.completion object as first answered. */
  body: Record<string, unknown>;
  cachedAt: number;
}

export interface ResponseCache {
  get(tenant: ProjectTenant, key: string): Promise<CachedCompletion | undefined>;
  /** Stores when it fits (a DynamoDB item is at most 400 KB); silently skips what does not. */
  put(tenant: ProjectTenant, key: string, value: CachedCompletion, ttlSeconds: number): Promise<void>;
}
