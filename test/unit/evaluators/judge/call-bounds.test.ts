/**
 * A judge call never outlasts its caller's limit: run_metric answers within API Gateway's 29 s (its
 * function's timeout), and the evaluation worker runs one round of tasks within its 5 minutes.
 */
import { describe, expect, it } from 'vitest';
import {
  ANSWERING_JUDGE_CALLS,
  QUEUED_JUDGE_CALLS,
  worstJudgeCallMs,
} from '../../../../lambdas/domain/evaluators/judge/call-bounds';
import { DEFAULT_RETRY_POLICY } from '../../../../lambdas/domain/proxy/retry';
import { EVALUATION_WORKER_TIMEOUT } from '../../../../lib/data-plane/evaluations-queue';
import { EXECUTOR_TIMEOUT } from '../../../../lib/data-plane/evaluator-executor';

/** What a call needs besides the provider's answers: the key (KMS), the budget counters, the model event. */
const OVERHEAD_MS = 4_000;

describe('judge call bounds', () => {
  it("fit run_metric's 29 s: one attempt, no fallback", () => {
    expect(worstJudgeCallMs(ANSWERING_JUDGE_CALLS) + OVERHEAD_MS).toBeLessThanOrEqual(29_000);
  });

  it("fit the evaluation worker's timeout, with the executor's longest run beside it", () => {
    expect(
      worstJudgeCallMs(QUEUED_JUDGE_CALLS) + EXECUTOR_TIMEOUT.toMilliseconds() + OVERHEAD_MS,
    ).toBeLessThanOrEqual(EVALUATION_WORKER_TIMEOUT.toMilliseconds());
  });

  it('count every target and attempt timing out, and the waits between attempts', () => {
    expect(
      worstJudgeCallMs({
        attemptTimeoutMs: 1_000,
        retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
        useFallbacks: false,
      }),
    ).toBe(1_000);
    // The proxy's defaults with three fallbacks: far past what a request may wait.
    expect(
      worstJudgeCallMs({ attemptTimeoutMs: 60_000, retry: DEFAULT_RETRY_POLICY, useFallbacks: true }),
    ).toBe(4 * (3 * 60_000 + 2 * 10_000));
  });
});
