/**
 * The proxy's guards on in-memory counters: budgets exceeded by at most one request under any
 * interleaving, settle corrections, give-back on partial refusal, UTC day and month roll-over,
 * fixed-window rate limits, the refusals' messages and Retry-After.
 */
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../../lambdas/domain/errors';
import { createProxyGuards, MICRO_USD } from '../../../lambdas/domain/proxy/admission';
import type { Admission, ProxyCaller } from '../../../lambdas/domain/proxy/guards';
import type { ProxyLimits } from '../../../lambdas/domain/proxy/limits';
import { MemoryProxyLimitsStore, MemoryUsageCounters } from '../../support/memory-proxy-limits';

const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };
const KEY: ProxyCaller = { tenant: TENANT, credentialId: 'api-key:0123456789abcdef' };
const USER: ProxyCaller = { tenant: TENANT, credentialId: 'user:alice' };
const AT = Date.UTC(2026, 11, 3, 10, 41, 30);

let limits: MemoryProxyLimitsStore;
let counters: MemoryUsageCounters;
let failures: { action: string; counter: string }[];

function guards(options: { limitsCacheMs?: number; clock?: () => number } = {}) {
  return createProxyGuards({
    limits,
    counters,
    limitsCacheMs: options.limitsCacheMs ?? 0,
    clock: options.clock,
    onCounterFailure: (_error, context) => failures.push(context),
  });
}

async function setLimits(value: Partial<ProxyLimits>) {
  await limits.put(TENANT, {
    limits: { project: {}, credentials: {}, ...value },
    updatedAt: 0,
    updatedBy: 'user:admin',
  });
}

async function refusal(promise: Promise<unknown>): Promise<RateLimitedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

beforeEach(() => {
  limits = new MemoryProxyLimitsStore();
  counters = new MemoryUsageCounters();
  failures = [];
});

