/**
 * What the workflows' definitions (Amazon States Language, JSONPath) share: their type, the
 * `${Name}` placeholders CDK's definitionSubstitutions fill, and the retry of Lambda's own faults.
 * Backfills (lambdas/backfill-steps/definition.ts) and server-side experiments
 * (lambdas/experiment-steps/definition.ts) build theirs from these.
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
export function substitute<Names extends Record<string, string>>(
  definition: StateMachineDefinition,
  names: Names,
  values: Record<keyof Names, string>,
): StateMachineDefinition {
  let text = JSON.stringify(definition);
  for (const [key, name] of Object.entries(names))
    text = text.replaceAll(placeholder(name), values[key as keyof Names]);
  return JSON.parse(text) as StateMachineDefinition;
}
