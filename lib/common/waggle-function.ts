import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_BASE, type FunctionEnvironment } from '../../lambdas/config/function-environment';
import type { LogLevel } from '../config/deployment-config';
import { functionAlarms } from './function-alarms';
import { LOCK_FILE, PROJECT_ROOT, projectPath } from './project-paths';

export interface WaggleFunctionProps {
  /** Entry file relative to the repository root, e.g. `lambdas/ingest/handler.ts`. */
  readonly entry: string;
  /** Exported handler name in the entry file. */
  readonly handler?: string;
  readonly description: string;
  /** Powertools service name in logs and metrics (POWERTOOLS_SERVICE_NAME), e.g. `waggle-ingest`. */
  readonly serviceName: string;
  /**
   * The function's own variables, from its schema (`environmentFor<Function>` in
   * lambdas/<function>/environment.ts, the module its handler reads them with); the construct adds
   * LOG_LEVEL, the Powertools names and NODE_OPTIONS (lambdas/config/function-environment.ts).
   */
  readonly environment: FunctionEnvironment;
  readonly logLevel?: LogLevel;
  /** Memory also buys CPU on Lambda; decode-heavy functions want more. */
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly logRetention?: RetentionDays;
  /**
   * A fixed name for the execution role, only where another account's policy must name it (the
   * control plane's senders in a data plane's inbox policy); otherwise CloudFormation names it.
   */
  readonly roleName?: string;
  /** Caps concurrent invocations (1 for a consumer that must apply messages one at a time). */
  readonly reservedConcurrentExecutions?: number;
}

/** The CloudWatch namespace of every Waggle function's metrics (POWERTOOLS_METRICS_NAMESPACE). */
export const WAGGLE_METRICS_NAMESPACE = 'Waggle';

/** Where a stack says whether its functions run with source maps (see setSourceMaps). */
const SOURCE_MAPS_CONTEXT = 'waggle:sourceMaps';

/**
 * Turns source-mapped stack traces on or off for every WaggleFunction under `scope` (a stack, from
 * its deployment config). Off by default: `--enable-source-maps` makes Node parse the bundle's map
 * at start-up, which costs about 60-270 ms of every cold start. Call it before adding children.
 */
export function setSourceMaps(scope: Construct, enabled: boolean): void {
  scope.node.setContext(SOURCE_MAPS_CONTEXT, enabled);
}

function sourceMapsEnabled(scope: Construct): boolean {
  return scope.node.tryGetContext(SOURCE_MAPS_CONTEXT) === true;
}

// ESM output cannot `require`; some CJS dependencies still do, so give them a real one.
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __waggleCreateRequire } from 'node:module';const require = __waggleCreateRequire(import.meta.url);";

/**
 * The one way Waggle deploys a function: Node 24 on arm64 (cheaper per GB-s), JSON logs at a chosen
 * level into a log group this construct owns (so retention is set and the role can only write there),
 * active X-Ray tracing, and an ESM bundle built by the local esbuild, never Docker.
 */
export class WaggleFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** What the function's environment was built from: its schema and its own variables. */
  readonly environment: FunctionEnvironment;
  /** The `service` of its logs and metrics (POWERTOOLS_SERVICE_NAME), e.g. `waggle-ingest`. */
  readonly serviceName: string;
  /** Any failed invocation (an exception or a timeout) in 5 minutes. */
  readonly errorsAlarm: Alarm;
  /** Throttled invocations in three 5-minute periods in a row (account concurrency exhausted). */
  readonly throttlesAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WaggleFunctionProps) {
    super(scope, id);
    const logLevel = props.logLevel ?? 'INFO';
    const sourceMaps = sourceMapsEnabled(this);
    // The environment must be the one the entry's handler reads.
    const expectedEntry = `lambdas/${props.environment.functionName}/handler.ts`;
    if (props.entry !== expectedEntry)
      throw new Error(`${id}: the environment of ${expectedEntry} was given to ${props.entry}`);
    this.environment = props.environment;
    this.serviceName = props.serviceName;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy lets the function
    // write to any log group in the account; this one can only write to its own.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      roleName: props.roleName,
      description: `Execution role of ${props.description}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[logLevel],
      systemLogLevelV2: SystemLogLevel.WARN,
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        ...props.environment.variables,
        ...FUNCTION_BASE.write({
          // Stack traces point at the TypeScript sources through the bundled source map.
          NODE_OPTIONS: sourceMaps ? '--enable-source-maps' : undefined,
          LOG_LEVEL: logLevel,
          POWERTOOLS_SERVICE_NAME: props.serviceName,
          // Every Waggle function publishes its metrics under one CloudWatch namespace.
          POWERTOOLS_METRICS_NAMESPACE: WAGGLE_METRICS_NAMESPACE,
        }),
      },
      ...codeSource(this, props, sourceMaps),
    });

    ({ errorsAlarm: this.errorsAlarm, throttlesAlarm: this.throttlesAlarm } = functionAlarms(
      this,
      this.function,
      props.description,
    ));

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement added by active tracing uses Resource "*": xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords do not support resource-level permissions.',
    });
  }
}

/**
 * Code of the function: an esbuild bundle of the entry, or, when CDK was told not to bundle this
 * stack (`aws:cdk:bundling-stacks`, as `cdk deploy <other stack>` and the infra tests do), a
 * placeholder, because such a stack is never deployed and its entry file need not exist yet.
 */
function codeSource(scope: Construct, props: WaggleFunctionProps, sourceMaps: boolean) {
  const handler = props.handler ?? 'handler';
  if (!Stack.of(scope).bundlingRequired) {
    // Should such a template ever be deployed by hand, the function fails loudly instead of doing nothing.
    const placeholder = `exports.${handler} = async () => { throw new Error('Waggle: bundling was skipped for this stack; deploy it with cdk deploy <stack name>'); };`;
    return { code: Code.fromInline(placeholder), handler: `index.${handler}` };
  }
  return {
    entry: projectPath(props.entry),
    handler,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: LOCK_FILE,
    bundling: {
      format: OutputFormat.ESM,
      // Prefer the ES module builds of dependencies so esbuild can tree-shake them.
      mainFields: ['module', 'main'],
      minify: true,
      // Only shipped when it is used: an unused map only makes the package bigger.
      sourceMap: sourceMaps,
      banner: CREATE_REQUIRE_BANNER,
      forceDockerBundling: false,
      // The AWS SDK v3 clients are bundled rather than taken from the runtime: the versions then come
      // from package-lock.json, the same ones the tests and the local platform run, instead of
      // whatever the runtime ships that week; tree-shaken ESM keeps the cost to a few hundred KB.
      bundleAwsSDK: true,
    },
  };
}
