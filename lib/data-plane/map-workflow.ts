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
import { type StateMachineDefinition, WORKFLOW_PLACEHOLDERS } from '../../lambdas/domain/workflows/asl';
import { createCustomerKey, viaService } from '../common/customer-key';
import { createEncryptedBucket } from '../common/encrypted-bucket';
import { addFunctionRoutes } from '../common/function-routes';
import { acknowledgeObjectWildcards } from '../common/nag';
import { WaggleFunction, type WaggleFunctionProps } from '../common/waggle-function';
import { type CallerAuthProps, grantCallerAuth } from './caller-auth';

/**
 * What the data plane's Step Functions workflows share (backfills, server-side experiments): an
 * item-list bucket under its own key, a Standard state machine (logged without execution data,
 * traced) whose definition invokes one steps function and reads item lists with a Distributed Map,
 * the Map Run's rights over its own child executions, and the API that starts, describes and
 * redrives runs. MapWorkflowService is the base construct of each; it adds them under fixed ids
 * (ItemsKey, Items, Steps, WorkflowLogs, Workflow, MapRunPolicy, Api), so their logical ids stay.
 */

/** How long item lists are kept: a failed run can be redriven for 14 days (Step Functions' redrive window). */
const ITEM_LIST_DAYS = 15;

export interface WorkflowItems {
  itemsKey: Key;
  itemsBucket: Bucket;
}

function createWorkflowItems(
  scope: Construct,
  props: { keyDescription: string; accessLogBucket: Bucket; accessLogPrefix: string },
): WorkflowItems {
  const itemsKey = createCustomerKey(scope, 'ItemsKey', props.keyDescription);
  const itemsBucket = createEncryptedBucket(scope, 'Items', {
    encryptionKey: itemsKey,
    accessLogBucket: props.accessLogBucket,
    accessLogPrefix: props.accessLogPrefix,
    lifecycleRules: [
      {
        id: 'expire-item-lists',
        expiration: Duration.days(ITEM_LIST_DAYS),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
  });
  return { itemsKey, itemsBucket };
}

export interface MapWorkflow {
  stateMachine: StateMachine;
  /** The state machine's rights over its own Map Run children. */
  mapRunPolicy: Policy;
}

function createMapWorkflow(
  scope: Construct,
  props: {
    definition: StateMachineDefinition;
    stepsFunction: WaggleFunction;
    items: WorkflowItems;
    itemsPrefix: string;
  },
): MapWorkflow {
  const logGroup = new LogGroup(scope, 'WorkflowLogs', { retention: RetentionDays.THREE_MONTHS });
  const stateMachine = new StateMachine(scope, 'Workflow', {
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromString(JSON.stringify(props.definition)),
    definitionSubstitutions: {
      [WORKFLOW_PLACEHOLDERS.stepsFunctionArn]: props.stepsFunction.function.functionArn,
      [WORKFLOW_PLACEHOLDERS.itemsBucket]: props.items.itemsBucket.bucketName,
      [WORKFLOW_PLACEHOLDERS.partition]: Aws.PARTITION,
    },
    logs: { destination: logGroup, level: SfnLogLevel.ALL, includeExecutionData: false },
    tracingEnabled: true,
  });
  // The steps function itself, not its versions (grantInvoke would add `<arn>:*`).
  stateMachine.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [props.stepsFunction.function.functionArn],
    }),
  );
  grantItemLists(stateMachine.role, props.items, props.itemsPrefix, {
    sid: 'ReadItemLists',
    objectActions: ['s3:GetObject'],
    keyActions: ['kms:Decrypt'],
  });
  Validations.of(stateMachine.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only the statements CDK adds for logging and tracing use Resource "*": CloudWatch Logs vended ' +
      'log delivery (logs:CreateLogDelivery and its kin) and xray:PutTraceSegments do not support ' +
      'resource-level permissions.',
  });
  // A Distributed Map runs its items as child executions of this state machine: a policy of its
  // own, attached after the state machine exists (its ARN in the role's policy would be a cycle).
  const mapRunPolicy = new Policy(scope, 'MapRunPolicy', {
    statements: [
      new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }),
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [runArn(stateMachine, 'execution', '/')],
      }),
    ],
  });
  mapRunPolicy.attachToRole(stateMachine.role);
  acknowledgeRunWildcards(stateMachine, mapRunPolicy, [`execution:${nameOf(stateMachine)}/*`]);
  return { stateMachine, mapRunPolicy };
}

/** What an API that starts, describes and redrives runs may do with the workflow: nothing more. */
function grantRunControl(role: IRole, stateMachine: StateMachine): void {
  stateMachine.grantStartExecution(role);
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['states:DescribeExecution', 'states:RedriveExecution', 'states:ListMapRuns'],
      resources: [runArn(stateMachine, 'execution', ':')],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['states:ListMapRuns'], resources: [stateMachine.stateMachineArn] }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['states:DescribeMapRun'],
      resources: [runArn(stateMachine, 'mapRun', '/')],
    }),
  );
  acknowledgeRunWildcards(stateMachine, role, [
    `execution:${nameOf(stateMachine)}:*`,
    `mapRun:${nameOf(stateMachine)}/*`,
  ]);
}

