/**
 * What the proxy's guards need from storage (DynamoDB on AWS and locally, memory in tests): the
 * limits document of a project, and usage counters changed by single-item conditional updates
 * (dynalite has no transactions, so nothing here spans two items).
 */
import type { ProjectTenant } from '../providers/resolve';
import type { StoredProxyLimits } from './limits';

export interface ProxyLimitsStore {
  get(tenant: ProjectTenant): Promise<StoredProxyLimits | undefined>;
  /** Replaces the project's limits as a whole. */
  put(tenant: ProjectTenant, stored: StoredProxyLimits): Promise<void>;
}

export interface UsageCounters {
  /**
   * Adds `amount` to the counter only while its value is below `limit` (a missing counter is 0),
   * atomically: returns false, changing nothing, when the value is already at or over the limit.
   * `expiresAt` (epoch seconds) is when the counter may be forgotten.
   */
  reserve(counter: string, amount: number, limit: number, expiresAt: number): Promise<boolean>;
  /** Adds `amount` (negative to give back) without condition. */
  add(counter: string, amount: number, expiresAt: number): Promise<void>;
}
