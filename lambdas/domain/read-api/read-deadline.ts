/**
 * Every read has a deadline: API Gateway's HTTP API waits at most 30 s for the integration (29 s
 * usable once the gateway's own work is counted), then answers 503/504 itself while the function
 * runs on for nobody. So a read gets 29 s from when the gateway received it, minus a margin to shape,
 * compress and return the answer, and each statement gets what is left of that (not a fixed
 * timeout each). A read that cannot finish is refused (TimedOutError) naming the limit.
 */
import { TimedOutError } from '../errors';
import { DeadlineExceededError } from '../query/deadline';

/** API Gateway HTTP API: integration timeout of at most 30 s; 29 s usable. */
export const API_GATEWAY_USABLE_MS = 29_000;
/** Kept back from the 29 s to serialize, compress and send the answer after the last statement. */
export const RESPONSE_MARGIN_MS = 2_000;
/** Default time a read may take from the gateway's receipt of the request. */
export const DEFAULT_READ_BUDGET_MS = API_GATEWAY_USABLE_MS - RESPONSE_MARGIN_MS;

export interface DeadlineInputs {
  /** When the gateway received the request (requestContext.timeEpoch); never later than now. */
  arrivedAt: number | undefined;
  now: number;
  budgetMs: number;
  /** The Lambda invocation's own remaining time, when shorter than the gateway's. */
  invocationRemainingMs?: number;
}

export function readDeadline(inputs: DeadlineInputs): number {
  const arrivedAt = Math.min(inputs.arrivedAt ?? inputs.now, inputs.now);
  const byGateway = arrivedAt + inputs.budgetMs;
  if (inputs.invocationRemainingMs === undefined) return byGateway;
  return Math.min(byGateway, inputs.now + inputs.invocationRemainingMs - RESPONSE_MARGIN_MS);
}

export function gatewayTimeout(budgetMs: number): TimedOutError {
  return new TimedOutError(
    `The read did not finish within its ${Math.round(budgetMs / 100) / 10} s (API Gateway answers every request within ${API_GATEWAY_USABLE_MS / 1000} s): narrow it with a dateRange, filters or a smaller limit`,
  );
}

/**
 * The work's result, or a TimedOutError at the deadline, whichever comes first. Statements still running are
 * stopped by their engines at the same deadline; an engine that reports it (DeadlineExceededError)
 * also times out.
 */
export async function withinDeadline<T>(work: Promise<T>, deadline: number, budgetMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(gatewayTimeout(budgetMs)), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, expired]);
  } catch (error) {
    if (error instanceof DeadlineExceededError) throw gatewayTimeout(budgetMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
