/**
 * The heartbeat channel as synthesized: one control-plane queue per data plane whose policy lets
 * exactly that data plane's sender role send (and denies everyone else), the receiver's narrow
 * table access, and on the data plane the every-minute schedule (which also registers: nothing runs
 * at deploy time), the unregistered alarm and the sender's scoped role.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  heartbeatQueueName,
  heartbeatSenderRoleArn,
  heartbeatSenderRoleName,
} from '../../lib/config/sync-names';
import { buildTestApp, type TestWaggleApp } from './support/test-app';

let waggle: TestWaggleApp;
let cp: Template;
let acme: Template;

beforeAll(() => {
  waggle = buildTestApp();
  cp = Template.fromStack(waggle.controlPlane);
  const stack = waggle.dataPlanes.get('acme');
  if (!stack) throw new Error('no acme data plane');
  acme = Template.fromStack(stack);
});

type Resource = { Properties: Record<string, unknown> } & Record<string, unknown>;
const acmePlane = { name: 'acme', account: '200000000002', region: 'eu-central-1' };

function logicalIdOf(template: Template, type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  expect(found).toHaveLength(1);
  return found[0] as string;
}

function statementsOf(template: Template, roleLogicalId: string): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleLogicalId),
    )
    .flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
}

describe('control plane heartbeat queues', () => {
  it('one KMS-encrypted queue per data plane, named from the config', () => {
    for (const name of ['acme', 'shared-ap'])
      cp.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: heartbeatQueueName({ name, account: '', region: '' }),
        KmsMasterKeyId: Match.anyValue(),
      });
  });

  it('lets only the data plane sender role send, and denies every other principal', () => {
    const queueId = logicalIdOf(cp, 'AWS::SQS::Queue', { QueueName: 'waggle-acme-heartbeats' });
    const policies = Object.values(
      cp.findResources('AWS::SQS::QueuePolicy') as Record<string, Resource>,
    ).filter((policy) =>
      (policy.Properties.Queues as { Ref: string }[]).some((queue) => queue.Ref === queueId),
    );
    expect(policies).toHaveLength(1);
    const statements = (
      (policies[0] as Resource).Properties.PolicyDocument as { Statement: Record<string, unknown>[] }
    ).Statement;
    const sender = waggle.controlPlane.resolve(heartbeatSenderRoleArn(acmePlane, Aws.PARTITION));
    expect(statements).toContainEqual({
      Sid: 'DataPlaneSends',
      Effect: 'Allow',
      Principal: {
        AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::200000000002:root']] },
      },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      Condition: { ArnEquals: { 'aws:PrincipalArn': sender } },
    });
    expect(statements).toContainEqual({
      Sid: 'OnlyDataPlaneSends',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'sqs:SendMessage',
      Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': sender } },
    });
    expect(statements.filter((s) => s.Effect === 'Allow' && s.Action === 'sqs:SendMessage')).toHaveLength(1);
  });

  it('the receiver consumes every heartbeat queue and may only PutItem on the SYNC# partitions', () => {
    const fn = logicalIdOf(cp, 'AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ HEARTBEAT_QUEUES: Match.anyValue() }) },
    });
    cp.resourcePropertiesCountIs(
      'AWS::Lambda::EventSourceMapping',
      { FunctionName: { Ref: fn }, FunctionResponseTypes: ['ReportBatchItemFailures'] },
      2,
    );
    const role = (cp.findResources('AWS::Lambda::Function')[fn] as Resource).Properties.Role as {
      'Fn::GetAtt': [string, string];
    };
    const statements = statementsOf(cp, role['Fn::GetAtt'][0]);
    const dynamo = statements.filter(
      (s) => String(s.Action).startsWith('dynamodb:') || JSON.stringify(s.Action).includes('dynamodb:'),
    );
    expect(dynamo).toEqual([
      expect.objectContaining({
        Sid: 'WriteHeartbeats',
        Action: 'dynamodb:PutItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SYNC#*'] } },
      }),
    ]);
  });

  it('the reconciliation may read the stored reports', () => {
    const statements = Object.values(
      cp.findResources('AWS::IAM::Policy') as Record<string, Resource>,
    ).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: 'ReadHeartbeats', Action: 'dynamodb:GetItem' }),
    );
  });
});

describe('data plane heartbeat sender', () => {
  it('runs every minute with the heartbeat input, which carries the event id (the correlation id of its logs)', () => {
    acme.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Input: Match.absent(),
          InputTransformer: {
            InputPathsMap: { id: '$.id' },
            InputTemplate: '{"kind":"heartbeat","id":<id>}',
          },
        }),
      ],
    });
  });

  it('calls nothing during the deploy: no trigger or custom resource can fail the stack on a missing control plane', () => {
    const types = Object.values(acme.toJSON().Resources as Record<string, { Type: string }>).map(
      (resource) => resource.Type,
    );
    expect(types.filter((type) => type.startsWith('Custom::') || type.endsWith('::CustomResource'))).toEqual(
      [],
    );
    // The schedule is the only way the sender runs: it registers until a registration gets through.
    acme.resourceCountIs('AWS::Events::Rule', 2);
  });

  it('alarms when the data plane has not registered for 30 minutes', () => {
    acme.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Waggle',
      MetricName: 'Unregistered',
      Dimensions: [{ Name: 'service', Value: 'waggle-heartbeat-sender' }],
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 6,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
  });

  it('has a fixed role name and may send only to its own heartbeat queue', () => {
    const roleId = logicalIdOf(acme, 'AWS::IAM::Role', { RoleName: heartbeatSenderRoleName(acmePlane) });
    const statements = statementsOf(acme, roleId);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'SendHeartbeats',
        Action: 'sqs:SendMessage',
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':sqs:us-east-1:100000000001:waggle-acme-heartbeats'],
          ],
        },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'EncryptHeartbeats',
        Condition: {
          StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/waggle-cp-heartbeats-us-east-1' },
        },
      }),
    );
    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(actions).not.toContain('sqs:ReceiveMessage');
    expect(Stack.of(waggle.controlPlane).region).toBe('us-east-1');
  });
});
