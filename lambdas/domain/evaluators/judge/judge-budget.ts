/**
 * A judge's daily budget, per evaluator: dollars per UTC day that its calls may cost, so a judge
 * that runs away (a broad online filter, a backfill over months) stops by itself. It is counted on
 * the LLM proxy's usage counters (DynamoDB conditional counters on AWS and locally, memory in tests),
 * the way the proxy counts a project's budget: before a call, the call's worst case is reserved with
 * an add that succeeds only while the counter is below the budget; after it, the reservation is
 * replaced by what the call cost. Concurrent judges can cross the budget by at most one call's
 * reservation each. The counter is the evaluator's, across its versions.
 */

import type { Tenant } from '../../events/event';
import { MICRO_USD, tenantKey, toMicro } from '../../proxy/admission';
import type { UsageCounters } from '../../proxy/limit-ports';
import { formatUsd } from '../../proxy/limits';
import { counterExpiry, type Period, periodOf, secondsUntilEnd } from '../../proxy/periods';
import type { EvaluatorDefinition } from '../evaluator';

export interface JudgeBudgetOptions {
  counters: UsageCounters;
  /** Dollars a day for an evaluator whose definition names no budget of its own. */
  defaultUsdPerDay: number;
  /** A reservation could not be replaced by the real cost (the counter keeps the worst case). */
  onCounterFailure?: (error: unknown, context: { counter: string }) => void;
}

/** A granted reservation, handed back to settle(). */
export interface JudgeBudgetHold {
  readonly counter: string;
  readonly reservedMicroUsd: number;
  readonly period: Period;
}

export type JudgeBudgetDecision =
  | { granted: true; hold: JudgeBudgetHold }
  | { granted: false; message: string; retryAfterSeconds: number };

export interface JudgeBudget {
  /** Reserves `usd` on the evaluator's counter of the day of `at`; throws only when the counter store fails. */
  reserve(
    tenant: Tenant,
    evaluator: EvaluatorDefinition,
    usd: number,
    at: number,
  ): Promise<JudgeBudgetDecision>;
  /** Replaces the reservation with the actual cost (0 when the call failed). Never throws. */
  settle(hold: JudgeBudgetHold, actualUsd: number): Promise<void>;
}

export function createJudgeBudget(options: JudgeBudgetOptions): JudgeBudget {
  checkBudget(options.defaultUsdPerDay, 'the default judge budget');
  return {
    async reserve(tenant, evaluator, usd, at) {
      if (!Number.isFinite(usd) || usd < 0)
        throw new Error(`a reservation must be a non-negative number, not ${usd}`);
      const budgetUsd = evaluator.judgeBudgetUsdPerDay ?? options.defaultUsdPerDay;
      checkBudget(budgetUsd, `the judge budget of evaluator ${evaluator.id}`);
      const period = periodOf('day', at);
      const counter = judgeBudgetCounter(tenant, evaluator.id, period);
      const amount = toMicro(usd);
      const granted = await options.counters.reserve(
        counter,
        amount,
        toMicro(budgetUsd),
        counterExpiry(period),
      );
      if (!granted) {
        return {
          granted: false,
          message: `the daily judge budget of ${formatUsd(budgetUsd)} of evaluator "${evaluator.name}" is spent for ${period.label} (UTC); it renews at midnight UTC`,
          retryAfterSeconds: secondsUntilEnd(period, at),
        };
      }
      return { granted: true, hold: { counter, reservedMicroUsd: amount, period } };
    },

    async settle(hold, actualUsd) {
      try {
        const actual = Number.isFinite(actualUsd) && actualUsd > 0 ? toMicro(actualUsd) : 0;
        const delta = actual - hold.reservedMicroUsd;
        if (delta !== 0) await options.counters.add(hold.counter, delta, counterExpiry(hold.period));
      } catch (error) {
        options.onCounterFailure?.(error, { counter: hold.counter });
      }
    },
  };
}

/**
 * The counter of one evaluator's day: beside the proxy's project and credential counters in the
 * same table (`<tenant>#<scope>#<period kind>#<period label>`), with the scope `evaluator:<id>`.
 */
export function judgeBudgetCounter(tenant: Tenant, evaluatorId: string, period: Period): string {
  return `${tenantKey(tenant)}#evaluator:${encodeURIComponent(evaluatorId)}#${period.kind}#${period.label}`;
}

/** What a counter holds, in dollars. */
export function microToUsd(micro: number): number {
  return micro / MICRO_USD;
}

function checkBudget(usd: number, what: string): void {
  if (!Number.isFinite(usd) || usd < 0)
    throw new Error(`${what} must be a non-negative number of dollars, not ${usd}`);
}
