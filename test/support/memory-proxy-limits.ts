/** In-memory ProxyLimitsStore, UsageCounters and ResponseCache for the proxy's guard tests. */

import type { ProjectTenant } from '../../lambdas/domain/providers/resolve';
import { tenantKey } from '../../lambdas/domain/proxy/admission';
import type { CachedCompletion, ResponseCache } from '../../lambdas/domain/proxy/guards';
import type { ProxyLimitsStore, UsageCounters } from '../../lambdas/domain/proxy/limit-ports';
import type { StoredProxyLimits } from '../../lambdas/domain/proxy/limits';

export class MemoryProxyLimitsStore implements ProxyLimitsStore {
  readonly items = new Map<string, StoredProxyLimits>();
  gets = 0;

  async get(tenant: ProjectTenant): Promise<StoredProxyLimits | undefined> {
    this.gets++;
    const stored = this.items.get(tenantKey(tenant));
    return stored && structuredClone(stored);
  }

  async put(tenant: ProjectTenant, stored: StoredProxyLimits): Promise<void> {
    this.items.set(tenantKey(tenant), structuredClone(stored));
  }
}

/**
 * Counters as DynamoDB keeps them: each reserve or add is atomic on its own. `pause` lets a test
 * interleave many concurrent calls: every call awaits it before it acts.
 */
export class MemoryUsageCounters implements UsageCounters {
  readonly values = new Map<string, number>();
  readonly expiries = new Map<string, number>();
  pause: () => Promise<void> = async () => {};
  /** Set to make calls on counters whose name matches fail. */
  failOn: { action: 'reserve' | 'add'; match: RegExp } | undefined;

  async reserve(counter: string, amount: number, limit: number, expiresAt: number): Promise<boolean> {
    await this.pause();
    this.fail('reserve', counter);
    const value = this.values.get(counter) ?? 0;
    if (!(value < limit)) return false;
    this.values.set(counter, value + amount);
    if (!this.expiries.has(counter)) this.expiries.set(counter, expiresAt);
    return true;
  }

  async add(counter: string, amount: number, expiresAt: number): Promise<void> {
    await this.pause();
    this.fail('add', counter);
    this.values.set(counter, (this.values.get(counter) ?? 0) + amount);
    if (!this.expiries.has(counter)) this.expiries.set(counter, expiresAt);
  }

  /** The value of the one counter whose name ends with `suffix` (0 when none). */
  valueEndingWith(suffix: string): number {
    const names = [...this.values.keys()].filter((name) => name.endsWith(suffix));
    if (names.length > 1) throw new Error(`several counters end with ${suffix}: ${names.join(', ')}`);
    return names[0] === undefined ? 0 : (this.values.get(names[0]) ?? 0);
  }

  private fail(action: 'reserve' | 'add', counter: string): void {
    if (this.failOn?.action === action && this.failOn.match.test(counter)) {
      throw new Error(`counter store failed on ${action} ${counter}`);
    }
  }
}

export class MemoryResponseCache implements ResponseCache {
  readonly items = new Map<string, { value: CachedCompletion; expiresAt: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  async get(tenant: ProjectTenant, key: string): Promise<CachedCompletion | undefined> {
    const item = this.items.get(`${tenantKey(tenant)}#${key}`);
    return item && item.expiresAt > this.clock() ? structuredClone(item.value) : undefined;
  }

  async put(tenant: ProjectTenant, key: string, value: CachedCompletion, ttlSeconds: number): Promise<void> {
    this.items.set(`${tenantKey(tenant)}#${key}`, {
      value: structuredClone(value),
      expiresAt: this.clock() + ttlSeconds * 1000,
    });
  }
}
