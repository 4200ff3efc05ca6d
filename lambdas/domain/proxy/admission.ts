/**
 * ProxyGuards over a limits store and usage counters: the budgets and rate limits of issue 14.
 *
 * - A budget (project or credential, per UTC day and month) is a counter of reserved-then-settled
 *   micro-dollars. admit() reserves the call's worst case on it with a conditional add that succeeds
 *   only while the counter is below the limit, so concurrent calls can cross the limit by at most
 *   one request's reservation: the last one admitted. settle() then replaces the reservation by the
 *   real cost (usually smaller), so the counter ends as the money actually spent.
 * - A rate limit is a counter of calls per fixed UTC minute, reserved the same way (amount 1), so at
 *   most `requests_per_minute` calls start in a minute. Fixed windows allow up to twice the rate
 *   across a minute boundary; they need one item per minute and one conditional update, where a
 *   sliding window needs two reads or a log. It is a guard against runaway loops, not a shaper.
 * - Every counter that applies is reserved at once (in parallel); if any refuses, or fails, the ones
 *   granted are given back before the refusal is thrown, so a refused call costs nothing.
 *
 * Limits are read per project and kept in memory briefly (10 s by default): a change made in
 * another instance applies within that; invalidate() applies one at once in this instance.
 */
import { RateLimitedError } from '../errors';
import type { ProjectTenant } from '../providers/resolve';
import type { Admission, AdmissionRequest, ProxyCaller, ProxyGuards } from './guards';
import type { ProxyLimitsStore, UsageCounters } from './limit-ports';
import { formatUsd, type LimitSet, NO_LIMITS, type ProxyLimits } from './limits';
import { counterExpiry, type Period, type PeriodKind, periodOf, secondsUntilEnd } from './periods';

/** Counters hold whole micro-dollars: DynamoDB adds decimals exactly, but JS floats would drift. */
export const MICRO_USD = 1_000_000;

export interface ProxyGuardsOptions {
  limits: ProxyLimitsStore;
  counters: UsageCounters;
  /** How long a project's limits are kept in memory; 0 reads them on every call. */
  limitsCacheMs?: number;
  clock?: () => number;
  /**
   * A counter could not be corrected: a settle (the reservation stays, so the budget counts the
   * worst case) or the give-back of a refused call's reservation (it counts a call that did not
   * happen). Both err on the side of spending less.
   */
  onCounterFailure?: (error: unknown, context: { action: 'settle' | 'undo'; counter: string }) => void;
}

export interface ProxyGuardsWithLimits extends ProxyGuards {
  /** Forgets the cached limits of a project (after a PUT in the same process). */
  invalidate(tenant: ProjectTenant): void;
}

interface Check {
  counter: string;
  amount: number;
  limit: number;
  period: Period;
  budget: boolean;
  describe: () => string;
}

const MAX_CACHED_PROJECTS = 1000;

