/**
 * The proxy-limits routes of the provider-keys function (the data plane's admin function for the
 * proxy): read and replace the budgets and rate limits of the caller's project. The caller is
 * already authenticated with the admin scope by app.ts; the tenant is always the credential's.
 */

import type { ProjectTenant } from '../domain/providers/resolve';
import type { ProxyLimitsStore } from '../domain/proxy/limit-ports';
import { parseProxyLimits, proxyLimitsView } from '../domain/proxy/limits';

export interface ProxyLimitsRouteDeps {
  store: ProxyLimitsStore;
  clock: () => number;
  /** Limits cached in the same process (the local platform's guards), forgotten after a change. */
  invalidate?: (tenant: ProjectTenant) => void;
}

export function proxyLimitsRoutes(deps: ProxyLimitsRouteDeps) {
  return {
    async get(tenant: ProjectTenant) {
      return { status: 200, body: proxyLimitsView(await deps.store.get(tenant)) };
    },
    async put(tenant: ProjectTenant, actor: string, body: Record<string, unknown>) {
      const stored = { limits: parseProxyLimits(body), updatedAt: deps.clock(), updatedBy: actor };
      await deps.store.put(tenant, stored);
      deps.invalidate?.(tenant);
      return { status: 200, body: proxyLimitsView(stored) };
    },
  };
}
