/**
 * What a backfill would cost before it runs: how many events it would score and, on paper, the
 * judge's tokens and the platform's share. The count is the range's matching events times the
 * sampling percentage (sampling is a hash, so the expected share is the percentage); the judge's
 * cost prices each call as the judge reserves it (judge-runner.ts's worst case: the prompt with the
 * event at ESTIMATED_EVENT_CHARS, and the whole completion limit), so the estimate errs high.
 */
import { ValidationError } from '../../errors';
import { findPrice } from '../../pricing/find-price';
import { parseModelTarget } from '../../proxy/routing';
import type { EvaluatorDefinition } from '../evaluator';
import { DEFAULT_JUDGE_MAX_OUTPUT_TOKENS, judgeModelOf } from '../judge/judge-runner';
import { BACKFILL_BATCH_SIZE, type BackfillRequest } from './request';

/** Characters an event's inputs and outputs add to a judge prompt, assumed (a long chat turn). */
export const ESTIMATED_EVENT_CHARS = 4_000;

/**
 * The platform's cost of one evaluation on AWS (list prices, us-east-1, arm64): the executor's or
 * judge's share of a score-step invocation (1 GB for about 2 s per event: $0.0000266668), its share
 * of the step's request ($0.20 per million, / BACKFILL_BATCH_SIZE), one executor request for Python
 * ($0.0000002 plus 512 MB for 0.2 s: $0.0000013334), the score's metrics update through the events
 * queue and the writer (about $0.0000010), and Step Functions' transitions ($0.000025 each, about
 * four per map item, / BACKFILL_BATCH_SIZE). Model tokens are priced apart.
 */
const PLATFORM_USD_PER_EVALUATION = {
  step: 0.0000266668 + 0.0000002 / BACKFILL_BATCH_SIZE + (4 * 0.000025) / BACKFILL_BATCH_SIZE,
  python: 0.0000002 + 0.0000013334,
  update: 0.000001,
};

export interface BackfillEstimate {
  /** Stored events in the range matching the selectors and filters. */
  matching_events: number;
  /** Of those, the expected number sampled (what the run would score). */
  events: number;
  max_events: number;
  judge_usd: number;
  platform_usd: number;
  total_usd: number;
  /** Whether the caps allow the run; when not, `refusal` says why. */
  within_caps: boolean;
  refusal?: string;
}

export function estimateBackfill(
  evaluator: EvaluatorDefinition,
  request: BackfillRequest,
  matchingEvents: number,
): BackfillEstimate {
  const sampling = request.samplingPercentage ?? evaluator.samplingPercentage;
  const events = Math.ceil((matchingEvents * sampling) / 100);
  const judgeCalls = events * judgeCallsPerEvaluation(evaluator);
  const judgeUsd = judgeCalls === 0 ? 0 : judgeCalls * judgeCallUsd(evaluator);
  const platformUsd =
    events *
    (PLATFORM_USD_PER_EVALUATION.step +
      PLATFORM_USD_PER_EVALUATION.update +
      (evaluator.type === 'custom' ? PLATFORM_USD_PER_EVALUATION.python : 0));
  const total = judgeUsd + platformUsd;
  const estimate: BackfillEstimate = {
    matching_events: matchingEvents,
    events,
    max_events: request.maxEvents,
    judge_usd: roundUsd(judgeUsd),
    platform_usd: roundUsd(platformUsd),
    total_usd: roundUsd(total),
    within_caps: true,
  };
  const refusal =
    events > request.maxEvents
      ? `it would score about ${events} events, above max_events ${request.maxEvents}: narrow the range or filters, or raise max_events`
      : request.maxCostUsd !== undefined && total > request.maxCostUsd
        ? `it would cost about $${roundUsd(total)}, above max_cost_usd ${request.maxCostUsd}`
        : undefined;
  return refusal === undefined ? estimate : { ...estimate, within_caps: false, refusal };
}

/** A composite's judges are its children's; the estimate counts the parent's own kind only. */
function judgeCallsPerEvaluation(evaluator: EvaluatorDefinition): number {
  return evaluator.type === 'model' ? 1 : 0;
}

function judgeCallUsd(evaluator: EvaluatorDefinition): number {
  const model = judgeModelOf(evaluator);
  const target = model.ok ? parseModelTarget(model.name) : undefined;
  const price = target && findPrice(target.model, target.provider);
  // An unpriced model: its tokens cannot be estimated, and the judge's daily budget still bounds it.
  if (!price) return 0;
  const promptTokens = Math.ceil(((evaluator.prompt ?? '').length + ESTIMATED_EVENT_CHARS) / 4);
  return (promptTokens * price.input + DEFAULT_JUDGE_MAX_OUTPUT_TOKENS * price.output) / 1_000_000;
}

function roundUsd(usd: number): number {
  return Math.round(usd * 1_000_000) / 1_000_000;
}

/** The refusal as the API's error. */
export function capError(estimate: BackfillEstimate): ValidationError {
  return new ValidationError(`backfill refused: ${estimate.refusal ?? 'over its caps'}`);
}
