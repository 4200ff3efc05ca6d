/**
 * How long a judge may hold its caller, by the limit the caller answers within. A judge call is the
 * proxy's: attempts with a timeout each, retries with backoff, then the model's fallbacks. run_metric
 * answers behind API Gateway, which gives up after 29 s (the function's timeout too), so it makes one
 * attempt and no fallback; the evaluation worker retries and falls back, within its invocation
 * (evaluations-queue.ts: 5 minutes, one round of tasks per invocation).
 */
import { MAX_FALLBACKS } from '../../proxy/chat-request';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../../proxy/retry';

export interface JudgeCallBounds {
  /** Longest wait for one provider answer. */
  attemptTimeoutMs: number;
  retry: RetryPolicy;
  /** Whether the deployment's judge fallbacks (JUDGE_FALLBACKS) are tried after the model fails. */
  useFallbacks: boolean;
}

/** For a caller that answers a request (run_metric): one attempt, no fallback. */
export const ANSWERING_JUDGE_CALLS: JudgeCallBounds = {
  attemptTimeoutMs: 20_000,
  retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 0 },
  useFallbacks: false,
};

/** For the evaluation worker: one retry per model, then the fallbacks. */
export const QUEUED_JUDGE_CALLS: JudgeCallBounds = {
  attemptTimeoutMs: 15_000,
  retry: { maxRetries: 1, baseDelayMs: 250, maxDelayMs: 4_000, maxRetryAfterMs: 4_000 },
  useFallbacks: true,
};

/** The longest a judge call can take under these bounds (every target and attempt timing out). */
export function worstJudgeCallMs(bounds: JudgeCallBounds): number {
  const targets = 1 + (bounds.useFallbacks ? MAX_FALLBACKS : 0);
  const attempts = 1 + bounds.retry.maxRetries;
  const longestWait = Math.max(bounds.retry.maxDelayMs, bounds.retry.maxRetryAfterMs);
  return targets * (attempts * bounds.attemptTimeoutMs + bounds.retry.maxRetries * longestWait);
}
