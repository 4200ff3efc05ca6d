/**
 * A Lambda function's environment: the variables every Waggle function gets from WaggleFunction
 * (lib/common/waggle-function.ts), plus the function's own, declared once in
 * lambdas/<function>/environment.ts. The construct builds the function's environment with
 * `environmentFor` and the handler reads it with `read` at cold start.
 */
import {
  defineEnvironment,
  type EnvironmentSpec,
  type InputOf,
  oneOf,
  optional,
  type Schema,
  type SpecOptions,
  string,
  type ValuesOf,
} from './schema';

/** The application log levels a deployment config may choose (dataPlanes[].logLevel). */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/** Set by WaggleFunction on every function. */
const FUNCTION_BASE_VARIABLES = {
  /** Powertools Logger's level. */
  LOG_LEVEL: oneOf(LOG_LEVELS),
  /** Powertools' service name: the `service` key of log lines and dimension of metrics. */
  POWERTOOLS_SERVICE_NAME: string('waggle-example'),
  /** The CloudWatch namespace of the function's metrics. */
  POWERTOOLS_METRICS_NAMESPACE: string('Waggle'),
  /** Node's own (`--enable-source-maps` when the deployment config asks for source maps); no example, so a benchmark never turns it on. */
  NODE_OPTIONS: { ...optional(string()), example: undefined },
} as const;

type FunctionBaseVariables = typeof FUNCTION_BASE_VARIABLES;
export type FunctionBaseValues = ValuesOf<FunctionBaseVariables>;

export const FUNCTION_BASE = defineEnvironment('function', FUNCTION_BASE_VARIABLES);

/** What a construct hands to WaggleFunction: the function's own variables, checked against its schema. */
export interface FunctionEnvironment {
  /** The function folder under lambdas/ whose handler reads this environment. */
  readonly functionName: string;
  /** Everything the handler reads, the base variables included. */
  readonly spec: EnvironmentSpec<Schema>;
  readonly variables: Readonly<Record<string, string>>;
}

export interface FunctionEnvironmentSpec<S extends Schema>
  extends EnvironmentSpec<FunctionBaseVariables & S> {
  /** The function folder under lambdas/ ("query-api"). */
  readonly functionName: string;
  /** The function's own variables (the base ones are WaggleFunction's). */
  readonly ownVariables: S;
  /** For the construct: its own variables, typed, so that a rename breaks the construct's compilation. */
  environmentFor(input: InputOf<S>): FunctionEnvironment;
}

export function defineFunctionEnvironment<S extends Schema>(
  functionName: string,
  variables: S,
  options: SpecOptions<FunctionBaseVariables & S> = {},
): FunctionEnvironmentSpec<S> {
  const own = defineEnvironment(functionName, variables);
  const spec = defineEnvironment(functionName, { ...FUNCTION_BASE_VARIABLES, ...variables }, options);
  return {
    ...spec,
    functionName,
    ownVariables: variables,
    environmentFor: (input) => ({ functionName, spec, variables: own.write(input) }),
  };
}