describe('budgets', () => {
  it('admits everything and touches no counter when the project has no limits', async () => {
    const admission = await guards().admit({ caller: KEY, reserveUsd: 100, at: AT });
    expect(admission.counters).toEqual([]);
    expect(counters.values.size).toBe(0);
    await guards().settle(admission, 3);
    expect(counters.values.size).toBe(0);
  });

  it('for any interleaving of concurrent admits, admits at most one request past the limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.integer({ min: 0, max: 3_000_000 }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        async (scheduler, reservesMicro, limitMicro) => {
          limits = new MemoryProxyLimitsStore();
          counters = new MemoryUsageCounters();
          counters.pause = () => scheduler.schedule(Promise.resolve());
          await setLimits({ project: { usd_per_day: limitMicro / MICRO_USD } });
          const g = guards();
          const outcomes = reservesMicro.map((micro) =>
            g.admit({ caller: KEY, reserveUsd: micro / MICRO_USD, at: AT }).then(
              () => micro,
              (error: unknown) => {
                if (!(error instanceof RateLimitedError)) throw error;
                return undefined;
              },
            ),
          );
          const admitted = (await scheduler.waitFor(Promise.all(outcomes))).filter(
            (m): m is number => m !== undefined,
          );
          const total = admitted.reduce((a, b) => a + b, 0);
          const largest = Math.max(0, ...reservesMicro);
          expect(total).toBeLessThanOrEqual(limitMicro + largest);
          expect(counters.valueEndingWith('#day#2026-12-03')).toBe(total);
          // Only a spent budget refuses: while the admitted total is under the limit, all got in.
          if (total < limitMicro) expect(admitted.length).toBe(reservesMicro.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses once spent, naming the budget, with Retry-After until UTC midnight', async () => {
    await setLimits({ project: { usd_per_day: 5 } });
    const g = guards();
    await g.admit({ caller: KEY, reserveUsd: 4, at: AT });
    await g.admit({ caller: KEY, reserveUsd: 4, at: AT }); // 4 < 5: admitted, and crosses it
    const error = await refusal(g.admit({ caller: KEY, reserveUsd: 0.01, at: AT }));
    expect(error.message).toBe("the project's daily budget of $5.00 is spent");
    expect(error.retryAfterSeconds).toBe((Date.UTC(2026, 11, 4) - AT) / 1000);
  });

  it('settle replaces the reservation with the actual cost, so small calls keep the budget open', async () => {
    await setLimits({ project: { usd_per_day: 1, usd_per_month: 10 } });
    const g = guards();
    for (let i = 0; i < 50; i++) {
      const admission = await g.admit({ caller: KEY, reserveUsd: 0.5, at: AT });
      await g.settle(admission, 0.01);
    }
    expect(counters.valueEndingWith('#day#2026-12-03')).toBe(0.5 * MICRO_USD);
    expect(counters.valueEndingWith('#month#2026-12')).toBe(0.5 * MICRO_USD);
    await refusal(
      g
        .admit({ caller: KEY, reserveUsd: 0.5, at: AT })
        .then((a) => g.settle(a, 0.6))
        .then(() => g.admit({ caller: KEY, reserveUsd: 0, at: AT })),
    );
  });

  it('settle of a failed call (0) gives the whole reservation back', async () => {
    await setLimits({ credentials: { [KEY.credentialId]: { usd_per_month: 2 } } });
    const g = guards();
    const admission = await g.admit({ caller: KEY, reserveUsd: 1.75, at: AT });
    expect(counters.valueEndingWith('#month#2026-12')).toBe(1_750_000);
    await g.settle(admission, 0);
    expect(counters.valueEndingWith('#month#2026-12')).toBe(0);
  });

  it('counts a credential apart from others, and names whose budget is spent', async () => {
    await setLimits({
      credentials: { [KEY.credentialId]: { usd_per_day: 1 }, [USER.credentialId]: { usd_per_month: 1 } },
    });
    const g = guards();
    await g.settle(await g.admit({ caller: KEY, reserveUsd: 1, at: AT }), 1);
    expect((await refusal(g.admit({ caller: KEY, reserveUsd: 0, at: AT }))).message).toBe(
      "this API key's daily budget of $1.00 is spent",
    );
    await g.admit({ caller: USER, reserveUsd: 1, at: AT });
    const error = await refusal(g.admit({ caller: USER, reserveUsd: 0, at: AT }));
    expect(error.message).toBe("this user's monthly budget of $1.00 is spent");
    expect(error.retryAfterSeconds).toBe((Date.UTC(2027, 0, 1) - AT) / 1000);
  });

  it('a budget of 0 refuses every call, including unpriced ones', async () => {
    await setLimits({ project: { usd_per_month: 0 } });
    await refusal(guards().admit({ caller: KEY, reserveUsd: 0, at: AT }));
  });

  it('rolls over at UTC midnight and at the end of the month, leap day included', async () => {
    await setLimits({ project: { usd_per_day: 1, usd_per_month: 1.5 } });
    const g = guards();
    const lastDay = Date.UTC(2028, 1, 29, 23, 59, 59, 999);
    await g.admit({ caller: KEY, reserveUsd: 1, at: lastDay });
    const day = await refusal(g.admit({ caller: KEY, reserveUsd: 0.1, at: lastDay }));
    expect(day.retryAfterSeconds).toBe(1);
    // A millisecond later it is March: a new day and a new month.
    await g.admit({ caller: KEY, reserveUsd: 1, at: lastDay + 1 });
    expect(counters.valueEndingWith('#day#2028-02-29')).toBe(MICRO_USD);
    expect(counters.valueEndingWith('#day#2028-03-01')).toBe(MICRO_USD);
    expect(counters.valueEndingWith('#month#2028-03')).toBe(MICRO_USD);
    // March's budget (1.5) is not spent after one dollar: 0.5 more is admitted on the 2nd.
    await g.admit({ caller: KEY, reserveUsd: 0.5, at: Date.UTC(2028, 2, 2) });
    const month = await refusal(g.admit({ caller: KEY, reserveUsd: 0.1, at: Date.UTC(2028, 2, 2) }));
    expect(month.message).toBe("the project's monthly budget of $1.50 is spent");
    expect(month.retryAfterSeconds).toBe((Date.UTC(2028, 3, 1) - Date.UTC(2028, 2, 2)) / 1000);
  });

  it('settles on the period of the admission, even when it ends after midnight', async () => {
    await setLimits({ project: { usd_per_day: 10 } });
    const g = guards();
    const admission = await g.admit({ caller: KEY, reserveUsd: 2, at: Date.UTC(2026, 11, 3, 23, 59, 59) });
    await g.settle(admission, 0.5);
    expect(counters.valueEndingWith('#day#2026-12-03')).toBe(500_000);
    expect(counters.valueEndingWith('#day#2026-12-04')).toBe(0);
  });

  it('gives counters an expiry a day after their period', async () => {
    await setLimits({ project: { usd_per_day: 10, requests_per_minute: 5 } });
    await guards().admit({ caller: KEY, reserveUsd: 1, at: AT });
    const expiries = Object.fromEntries(
      [...counters.expiries].map(([name, at]) => [name.split('#').slice(-2).join('#'), at]),
    );
    expect(expiries).toEqual({
      'day#2026-12-03': Date.UTC(2026, 11, 5) / 1000,
      'minute#2026-12-03T10:41': Date.UTC(2026, 11, 4, 10, 42) / 1000,
    });
  });
});

