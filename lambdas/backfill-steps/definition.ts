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
import { LAMBDA_RETRY, placeholder, type StateMachineDefinition, substitute } from '../domain/workflows/asl';

export type { StateMachineDefinition } from '../domain/workflows/asl';

/**
 * The placeholders: the steps function's ARN, the bucket holding the item lists, and the AWS
 * partition (the S3 integration's ARN is `arn:<partition>:states:::s3:getObject`: aws-cn in China).
 */
export const BACKFILL_DEFINITION_PLACEHOLDERS = {
  stepsFunctionArn: 'StepsFunctionArn',
  itemsBucket: 'ItemsBucket',
  partition: 'Partition',
} as const;

/** Map items scored at once: the evaluator executor's and the providers' load. */
export const BACKFILL_MAX_CONCURRENCY = 10;

/** A batch's own failure (an unreadable event, a sandbox fault, scores not published): twice more. */
const BATCH_RETRY = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 5,
  MaxAttempts: 2,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

export function backfillDefinition(): StateMachineDefinition {
  const steps = placeholder(BACKFILL_DEFINITION_PLACEHOLDERS.stepsFunctionArn);
  return {
    Comment:
      'Waggle backfill: one evaluator version over stored events (lambdas/backfill-steps/definition.ts)',
    StartAt: 'Prepare',
    // A backfill of MAX_BACKFILL_EVENTS judge calls at the concurrency above takes hours, not a day.
    TimeoutSeconds: 24 * 3600,
    States: {
      Prepare: {
        Type: 'Task',
        Resource: steps,
        Parameters: { step: 'prepare', 'run.$': '$.run' },
        ResultPath: '$.prepared',
        Retry: [LAMBDA_RETRY],
        Next: 'ScoreBatches',
      },
      ScoreBatches: {
        Type: 'Map',
        ItemReader: {
          Resource: `arn:${placeholder(BACKFILL_DEFINITION_PLACEHOLDERS.partition)}:states:::s3:getObject`,
          ReaderConfig: { InputType: 'JSON' },
          Parameters: {
            Bucket: placeholder(BACKFILL_DEFINITION_PLACEHOLDERS.itemsBucket),
            'Key.$': '$.prepared.items_key',
          },
        },
        ItemSelector: { 'run.$': '$.run', 'item.$': '$$.Map.Item.Value' },
        MaxConcurrency: BACKFILL_MAX_CONCURRENCY,
        ToleratedFailurePercentage: BACKFILL_TOLERATED_FAILURE_PERCENTAGE,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'ScoreBatch',
          States: {
            ScoreBatch: {
              Type: 'Task',
              Resource: steps,
              Parameters: { step: 'score', 'run.$': '$.run', 'item.$': '$.item' },
              Retry: [LAMBDA_RETRY, BATCH_RETRY],
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
        Parameters: { step: 'finalize', 'prepared.$': '$.prepared', 'results.$': '$.results' },
        ResultPath: '$.totals',
        Retry: [LAMBDA_RETRY],
        OutputPath: '$.totals',
        End: true,
      },
    },
  };
}

/** The definition with its placeholders replaced (what Step Functions runs after substitution). */
export function substitutedDefinition(values: Record<keyof typeof BACKFILL_DEFINITION_PLACEHOLDERS, string>) {
  return substitute(backfillDefinition(), BACKFILL_DEFINITION_PLACEHOLDERS, values);
}
