/**
 * Wraps an AWS Lambda handler so spans leave before the invocation returns (the sandbox may be frozen
 * right after), spending at most a fixed budget on the flush. The handler's result and error pass
 * through untouched: the flush can neither change them nor delay them past the budget.
 */
import { settleWithin } from './timeouts';

export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number;
}

export type LambdaCallback<R> = (error?: unknown, result?: R) => void;
export type AsyncLambdaHandler<E, C, R> = (event: E, context: C) => Promise<R> | R;
export type CallbackLambdaHandler<E, C, R> = (event: E, context: C, callback: LambdaCallback<R>) => void;

export interface LambdaFlushOptions {
  flush: () => Promise<unknown>;
  /** Most time spent flushing after the handler finished. */
  flushBudgetMs: number;
}

/** Time kept free before Lambda's own deadline so the response still goes out. */
const DEADLINE_SAFETY_MS = 50;

// Async (or plain) handlers first: a two-parameter function would also fit the callback signature.
export function wrapLambdaHandler<E, C, R>(
  handler: AsyncLambdaHandler<E, C, R>,
  options: LambdaFlushOptions,
): (event: E, context: C) => Promise<Awaited<R>>;
export function wrapLambdaHandler<E, C, R>(
  handler: CallbackLambdaHandler<E, C, R>,
  options: LambdaFlushOptions,
): CallbackLambdaHandler<E, C, R>;
export function wrapLambdaHandler<E, C, R>(
  handler: AsyncLambdaHandler<E, C, R> | CallbackLambdaHandler<E, C, R>,
  options: LambdaFlushOptions,
): CallbackLambdaHandler<E, C, R> | ((event: E, context: C) => Promise<Awaited<R>>) {
  // Lambda itself tells the two styles apart by arity: a third parameter means callback style.
  if (handler.length >= 3) {
    const callbackHandler = handler as CallbackLambdaHandler<E, C, R>;
    return (event, context, callback) => {
      let answered = false;
      const answer: LambdaCallback<R> = (error, result) => {
        if (answered) return;
        answered = true;
        void boundedFlush(options, context).then(() => callback(error, result));
      };
      try {
        callbackHandler(event, context, answer);
      } catch (error) {
        answer(error);
      }
    };
  }
  const asyncHandler = handler as AsyncLambdaHandler<E, C, R>;
  return async (event: E, context: C): Promise<Awaited<R>> => {
    let result: Awaited<R>;
    try {
      result = await asyncHandler(event, context);
    } catch (error) {
      await boundedFlush(options, context);
      throw error;
    }
    await boundedFlush(options, context);
    return result;
  };
}

/** Flushes within the budget, shortened when Lambda's own deadline is closer; never rejects. */
function boundedFlush(options: LambdaFlushOptions, context: unknown): Promise<boolean> {
  let budget = options.flushBudgetMs;
  const remaining = remainingTimeMs(context);
  if (remaining !== undefined) budget = Math.min(budget, remaining - DEADLINE_SAFETY_MS);
  return settleWithin(options.flush, budget);
}

function remainingTimeMs(context: unknown): number | undefined {
  try {
    const getter = (context as LambdaContextLike | null | undefined)?.getRemainingTimeInMillis;
    if (typeof getter !== 'function') return undefined;
    const value = getter.call(context);
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
