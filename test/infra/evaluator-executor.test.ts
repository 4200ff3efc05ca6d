/**
 * The evaluator executor (lib/data-plane/evaluator-executor.ts) as each data plane synthesizes it: the
 * Python harness on the Python runtime, no path to any network, a role for its logs and network
 * interfaces only, and tenant isolation per project.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { buildTestApp } from './support/test-app';

type Resource = { Type: string; Properties: Record<string, unknown> };
let stack: DataPlaneStack;
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  const waggle = buildTestApp();
  [stack] = [...waggle.dataPlanes.values()] as [DataPlaneStack];
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 180_000);

function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** Resources that belong to the executor's construct. */
function ofExecutor(type: string): [string, Resource][] {
  const prefix = 'EvaluatorExecutor';
  return Object.entries(resources).filter(
    ([id, resource]) => id.startsWith(prefix) && resource.Type === type,
  );
}

describe('evaluator executor', () => {
  it('runs handler.py on the Python runtime with per-tenant isolation', () => {
    const fn = resources[logicalId(stack.evaluatorExecutor.function)] as Resource;
    expect(fn.Type).toBe('AWS::Lambda::Function');
    expect(fn.Properties).toMatchObject({
      Handler: 'handler.handler',
      Runtime: expect.stringMatching(/^python3\.1\d$/),
      Architectures: ['arm64'],
      Timeout: 15,
      MemorySize: 1024,
      TenancyConfig: { TenantIsolationMode: 'PER_TENANT' },
    });
    // No variables of its own: nothing for the child to inherit even if it were given the environment.
    expect((fn.Properties.Environment as { Variables?: object } | undefined)?.Variables ?? {}).toEqual({});
  });

  it('sits in isolated subnets of a VPC with no route out: no internet gateway, NAT or endpoint', () => {
    const executorVpc = logicalId(stack.evaluatorExecutor.vpc);
    const fn = resources[logicalId(stack.evaluatorExecutor.function)] as Resource;
    const config = fn.Properties.VpcConfig as { SubnetIds: { Ref: string }[]; SecurityGroupIds: unknown[] };
    const subnets = config.SubnetIds.map(({ Ref }) => resources[Ref] as Resource);
    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) {
      expect(subnet.Properties.VpcId).toEqual({ Ref: executorVpc });
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
    for (const type of [
      'AWS::EC2::InternetGateway',
      'AWS::EC2::VPCGatewayAttachment',
      'AWS::EC2::NatGateway',
      'AWS::EC2::VPCEndpoint',
      'AWS::EC2::EgressOnlyInternetGateway',
      'AWS::EC2::TransitGatewayAttachment',
      'AWS::EC2::VPCPeeringConnection',
      'AWS::EC2::VPNGatewayAttachment',
    ]) {
      expect(ofExecutor(type), type).toEqual([]);
    }
    // Its route tables hold only the VPC's local route (which CloudFormation does not list).
    expect(ofExecutor('AWS::EC2::Route')).toEqual([]);
  });

  it('has a security group without egress or ingress rules', () => {
    const group = resources[logicalId(stack.evaluatorExecutor.securityGroup)] as Resource;
    // CDK's stand-in for "no egress": without a rule EC2 would add allow-all, so CDK adds one that
    // matches nothing (ICMP type 252 code 86 to 255.255.255.255/32).
    expect(group.Properties.SecurityGroupEgress).toEqual([
      {
        CidrIp: '255.255.255.255/32',
        Description: 'Disallow all traffic',
        FromPort: 252,
        IpProtocol: 'icmp',
        ToPort: 86,
      },
    ]);
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(ofExecutor('AWS::EC2::SecurityGroupEgress')).toEqual([]);
    expect(ofExecutor('AWS::EC2::SecurityGroupIngress')).toEqual([]);
  });

  it('has a role that writes its own logs and manages its network interfaces, nothing else', () => {
    const roleId = logicalId(stack.evaluatorExecutor.role);
    const role = resources[roleId] as Resource;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const policies = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        (resource.Properties.Roles as { Ref: string }[]).some(({ Ref }) => Ref === roleId),
    );
    const actions = policies
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
      )
      .flatMap((statement) => statement.Action)
      .sort();
    expect(actions).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:UnassignPrivateIpAddresses',
      ].sort(),
    );
    const logStatement = policies
      .flatMap(
        (policy) =>
          (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
            .Statement,
      )
      .find((statement) => JSON.stringify(statement.Action).includes('logs:'));
    expect(JSON.stringify(logStatement?.Resource)).toContain(logicalId(stack.evaluatorExecutor.logGroup));
  });

  it('records refused flows', () => {
    expect(ofExecutor('AWS::EC2::FlowLog')).toHaveLength(1);
    expect(ofExecutor('AWS::EC2::FlowLog')[0]?.[1].Properties.TrafficType).toBe('REJECT');
  });

  it('ships the harness and the handler, no more', () => {
    const fn = resources[logicalId(stack.evaluatorExecutor.function)] as Resource;
    expect(fn.Properties.Code).toMatchObject({ S3Key: expect.stringMatching(/\.zip$/) });
  });
});
