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
import { LAMBDA_RETRY, placeholder, type StateMachineDefinition, substitute } from '../domain/workflows/asl';

export const EXPERIMENT_DEFINITION_PLACEHOLDERS = {
  stepsFunctionArn: 'StepsFunctionArn',
  itemsBucket: 'ItemsBucket',
  partition: 'Partition',
} as const;

/** The project's rate limit refused calls (ExperimentThrottledError): wait longer, with full jitter. */
const THROTTLE_RETRY = {
  ErrorEquals: ['ExperimentThrottled'],
  IntervalSeconds: 10,
  MaxAttempts: 8,
  BackoffRate: 2,
  MaxDelaySeconds: 120,
  JitterStrategy: 'FULL',
};

/** A batch's own failure (a provider down, an endpoint's 5xx, events not queued): twice more. */
const BATCH_RETRY = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 5,
  MaxAttempts: 2,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

export function experimentDefinition(): StateMachineDefinition {
  const steps = placeholder(EXPERIMENT_DEFINITION_PLACEHOLDERS.stepsFunctionArn);
  return {
    Comment:
      'Waggle server-side experiment: a configuration or endpoint over a dataset (lambdas/experiment-steps/definition.ts)',
    StartAt: 'Prepare',
    // 5,000 datapoints (a run's most) at one item at a time, throttled: hours, not a day.
    TimeoutSeconds: 24 * 3600,
    States: {
      Prepare: {
        Type: 'Task',
        Resource: steps,
        Parameters: { step: 'prepare', 'run.$': '$.run' },
        ResultPath: '$.prepared',
        Retry: [LAMBDA_RETRY],
        Next: 'RunBatches',
      },
      RunBatches: {
        Type: 'Map',
        ItemReader: {
          Resource: `arn:${placeholder(EXPERIMENT_DEFINITION_PLACEHOLDERS.partition)}:states:::s3:getObject`,
          ReaderConfig: { InputType: 'JSON' },
          Parameters: {
            Bucket: placeholder(EXPERIMENT_DEFINITION_PLACEHOLDERS.itemsBucket),
            'Key.$': '$.prepared.items_key',
          },
        },
        ItemSelector: { 'run.$': '$.run', 'item.$': '$$.Map.Item.Value' },
        MaxConcurrencyPath: '$.run.max_concurrency',
        ToleratedFailurePercentage: EXPERIMENT_TOLERATED_FAILURE_PERCENTAGE,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'RunBatch',
          States: {
            RunBatch: {
              Type: 'Task',
              Resource: steps,
              Parameters: { step: 'run', 'run.$': '$.run', 'item.$': '$.item' },
              Retry: [LAMBDA_RETRY, THROTTLE_RETRY, BATCH_RETRY],
              End: true,
            },
          },
        },
        ResultPath: '$.results',
        Next: 'Finalize',
      },
      Finalize: {
        Type: 'Task',
        Resource: steps,
        Parameters: { step: 'finalize', 'run.$': '$.run', 'prepared.$': '$.prepared' },
        ResultPath: '$.counts',
        Retry: [LAMBDA_RETRY],
        OutputPath: '$.counts',
        End: true,
      },
    },
  };
}

/** The definition with its placeholders replaced (what Step Functions runs after substitution). */
export function substitutedExperimentDefinition(
  values: Record<keyof typeof EXPERIMENT_DEFINITION_PLACEHOLDERS, string>,
): StateMachineDefinition {
  return substitute(experimentDefinition(), EXPERIMENT_DEFINITION_PLACEHOLDERS, values);
}