/** Objects under `prefix` of the items bucket; the key is used through S3 only. */
export function grantItemLists(
  role: IRole,
  items: WorkflowItems,
  prefix: string,
  rights: { sid: string; objectActions: string[]; keyActions: string[] },
): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: rights.sid,
      actions: rights.objectActions,
      resources: [items.itemsBucket.arnForObjects(`${prefix}*`)],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({
      sid: `${rights.sid}Key`,
      actions: rights.keyActions,
      resources: [items.itemsKey.keyArn],
      conditions: viaService(items.itemsBucket, 's3'),
    }),
  );
  acknowledgeObjectWildcards(
    role,
    items.itemsBucket,
    [prefix],
    'Runs have item lists of their own, named by run.',
  );
}

/**
 * ARNs of this state machine's executions (`<name>:<run>`), Map Run children (`<name>/<label>:<id>`)
 * and Map Runs (`mapRun:<name>/...`): named after the run, so known only as a pattern under this one
 * state machine's name.
 */
function runArn(stateMachine: StateMachine, resource: 'execution' | 'mapRun', separator: ':' | '/'): string {
  return Stack.of(stateMachine).formatArn({
    service: 'states',
    resource,
    resourceName: `${stateMachine.stateMachineName}${separator}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

function nameOf(stateMachine: StateMachine): string {
  return `<${Stack.of(stateMachine).getLogicalId(stateMachine.node.defaultChild as CfnStateMachine)}.Name>`;
}

function acknowledgeRunWildcards(stateMachine: StateMachine, grantee: IConstruct, resources: string[]): void {
  const stack = Stack.of(stateMachine);
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  for (const resource of resources)
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:${resource}]`,
      reason:
        'Executions and Map Runs are named per run: the wildcard covers those of this one state machine only.',
    });
}

/** What a workflow service is made of; the callbacks get the service, whose item lists exist by then. */
export interface MapWorkflowServiceProps extends CallerAuthProps {
  readonly keyDescription: string;
  /** Where S3 server access logs of the item-list bucket go (the raw archive's access-log bucket). */
  readonly accessLogBucket: Bucket;
  readonly accessLogPrefix: string;
  /** The key prefix of item lists, the only place the state machine reads them. */
  readonly itemsPrefix: string;
  readonly definition: StateMachineDefinition;
  readonly steps: (service: MapWorkflowService) => WaggleFunctionProps;
  /** The steps function's own rights, beyond being invoked by the state machine. */
  readonly grantSteps: (service: MapWorkflowService) => void;
  /** The API function, given the service whose state machine exists by then. */
  readonly api: (service: MapWorkflowService) => WaggleFunctionProps;
  /** The API function's own rights, beyond its callers' checks and run control. */
  readonly grantApi: (service: MapWorkflowService) => void;
  /** The data plane's HTTP API: `routes` are added to it through `integrationId`. */
  readonly httpApi: HttpApi;
  readonly integrationId: string;
  readonly routes: readonly string[];
}

/**
 * A service run as a Distributed Map workflow (backfills, server-side experiments): its item lists,
 * its steps function, the state machine that invokes it, and the API that starts, describes and
 * redrives runs on the data plane's HTTP API, checking its callers as every API function does.
 */
export abstract class MapWorkflowService extends Construct implements WorkflowItems, MapWorkflow {
  readonly itemsKey: Key;
  readonly itemsBucket: Bucket;
  readonly stepsFunction: WaggleFunction;
  readonly stateMachine: StateMachine;
  readonly apiFunction: WaggleFunction;
  /** The state machine's rights over its own Map Run children. */
  readonly mapRunPolicy: Policy;

  constructor(scope: Construct, id: string, props: MapWorkflowServiceProps) {
    super(scope, id);
    ({ itemsKey: this.itemsKey, itemsBucket: this.itemsBucket } = createWorkflowItems(this, props));
    this.stepsFunction = new WaggleFunction(this, 'Steps', props.steps(this));
    props.grantSteps(this);
    ({ stateMachine: this.stateMachine, mapRunPolicy: this.mapRunPolicy } = createMapWorkflow(this, {
      definition: props.definition,
      stepsFunction: this.stepsFunction,
      items: this,
      itemsPrefix: props.itemsPrefix,
    }));
    this.apiFunction = new WaggleFunction(this, 'Api', props.api(this));
    grantCallerAuth(this.apiFunction.role, props);
    props.grantApi(this);
    grantRunControl(this.apiFunction.role, this.stateMachine);
    addFunctionRoutes(props.httpApi, props.integrationId, this.apiFunction.function, props.routes);
  }
}