describe('rate limits', () => {
  it('admits requests_per_minute calls in a UTC minute, then refuses until the next minute', async () => {
    await setLimits({ project: { requests_per_minute: 3 } });
    const g = guards();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => g.admit({ caller: KEY, reserveUsd: 0, at: AT })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const error = await refusal(g.admit({ caller: KEY, reserveUsd: 0, at: AT }));
    expect(error.message).toBe("the project's rate limit of 3 requests per minute is reached");
    expect(error.retryAfterSeconds).toBe(30);
    // A fixed window: the next minute starts empty.
    await g.admit({ caller: KEY, reserveUsd: 0, at: Date.UTC(2026, 11, 3, 10, 42) });
    // Refused calls are not counted.
    expect(counters.valueEndingWith('#minute#2026-12-03T10:41')).toBe(3);
  });

  it('for any calls spread over a few minutes, admits min(calls, limit) in each UTC minute', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 3 * 60_000 - 1 }), { maxLength: 40 }),
        async (rate, offsets) => {
          limits = new MemoryProxyLimitsStore();
          counters = new MemoryUsageCounters();
          await setLimits({ project: { requests_per_minute: rate } });
          const g = guards();
          const start = Date.UTC(2026, 11, 3, 23, 59);
          const admitted = new Map<number, number>();
          const calls = new Map<number, number>();
          await Promise.all(
            offsets.map(async (offset) => {
              const minute = Math.floor(offset / 60_000);
              calls.set(minute, (calls.get(minute) ?? 0) + 1);
              try {
                await g.admit({ caller: KEY, reserveUsd: 0, at: start + offset });
                admitted.set(minute, (admitted.get(minute) ?? 0) + 1);
              } catch (error) {
                expect(error).toBeInstanceOf(RateLimitedError);
                expect((error as RateLimitedError).retryAfterSeconds).toBe(
                  60 - Math.floor((offset % 60_000) / 1000),
                );
              }
            }),
          );
          for (const [minute, count] of calls) expect(admitted.get(minute) ?? 0).toBe(Math.min(count, rate));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('holds each credential to its own rate and the project to its total', async () => {
    await setLimits({
      project: { requests_per_minute: 3 },
      credentials: { [KEY.credentialId]: { requests_per_minute: 1 } },
    });
    const g = guards();
    await g.admit({ caller: KEY, reserveUsd: 0, at: AT });
    expect((await refusal(g.admit({ caller: KEY, reserveUsd: 0, at: AT }))).message).toBe(
      "this API key's rate limit of 1 requests per minute is reached",
    );
    await g.admit({ caller: USER, reserveUsd: 0, at: AT });
    // KEY's refused call gave its project slot back: one is left for USER.
    await g.admit({ caller: USER, reserveUsd: 0, at: AT });
    await refusal(g.admit({ caller: USER, reserveUsd: 0, at: AT }));
  });
});

