import { ArnFormat, Aws, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import {
  type CfnStateMachine,
  DefinitionBody,
  LogLevel as SfnLogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, type IConstruct } from 'constructs';
import {
  BACKFILL_DEFINITION_PLACEHOLDERS,
  backfillDefinition,
} from '../../lambdas/backfill-steps/definition';
import { environmentForBackfillSteps } from '../../lambdas/backfill-steps/environment';
import { environmentForBackfillsApi } from '../../lambdas/backfills-api/environment';
import { BACKFILLS_ROUTES } from '../../lambdas/backfills-api/routes';
import { BACKFILL_ITEMS_PREFIX } from '../../lambdas/domain/evaluators/backfill/steps';
import { createCustomerKey, viaService } from '../common/customer-key';
import { createEncryptedBucket } from '../common/encrypted-bucket';
import { addFunctionRoutes } from '../common/function-routes';
import { acknowledgeObjectWildcards } from '../common/nag';
import { WaggleFunction } from '../common/waggle-function';
import type { LogLevel } from '../config/deployment-config';
import { type CallerAuthProps, callerAuthEnvironment, grantCallerAuth } from './caller-auth';
import { grantMetricRuns, type MetricRunAccess, metricRunEnvironment } from './metric-run-access';

export interface BackfillsProps extends CallerAuthProps {
  /** The data plane's HTTP API (IngestApi's): the backfills routes are added to it. */
  readonly httpApi: HttpApi;
  /** The synced metrics, events, the executor and the judges' providers; scores go on its events queue. */
  readonly metricRuns: MetricRunAccess;
  /** Where S3 server access logs of the item-list bucket go (the raw archive's access-log bucket). */
  readonly accessLogBucket: Bucket;
  readonly logLevel?: LogLevel;
}

/** How long item lists are kept: a failed run can be redriven for 14 days (Step Functions' redrive window). */
const ITEM_LIST_DAYS = 15;

/**
 * Backfills: the backfills API (lambdas/backfills-api/), the backfill workflow (a Standard state
 * machine whose definition is lambdas/backfill-steps/definition.ts: Distributed Map over an item
 * list in S3) and its steps function (lambdas/backfill-steps/), which runs metrics as the evaluation
 * worker does. The API starts, describes and redrives executions; the steps function reads events,
 * runs metrics and writes item lists; the state machine invokes the steps function, reads item
 * lists and runs its own Map Run child executions.
 */
export class Backfills extends Construct {
  readonly itemsKey: Key;
  readonly itemsBucket: Bucket;
  readonly stepsFunction: WaggleFunction;
  readonly stateMachine: StateMachine;
  readonly apiFunction: WaggleFunction;
  /** The state machine's rights over its own Map Run children. */
  readonly mapRunPolicy: Policy;

  constructor(scope: Construct, id: string, props: BackfillsProps) {
    super(scope, id);
    this.itemsKey = createCustomerKey(this, 'ItemsKey', 'Waggle backfills: encrypts the item lists of runs');
    this.itemsBucket = createEncryptedBucket(this, 'Items', {
      encryptionKey: this.itemsKey,
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: 'backfill-items/',
      lifecycleRules: [
        {
          id: 'expire-item-lists',
          expiration: Duration.days(ITEM_LIST_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.stepsFunction = new WaggleFunction(this, 'Steps', {
      entry: 'lambdas/backfill-steps/handler.ts',
      serviceName: 'waggle-backfill-steps',
      description: "Waggle backfill steps: list a run's events, score a batch, sum the results",
      memorySize: 1024,
      // A batch of 20 events, 4 at a time, each at most the worker's judge bound (136 s): well inside.
      timeout: Duration.minutes(15),
      logLevel: props.logLevel,
      environment: environmentForBackfillSteps({
        ...metricRunEnvironment(props.metricRuns),
        BACKFILL_ITEMS_BUCKET: this.itemsBucket.bucketName,
      }),
    });
    grantMetricRuns(this.stepsFunction, props.metricRuns);
    this.grantItemLists(this.stepsFunction.role, 'WriteItemLists', ['s3:PutObject'], ['kms:GenerateDataKey']);

    const logGroup = new LogGroup(this, 'WorkflowLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stateMachine = new StateMachine(this, 'Workflow', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(backfillDefinition())),
      definitionSubstitutions: {
        [BACKFILL_DEFINITION_PLACEHOLDERS.stepsFunctionArn]: this.stepsFunction.function.functionArn,
        [BACKFILL_DEFINITION_PLACEHOLDERS.itemsBucket]: this.itemsBucket.bucketName,
        [BACKFILL_DEFINITION_PLACEHOLDERS.partition]: Aws.PARTITION,
      },
      logs: { destination: logGroup, level: SfnLogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    // The steps function itself, not its versions (grantInvoke would add `<arn>:*`).
    this.stateMachine.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.stepsFunction.function.functionArn],
      }),
    );
    this.grantItemLists(this.stateMachine.role, 'ReadItemLists', ['s3:GetObject'], ['kms:Decrypt']);
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the statements CDK adds for logging and tracing use Resource "*": CloudWatch Logs vended ' +
        'log delivery (logs:CreateLogDelivery and its kin) and xray:PutTraceSegments do not support ' +
        'resource-level permissions.',
    });
    // A Distributed Map runs its items as child executions of this state machine: a policy of its
    // own, attached after the state machine exists (its ARN in the role's policy would be a cycle).
    this.mapRunPolicy = new Policy(this, 'MapRunPolicy', {
      statements: [
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
        new PolicyStatement({
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [this.runArn('execution', '/')],
        }),
      ],
    });
    this.mapRunPolicy.attachToRole(this.stateMachine.role);

    this.apiFunction = new WaggleFunction(this, 'Api', {
      entry: 'lambdas/backfills-api/handler.ts',
      serviceName: 'waggle-backfills-api',
      description: 'Waggle backfills API: estimate, start, describe and redrive backfill runs',
      memorySize: 512,
      // The HTTP API gives up on an integration after 30 s.
      timeout: Duration.seconds(29),
      logLevel: props.logLevel,
      environment: environmentForBackfillsApi({
        SYNC_STATE_TABLE_NAME: props.metricRuns.syncController.stateTable.tableName,
        EVENT_STORE_BUCKET: props.metricRuns.eventStore.bucket.bucketName,
        ATHENA_WORKGROUP: props.metricRuns.eventTables.workGroupName,
        GLUE_DATABASE: props.metricRuns.eventTables.databaseName,
        DEFAULT_READ_WINDOW_DAYS: props.metricRuns.defaultReadWindowDays,
        BACKFILL_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
        ...callerAuthEnvironment(props),
      }),
    });
    const apiRole = this.apiFunction.role;
    grantCallerAuth(apiRole, props);
    props.metricRuns.syncController.grantReadSyncedConfig(apiRole);
    props.metricRuns.eventStore.grantReadEvents(apiRole);
    props.metricRuns.eventTables.grantQuery(apiRole);
    this.stateMachine.grantStartExecution(apiRole);
    apiRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:RedriveExecution', 'states:ListMapRuns'],
        resources: [this.runArn('execution', ':')],
      }),
    );
    apiRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:ListMapRuns'],
        resources: [this.stateMachine.stateMachineArn],
      }),
    );
    apiRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:DescribeMapRun'],
        resources: [this.runArn('mapRun', '/')],
      }),
    );

    this.acknowledgeRunWildcards();
    this.addRoutes(props.httpApi);
  }

  /**
   * ARNs of this state machine's executions (`<name>:<run>`), Map Run children (`<name>/<label>:<id>`)
   * and Map Runs (`mapRun:<name>/...`): named after the run, so known only as a pattern under this one
   * state machine's name.
   */
  private runArn(resource: 'execution' | 'mapRun', separator: ':' | '/'): string {
    return Stack.of(this).formatArn({
      service: 'states',
      resource,
      resourceName: `${this.stateMachine.stateMachineName}${separator}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private acknowledgeRunWildcards(): void {
    const stack = Stack.of(this);
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const name = `<${stack.getLogicalId(this.stateMachine.node.defaultChild as CfnStateMachine)}.Name>`;
    const runs: [IConstruct, string][] = [
      [this.mapRunPolicy, `execution:${name}/*`],
      [this.apiFunction.role, `execution:${name}:*`],
      [this.apiFunction.role, `mapRun:${name}/*`],
    ];
    for (const [role, resource] of runs)
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:${resource}]`,
        reason:
          'Executions and Map Runs are named per run: the wildcard covers those of this one state machine only.',
      });
  }

  /** Item lists live under BACKFILL_ITEMS_PREFIX; the key is used through S3 only. */
  private grantItemLists(role: IRole, sid: string, objectActions: string[], keyActions: string[]): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid,
        actions: objectActions,
        resources: [this.itemsBucket.arnForObjects(`${BACKFILL_ITEMS_PREFIX}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: `${sid}Key`,
        actions: keyActions,
        resources: [this.itemsKey.keyArn],
        conditions: viaService(this, 's3'),
      }),
    );
    acknowledgeObjectWildcards(
      role,
      this.itemsBucket,
      [BACKFILL_ITEMS_PREFIX],
      'Runs have item lists of their own, named by run.',
    );
  }

  private addRoutes(httpApi: HttpApi): void {
    addFunctionRoutes(httpApi, 'BackfillsIntegration', this.apiFunction.function, BACKFILLS_ROUTES);
  }
}
