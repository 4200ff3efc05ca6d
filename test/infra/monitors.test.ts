/**
 * Monitors as synthesized on a data plane: the every-minute EventBridge Scheduler schedule of the
 * evaluator (no retries: the next minute evaluates again), the evaluator's fixed role name and
 * exactly what it may do (read synced config, query the minute_rollups table and read only the
 * rollups/ prefix, its own state table, send to the control plane's delivery queue), the state
 * table (customer key, point-in-time recovery, TTL), the failures alarm; the control plane still
 * synthesizes (the monitor routes are on its API).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_ROUTES } from '../../lambdas/control-plane-api/routes';
import { monitorEvaluatorRoleName } from '../../lib/config/monitor-names';
import { buildTestApp, type TestWaggleApp } from './support/test-app';

let waggle: TestWaggleApp;
let acme: Template;
let cp: Template;

type Resource = { Properties: Record<string, unknown> } & Record<string, unknown>;

beforeAll(() => {
  waggle = buildTestApp();
  const stack = waggle.dataPlanes.get('acme');
  if (!stack) throw new Error('no acme data plane');
  acme = Template.fromStack(stack);
  cp = Template.fromStack(waggle.controlPlane);
});

function evaluatorRoleId(): string {
  const roles = acme.findResources('AWS::IAM::Role', {
    Properties: {
      RoleName: monitorEvaluatorRoleName({ name: 'acme', account: '200000000002', region: 'eu-central-1' }),
    },
  });
  const ids = Object.keys(roles);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

function statementsOf(roleId: string): Record<string, unknown>[] {
  return Object.values(acme.findResources('AWS::IAM::Policy') as Record<string, Resource>)
    .filter((policy) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId))
    .flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
}

describe('monitor evaluator', () => {
  it('runs every minute on EventBridge Scheduler, without retries', () => {
    acme.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Target: {
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        Input: '{"kind":"monitors","id":"<aws.scheduler.execution-id>"}',
      },
    });
  });

  it('may do exactly what it needs, by statement', () => {
    const sids = statementsOf(evaluatorRoleId())
      .map((statement) => statement.Sid)
      .filter((sid): sid is string => typeof sid === 'string')
      .sort();
    expect(sids).toEqual(
      expect.arrayContaining([
        'QueueNotifications',
        'ReadRollupObjects',
        'ReadSyncedConfig',
        'DecryptSyncedConfig',
        'ReadWriteMonitorStates',
        'UseMonitorStatesKey',
        'UseEventStoreKeyToReadRollups',
      ]),
    );
    const statements = statementsOf(evaluatorRoleId());
    // Only the rollups: no events, payloads or scores objects.
    const s3 = statements.filter((statement) => JSON.stringify(statement.Action).includes('s3:GetObject'));
    expect(JSON.stringify(s3)).toContain('/rollups/*');
    expect(JSON.stringify(s3)).not.toMatch(/\/(events|payloads|scores)\/\*/);
    // No writes to the event store (Athena's results bucket is the only place it puts objects).
    const writes = statements.filter((statement) => /s3:(Put|Delete)/.test(JSON.stringify(statement.Action)));
    expect(JSON.stringify(writes)).not.toContain('EventStoreBucket');
    expect(JSON.stringify(writes)).toContain('Results');
    const actions = statements.flatMap((statement) => [statement.Action].flat() as string[]);
    // The control plane's queue takes sends only; other SQS actions are the failed-runs destination's.
    const toControlPlane = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes(':waggle-notifications'),
    );
    expect(toControlPlane.map((statement) => [statement.Sid, statement.Action])).toEqual([
      ['QueueNotifications', 'sqs:SendMessage'],
    ]);
    expect(actions).not.toContain('sqs:ReceiveMessage');
  });

  it('keeps states in a customer-key table with point-in-time recovery and a TTL on history', () => {
    acme.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expires', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
  });

  it('alarms on failed evaluations', () => {
    acme.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'MonitorEvaluationsFailed',
      Dimensions: [{ Name: 'service', Value: 'waggle-monitor-evaluator' }],
    });
  });

  it('the control plane serves the monitor routes', () => {
    const keys = Object.values(cp.findResources('AWS::ApiGatewayV2::Route') as Record<string, Resource>).map(
      (route) => route.Properties.RouteKey,
    );
    for (const key of CONTROL_PLANE_ROUTES.filter((route) => route.includes('/monitors')))
      expect(keys).toContain(key);
    // The console (another origin on AWS) may PATCH a monitor.
    const api = Object.values(cp.findResources('AWS::ApiGatewayV2::Api') as Record<string, Resource>).find(
      (resource) => JSON.stringify(resource.Properties).includes('control plane'),
    );
    if (!api) throw new Error('no control-plane API');
    expect((api.Properties.CorsConfiguration as { AllowMethods: string[] }).AllowMethods).toContain('PATCH');
  });
});
