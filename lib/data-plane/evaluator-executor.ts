import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SecurityGroup, SubnetType, type Vpc } from 'aws-cdk-lib/aws-ec2';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  TenancyConfig,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { functionAlarms } from '../common/function-alarms';
import { planeVpc } from '../common/plane-vpc';
import { projectPath } from '../common/project-paths';

/** The executor waits at most 10 s for the harness (handler.py); the function gets a margin over that. */
export const EXECUTOR_TIMEOUT = Duration.seconds(15);

interface EvaluatorExecutorProps {
  /** Memory also buys CPU; the harness's own address space is capped at 256 MiB (code-limits.ts). */
  readonly memorySize?: number;
  /** Caps the executor's share of the account's concurrency; unset: no reservation. */
  readonly reservedConcurrentExecutions?: number;
  readonly logRetention?: RetentionDays;
}

/**
 * Runs Python code metrics (docs/python-metrics.md): lambdas/evaluator-executor/harness.py, the same
 * harness as the local sandbox, in a child process with an empty environment, started by handler.py.
 *
 * - No network: the function sits in isolated subnets of its own VPC (no internet gateway, no NAT,
 *   no VPC endpoints), behind a security group without egress rules.
 * - Tenant isolation (https://docs.aws.amazon.com/lambda/latest/dg/tenant-isolation.html):
 *   `TenancyConfig.TenantIsolationMode: PER_TENANT`, and the caller passes the project id as the
 *   tenant id (lambdas/adapters/aws/lambda-code-runner.ts), so two projects never share an
 *   execution environment.
 * - Its role writes its own logs, and manages the network interfaces Lambda places in the subnets
 *   (which Lambda requires of a function in a VPC); nothing else.
 */
export class EvaluatorExecutor extends Construct {
  readonly vpc: Vpc;
  readonly securityGroup: SecurityGroup;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly function: LambdaFunction;
  readonly errorsAlarm: Alarm;
  readonly throttlesAlarm: Alarm;

  constructor(scope: Construct, id: string, props: EvaluatorExecutorProps = {}) {
    super(scope, id);

    // Refused flows are logged: with no egress rule, every attempt of user code to reach out is one.
    this.vpc = planeVpc(this, {
      cidr: '10.0.1.0/24',
      subnet: { name: 'Isolated', subnetType: SubnetType.PRIVATE_ISOLATED },
      createInternetGateway: false,
    });

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Waggle evaluator executor: no inbound, no outbound',
      allowAllOutbound: false,
      allowAllIpv6Outbound: false,
    });

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Execution role of the Waggle evaluator executor: its logs and its network interfaces',
    });
    this.logGroup.grantWrite(this.role);
    // What Lambda needs to place a function in a VPC (AWSLambdaVPCAccessExecutionRole without its
    // logs:* on every group). Describe* works only on "*"; the others name interfaces Lambda creates.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ExecutorNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );

    this.function = new LambdaFunction(this, 'Function', {
      description: 'Waggle evaluator executor: Python code metrics in a sandboxed child process',
      runtime: Runtime.PYTHON_3_15,
      architecture: Architecture.ARM_64,
      handler: 'handler.handler',
      code: Code.fromAsset(projectPath('lambdas/evaluator-executor'), {
        exclude: ['__pycache__', '*.pyc'],
      }),
      memorySize: props.memorySize ?? 1024,
      timeout: EXECUTOR_TIMEOUT,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: SystemLogLevel.WARN,
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      securityGroups: [this.securityGroup],
      allowPublicSubnet: false,
      tenancyConfig: TenancyConfig.PER_TENANT,
      // Its own variables: none. The harness's child gets an empty environment regardless.
      environment: {},
    });
    // As every Waggle function has (waggle-function.ts): user code's own failures are answers, not
    // errors, so an error here is the executor's (a crash, a timeout past the harness's wall clock).
    ({ errorsAlarm: this.errorsAlarm, throttlesAlarm: this.throttlesAlarm } = functionAlarms(
      this,
      this.function,
      'Waggle evaluator executor',
      'Python metrics wait and retry',
    ));
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda needs ec2:DescribeNetworkInterfaces on "*" (no resource-level permission) and creates the ' +
        "function's network interfaces under names it picks; the role has no other permission than its own logs.",
    });
  }

  /**
   * lambda:InvokeFunction on this function only (its unqualified ARN, which is what callers invoke:
   * no version or alias wildcard), for the functions that run Python metrics.
   */
  grantInvoke(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'InvokeEvaluatorExecutor',
        actions: ['lambda:InvokeFunction'],
        resources: [this.function.functionArn],
      }),
    );
  }
}
