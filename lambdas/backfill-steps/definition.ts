/**
 * The backfill workflow in Amazon States Language (JSONPath), one definition for both places it
 * runs: lib/data-plane/backfills.ts hands it to Step Functions with its placeholders substituted
 * (definitionSubstitutions), and lambdas/local/backfill-runner.ts runs it in an ASL interpreter
 * after the rewrite that interpreter needs (see there).
 *
 * Prepare (list the events, write the item list to S3) -> ScoreBatches (Distributed Map reading
 * the item list from S3, each item a batch of events scored by one invocation of the steps
 * function, with retries and jitter on throttling, a tolerated failure percentage, and redrive of
 * failed items) -> Finalize (sum the items' results). A run whose Map exceeds its tolerance fails;
 * `RedriveExecution` then reruns only the failed items.
 */
import { BACKFILL_TOLERATED_FAILURE_PERCENTAGE } from '../domain/evaluators/backfill/request';
import {
  ITEM_RETRY,
  LAMBDA_RETRY,
  mapWorkflowDefinition,
  type StateMachineDefinition,
} from '../domain/workflows/asl';

/** Map items scored at once: the evaluator executor's and the providers' load. */
export const BACKFILL_MAX_CONCURRENCY = 10;

export function backfillDefinition(): StateMachineDefinition {
  return mapWorkflowDefinition({
    comment:
      'Waggle backfill: one evaluator version over stored events (lambdas/backfill-steps/definition.ts)',
    // A backfill of MAX_BACKFILL_EVENTS judge calls at the concurrency above takes hours, not a day.
    timeoutSeconds: 24 * 3600,
    mapState: 'ScoreBatches',
    itemState: 'ScoreBatch',
    itemStep: 'score',
    // A batch's own failure (an unreadable event, a sandbox fault, scores not published): twice more.
    itemRetries: [LAMBDA_RETRY, ITEM_RETRY],
    concurrency: { MaxConcurrency: BACKFILL_MAX_CONCURRENCY },
    toleratedFailurePercentage: BACKFILL_TOLERATED_FAILURE_PERCENTAGE,
    finalizeParameters: { 'prepared.$': '$.prepared', 'results.$': '$.results' },
    finalizeResultPath: '$.totals',
  });
}