describe('partial refusals and failures', () => {
  it('gives back every reservation made when a later counter refuses', async () => {
    await setLimits({
      project: { usd_per_day: 100, usd_per_month: 100, requests_per_minute: 100 },
      credentials: { [KEY.credentialId]: { usd_per_day: 1 } },
    });
    const g = guards();
    await g.admit({ caller: KEY, reserveUsd: 1, at: AT });
    const before = new Map(counters.values);
    const error = await refusal(g.admit({ caller: KEY, reserveUsd: 3, at: AT }));
    expect(error.message).toBe("this API key's daily budget of $1.00 is spent");
    expect(counters.values).toEqual(before);
  });

  it('names every limit that refused, and waits for the latest of them', async () => {
    await setLimits({ project: { usd_per_month: 1, requests_per_minute: 1 } });
    const g = guards();
    await g.admit({ caller: KEY, reserveUsd: 1, at: AT });
    const error = await refusal(g.admit({ caller: KEY, reserveUsd: 1, at: AT }));
    expect(error.message).toBe(
      "the project's rate limit of 1 requests per minute is reached; the project's monthly budget of $1.00 is spent",
    );
    expect(error.retryAfterSeconds).toBe((Date.UTC(2027, 0, 1) - AT) / 1000);
  });

  it('gives back the granted reservations and rethrows when a counter fails', async () => {
    await setLimits({ project: { usd_per_day: 10, usd_per_month: 10 } });
    counters.failOn = { action: 'reserve', match: /#month#/ };
    await expect(guards().admit({ caller: KEY, reserveUsd: 2, at: AT })).rejects.toThrow(
      'counter store failed',
    );
    expect(counters.valueEndingWith('#day#2026-12-03')).toBe(0);
  });

  it('reports a failed give-back and still refuses', async () => {
    await setLimits({ project: { usd_per_day: 10, requests_per_minute: 0 } });
    counters.failOn = { action: 'add', match: /#day#/ };
    await refusal(guards().admit({ caller: KEY, reserveUsd: 2, at: AT }));
    expect(failures).toEqual([
      { action: 'undo', counter: expect.stringMatching(/#project#day#2026-12-03$/) },
    ]);
  });

  it('settle never throws: a failing store or a bad cost is reported, and the reservation stays', async () => {
    await setLimits({ project: { usd_per_day: 10 } });
    const g = guards();
    const admission: Admission = await g.admit({ caller: KEY, reserveUsd: 2, at: AT });
    counters.failOn = { action: 'add', match: /./ };
    await expect(g.settle(admission, 1)).resolves.toBeUndefined();
    counters.failOn = undefined;
    await expect(g.settle(admission, Number.NaN)).resolves.toBeUndefined();
    expect(failures.map((f) => f.action)).toEqual(['settle', 'settle']);
    expect(counters.valueEndingWith('#day#2026-12-03')).toBe(2 * MICRO_USD);
  });

  it('refuses a reservation that is not a finite non-negative number', async () => {
    for (const reserveUsd of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(guards().admit({ caller: KEY, reserveUsd, at: AT })).rejects.toThrow('reserveUsd');
    }
  });
});

describe('cached limits', () => {
  it('reads a project limits once per cache period, and again after invalidate()', async () => {
    await setLimits({ project: { usd_per_day: 10 } });
    let now = AT;
    const g = guards({ limitsCacheMs: 10_000, clock: () => now });
    await g.admit({ caller: KEY, reserveUsd: 1, at: now });
    await g.admit({ caller: KEY, reserveUsd: 1, at: now });
    expect(limits.gets).toBe(1);
    await setLimits({ project: { usd_per_day: 0 } });
    await g.admit({ caller: KEY, reserveUsd: 1, at: now });
    g.invalidate(TENANT);
    await refusal(g.admit({ caller: KEY, reserveUsd: 1, at: now }));
    now += 10_001;
    await refusal(g.admit({ caller: KEY, reserveUsd: 1, at: now }));
    expect(limits.gets).toBe(3);
  });
});
