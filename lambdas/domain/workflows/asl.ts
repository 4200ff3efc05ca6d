/**
 * What the workflows' definitions (Amazon States Language, JSONPath) share: their type, the
 * `${Name}` placeholders CDK's definitionSubstitutions fill, and the retry of Lambda's own faults.
 * Backfills (lambdas/backfill-steps/definition.ts) and server-side experiments
 * (lambdas/experiment-steps/definition.ts) build theirs from these: Prepare (the steps function
 * writes the item list to S3) -> a Distributed Map reading it, each item one invocation of the steps
 * function -> Finalize.
 */

export type StateMachineDefinition = {
  Comment: string;
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, Record<string, unknown>>;
};

export const placeholder = (name: string) => `\${${name}}`;

/** The steps' errors worth retrying: Lambda's own throttling and service faults, with full jitter. */
export const LAMBDA_RETRY = {
  ErrorEquals: [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};

/** The definition with each `${Name}` placeholder replaced by its value (what Step Functions runs). */
function substitute<Names extends Record<string, string>>(
  definition: StateMachineDefinition,
  names: Names,
  values: Record<keyof Names, string>,
): StateMachineDefinition {
  let text = JSON.stringify(definition);
  for (const [key, name] of Object.entries(names))
    text = text.replaceAll(placeholder(name), values[key as keyof Names]);
  return JSON.parse(text) as StateMachineDefinition;
}

/** A batch's own failure (whatever the steps function threw): twice more, with full jitter. */
export const ITEM_RETRY = {
  ErrorEquals: ['States.TaskFailed'],
  IntervalSeconds: 5,
  MaxAttempts: 2,
  BackoffRate: 2,
  JitterStrategy: 'FULL',
};

/**
 * Every workflow's placeholders, by name: the steps function's ARN, the bucket holding the item lists,
 * and the AWS partition (the S3 integration's ARN is `arn:<partition>:states:::s3:getObject`: aws-cn
 * in China).
 */
export const WORKFLOW_PLACEHOLDERS = {
  stepsFunctionArn: 'StepsFunctionArn',
  itemsBucket: 'ItemsBucket',
  partition: 'Partition',
} as const;

/** A value for each of WORKFLOW_PLACEHOLDERS (CDK's tokens on AWS, fixed values locally and in tests). */
export type WorkflowPlaceholderValues = Record<keyof typeof WORKFLOW_PLACEHOLDERS, string>;

/** A workflow's definition with its placeholders replaced (what Step Functions runs after substitution). */
export function substituteWorkflow(
  definition: StateMachineDefinition,
  values: WorkflowPlaceholderValues,
): StateMachineDefinition {
  return substitute(definition, WORKFLOW_PLACEHOLDERS, values);
}

export interface MapWorkflowSpec {
  comment: string;
  timeoutSeconds: number;
  /** The map state's and its one Task's names, the Task's `step`, and its retries (Lambda's first). */
  mapState: string;
  itemState: string;
  itemStep: string;
  itemRetries: Record<string, unknown>[];
  /** `{MaxConcurrency: n}` or `{MaxConcurrencyPath: '$.run....'}`. */
  concurrency: { MaxConcurrency: number } | { MaxConcurrencyPath: string };
  toleratedFailurePercentage: number;
  /** The finalize step's parameters beside `step`, and where its result goes (the execution's output). */
  finalizeParameters: Record<string, string>;
  finalizeResultPath: string;
}

/**
 * Prepare (`{step: 'prepare', run}` -> `$.prepared`, with `items_key`) -> the Distributed Map over the
 * item list (`{run, item}` for each item, results in `$.results`) -> Finalize (its result the output).
 */
export function mapWorkflowDefinition(spec: MapWorkflowSpec): StateMachineDefinition {
  const steps = placeholder(WORKFLOW_PLACEHOLDERS.stepsFunctionArn);
  return {
    Comment: spec.comment,
    StartAt: 'Prepare',
    TimeoutSeconds: spec.timeoutSeconds,
    States: {
      Prepare: {
        Type: 'Task',
        Resource: steps,
        Parameters: { step: 'prepare', 'run.$': '$.run' },
        ResultPath: '$.prepared',
        Retry: [LAMBDA_RETRY],
        Next: spec.mapState,
      },
      [spec.mapState]: {
        Type: 'Map',
        ItemReader: {
          Resource: `arn:${placeholder(WORKFLOW_PLACEHOLDERS.partition)}:states:::s3:getObject`,
          ReaderConfig: { InputType: 'JSON' },
          Parameters: {
            Bucket: placeholder(WORKFLOW_PLACEHOLDERS.itemsBucket),
            'Key.$': '$.prepared.items_key',
          },
        },
        ItemSelector: { 'run.$': '$.run', 'item.$': '$$.Map.Item.Value' },
        ...spec.concurrency,
        ToleratedFailurePercentage: spec.toleratedFailurePercentage,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: spec.itemState,
          States: {
            [spec.itemState]: {
              Type: 'Task',
              Resource: steps,
              Parameters: { step: spec.itemStep, 'run.$': '$.run', 'item.$': '$.item' },
              Retry: spec.itemRetries,
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
        Parameters: { step: 'finalize', ...spec.finalizeParameters },
        ResultPath: spec.finalizeResultPath,
        Retry: [LAMBDA_RETRY],
        OutputPath: spec.finalizeResultPath,
        End: true,
      },
    },
  };
}
