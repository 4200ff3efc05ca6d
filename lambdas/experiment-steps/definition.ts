/**
 * The server-side experiment workflow in Amazon States Language (JSONPath), one definition for both
 * places it runs: lib/data-plane/experiments.ts hands it to Step Functions with its placeholders
 * substituted, and the local platform runs it in an ASL interpreter after the rewrite of the local
 * workflow runner (lambdas/local/workflow-runner.ts), as it runs the backfill workflow.
 *
 * Prepare (write the item list: batches of datapoint ids) -> RunBatches (Distributed Map reading the
 * item list from S3, at the run's own MaxConcurrency, which the API derived from the project's rate
 * limit; each item a batch of datapoints run by one invocation of the steps function, retried with
 * full jitter when throttled or failed; a tolerated failure percentage) -> Finalize (the run's
 * status, session ids and counts). A run whose map exceeds its tolerance fails; `RedriveExecution`
 * then reruns only the failed items, and in each only the datapoints not done.
 */
import { EXPERIMENT_TOLERATED_FAILURE_PERCENTAGE } from '../domain/experiments/server/request';
import {
  ITEM_RETRY,
  LAMBDA_RETRY,
  mapWorkflowDefinition,
  type StateMachineDefinition,
} from '../domain/workflows/asl';

/** The project's rate limit refused calls (ExperimentThrottledError): wait longer, with full jitter. */
const THROTTLE_RETRY = {
  ErrorEquals: ['ExperimentThrottled'],
  IntervalSeconds: 10,
  MaxAttempts: 8,
  BackoffRate: 2,
  MaxDelaySeconds: 120,
  JitterStrategy: 'FULL',
};

export function experimentDefinition(): StateMachineDefinition {
  return mapWorkflowDefinition({
    comment:
      'Waggle server-side experiment: a configuration or endpoint over a dataset (lambdas/experiment-steps/definition.ts)',
    // 5,000 datapoints (a run's most) at one item at a time, throttled: hours, not a day.
    timeoutSeconds: 24 * 3600,
    mapState: 'RunBatches',
    itemState: 'RunBatch',
    itemStep: 'run',
    // Throttled batches wait longer; any other failure (a provider down, an endpoint's 5xx): twice more.
    itemRetries: [LAMBDA_RETRY, THROTTLE_RETRY, ITEM_RETRY],
    concurrency: { MaxConcurrencyPath: '$.run.max_concurrency' },
    toleratedFailurePercentage: EXPERIMENT_TOLERATED_FAILURE_PERCENTAGE,
    finalizeParameters: { 'run.$': '$.run', 'prepared.$': '$.prepared' },
    finalizeResultPath: '$.counts',
  });
}