export function createProxyGuards(options: ProxyGuardsOptions): ProxyGuardsWithLimits {
  const clock = options.clock ?? Date.now;
  const cacheMs = options.limitsCacheMs ?? 10_000;
  const cached = new Map<string, { limits: ProxyLimits; until: number }>();

  async function limitsOf(tenant: ProjectTenant): Promise<ProxyLimits> {
    const key = tenantKey(tenant);
    const now = clock();
    const hit = cached.get(key);
    if (hit && hit.until > now) return hit.limits;
    const limits = (await options.limits.get(tenant))?.limits ?? NO_LIMITS;
    if (cacheMs > 0) {
      cached.delete(key);
      if (cached.size >= MAX_CACHED_PROJECTS) cached.delete(cached.keys().next().value as string);
      cached.set(key, { limits, until: now + cacheMs });
    }
    return limits;
  }

  async function giveBack(check: Check): Promise<void> {
    try {
      await options.counters.add(check.counter, -check.amount, counterExpiry(check.period));
    } catch (error) {
      options.onCounterFailure?.(error, { action: 'undo', counter: check.counter });
    }
  }

  return {
    invalidate: (tenant) => void cached.delete(tenantKey(tenant)),

    async admit(request: AdmissionRequest): Promise<Admission> {
      const { caller, reserveUsd, at } = request;
      if (!Number.isFinite(reserveUsd) || reserveUsd < 0) {
        throw new Error(`reserveUsd must be a finite non-negative number, not ${reserveUsd}`);
      }
      const limits = await limitsOf(caller.tenant);
      const checks = checksFor(caller, limits, toMicro(reserveUsd), at);
      const outcomes = await Promise.allSettled(
        checks.map((check) =>
          options.counters.reserve(check.counter, check.amount, check.limit, counterExpiry(check.period)),
        ),
      );
      const granted: Check[] = [];
      const refused: Check[] = [];
      let failure: PromiseRejectedResult | undefined;
      outcomes.forEach((outcome, i) => {
        const check = checks[i] as Check;
        if (outcome.status === 'rejected') failure ??= outcome;
        else (outcome.value ? granted : refused).push(check);
      });
      if (refused.length > 0 || failure) {
        await Promise.all(granted.filter((check) => check.amount !== 0).map(giveBack));
        if (failure) throw failure.reason;
        throw new RateLimitedError(
          refused.map((check) => check.describe()).join('; '),
          Math.max(...refused.map((check) => secondsUntilEnd(check.period, at))),
        );
      }
      return {
        caller,
        reservedUsd: reserveUsd,
        at,
        counters: checks.filter((check) => check.budget).map((check) => check.counter),
      };
    },

    async settle(admission: Admission, actualUsd: number): Promise<void> {
      await Promise.all(
        admission.counters.map(async (counter) => {
          try {
            if (!Number.isFinite(actualUsd) || actualUsd < 0) {
              throw new Error(`actual cost must be a finite non-negative number, not ${actualUsd}`);
            }
            const delta = toMicro(actualUsd) - toMicro(admission.reservedUsd);
            if (delta === 0) return;
            const period = periodOf(kindOfCounter(counter), admission.at);
            await options.counters.add(counter, delta, counterExpiry(period));
          } catch (error) {
            options.onCounterFailure?.(error, { action: 'settle', counter });
          }
        }),
      );
    },
  };
}

/** Whole micro-dollars, rounded up: a reservation never undercounts. */
export function toMicro(usd: number): number {
  return Math.ceil(Math.round(usd * MICRO_USD * 1000) / 1000);
}

function checksFor(caller: ProxyCaller, limits: ProxyLimits, reserve: number, at: number): Check[] {
  const tenant = tenantKey(caller.tenant);
  const scopes: { name: string; owner: string; set: LimitSet | undefined }[] = [
    { name: 'project', owner: "the project's", set: limits.project },
    {
      name: `credential:${encodeURIComponent(caller.credentialId)}`,
      owner: caller.credentialId.startsWith('user:') ? "this user's" : "this API key's",
      set: limits.credentials[caller.credentialId],
    },
  ];
  const checks: Check[] = [];
  for (const { name, owner, set } of scopes) {
    if (set === undefined) continue;
    const counter = (period: Period) => `${tenant}#${name}#${period.kind}#${period.label}`;
    if (set.requests_per_minute !== undefined) {
      const limit = set.requests_per_minute;
      const period = periodOf('minute', at);
      checks.push({
        counter: counter(period),
        amount: 1,
        limit,
        period,
        budget: false,
        describe: () => `${owner} rate limit of ${limit} requests per minute is reached`,
      });
    }
    for (const [kind, usd, word] of [
      ['day', set.usd_per_day, 'daily'],
      ['month', set.usd_per_month, 'monthly'],
    ] as const) {
      if (usd === undefined) continue;
      const period = periodOf(kind, at);
      checks.push({
        counter: counter(period),
        amount: reserve,
        limit: toMicro(usd),
        period,
        budget: true,
        describe: () => `${owner} ${word} budget of ${formatUsd(usd)} is spent`,
      });
    }
  }
  return checks;
}

function kindOfCounter(counter: string): PeriodKind {
  const kind = counter.split('#').at(-2);
  if (kind !== 'day' && kind !== 'month' && kind !== 'minute') {
    throw new Error(`not a usage counter name: ${counter}`);
  }
  return kind;
}

/** A project's part of counter names; ids percent-encoded so no id reaches into another's. */
export function tenantKey(tenant: ProjectTenant): string {
  return [tenant.org_id, tenant.workspace_id, tenant.project_id].map(encodeURIComponent).join(':');
}
