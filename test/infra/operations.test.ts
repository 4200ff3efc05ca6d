/**
 * What an operator gets from the console: per plane an encrypted, TLS-only alarm topic with the
 * config's email subscriptions that every alarm notifies (going off and recovering), alarms on every
 * function, the API, queue age, dead letters, Athena, compaction and unregistered data planes,
 * failure destinations for the scheduled functions, and one dashboard.
 */
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WaggleFunction } from '../../lib/common/waggle-function';
import { type DeploymentConfig, loadDeploymentConfig } from '../../lib/config/deployment-config';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { buildTestApp, type TestWaggleApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

type Resource = { Type: string; Properties: Record<string, unknown> };

let waggle: TestWaggleApp;
let planes: [string, Stack, Template][];

beforeAll(() => {
  const config = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  const withEmails: DeploymentConfig = {
    controlPlane: { ...config.controlPlane, alarmEmails: ['cp-oncall@waggle.test'] },
    dataPlanes: config.dataPlanes.map((plane) =>
      plane.name === 'acme' ? { ...plane, alarmEmails: ['acme-ops@waggle.test', 'sre@waggle.test'] } : plane,
    ),
  };
  waggle = buildTestApp(withEmails);
  planes = [
    ['control plane', waggle.controlPlane, Template.fromStack(waggle.controlPlane)],
    ...[...waggle.dataPlanes].map(
      ([name, stack]) =>
        [`data plane ${name}`, stack, Template.fromStack(stack)] as [string, Stack, Template],
    ),
  ];
});

function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

function topicOf(template: Template): string {
  const topics = resourcesOf(template, 'AWS::SNS::Topic');
  expect(topics).toHaveLength(1);
  return (topics[0] as [string, Resource])[0];
}

describe('alarm topic', () => {
  it('is one per plane, encrypted with its own rotating key, and refuses publishing without TLS', () => {
    for (const [name, , template] of planes) {
      const topic = topicOf(template);
      const { Properties } = template.findResources('AWS::SNS::Topic')[topic] as Resource;
      expect(Properties.KmsMasterKeyId, name).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
      // CloudWatch may use the key, so that alarms reach the encrypted topic.
      template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'CloudWatchPublishesAlarms',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
            }),
          ]),
        },
      });
    }
  });

  it('emails the addresses the deployment config names for that plane, and nobody else', () => {
    const endpoints = (template: Template) =>
      resourcesOf(template, 'AWS::SNS::Subscription').map(([, resource]) => {
        expect(resource.Properties.Protocol).toBe('email');
        return resource.Properties.Endpoint;
      });
    const [[, , controlPlane], [, , acme], [, , sharedAp]] = planes as [
      [string, Stack, Template],
      [string, Stack, Template],
      [string, Stack, Template],
    ];
    expect(endpoints(controlPlane)).toEqual(['cp-oncall@waggle.test']);
    expect(endpoints(acme).sort()).toEqual(['acme-ops@waggle.test', 'sre@waggle.test']);
    expect(endpoints(sharedAp)).toEqual([]);
  });

  it('is notified by every alarm of the plane, when it goes off and when it recovers', () => {
    for (const [name, , template] of planes) {
      const topic = { Ref: topicOf(template) };
      const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
      expect(alarms.length, name).toBeGreaterThan(10);
      for (const [id, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions, `${name} ${id}`).toEqual([topic]);
        expect(alarm.Properties.OKActions, `${name} ${id}`).toEqual([topic]);
      }
    }
  });
});

describe('alarms', () => {
  it('watch errors and throttles of every function', () => {
    for (const [name, stack, template] of planes) {
      // CDK's BucketDeployment function runs only inside a deploy, which fails when it does.
      const functions = resourcesOf(template, 'AWS::Lambda::Function')
        .map(([id]) => id)
        .filter((id) => !id.startsWith('CustomCDKBucketDeployment'));
      for (const metricName of ['Errors', 'Throttles']) {
        const watched = resourcesOf(template, 'AWS::CloudWatch::Alarm')
          .filter(([, alarm]) => alarm.Properties.MetricName === metricName)
          .map(([, alarm]) => (alarm.Properties.Dimensions as { Value: { Ref: string } }[])[0]?.Value.Ref);
        expect(watched.sort(), `${name} ${metricName} (${stack.stackName})`).toEqual(functions.sort());
      }
    }
  });

  it('watch the 5xx share and the p99 latency (25 s, under the 30 s integration limit) of each HTTP API', () => {
    for (const [name, , template] of planes) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Latency',
        Namespace: 'AWS/ApiGateway',
        ExtendedStatistic: 'p99',
        Threshold: 25_000,
        EvaluationPeriods: 2,
      });
      const rates = resourcesOf(template, 'AWS::CloudWatch::Alarm').filter(([, alarm]) =>
        JSON.stringify(alarm.Properties.Metrics ?? []).includes('100 * errors / requests'),
      );
      expect(rates, name).toHaveLength(1);
    }
  });

  it('watch queue age, dead letters, Athena failures and compaction failures on a data plane', () => {
    const [, , acme] = planes[1] as [string, Stack, Template];
    for (const metricName of [
      'ApproximateAgeOfOldestMessage',
      'NumberOfMessagesReceived',
      'CompactionFailures',
      'Unregistered',
    ]) {
      acme.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metricName });
    }
    acme.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Athena',
      MetricName: 'TotalExecutionTime',
      Statistic: 'SampleCount',
      Dimensions: Match.arrayWith([{ Name: 'QueryState', Value: 'FAILED' }]),
    });
  });
});

describe('scheduled functions', () => {
  it('keep failed runs on a queue (Lambda async onFailure) that an alarm watches', () => {
    const expected: [number, number][] = [
      [0, 1], // control plane: the reconciliation
      [1, 3], // data plane: compaction, the heartbeat sender and the monitor evaluator
    ];
    for (const [index, count] of expected) {
      const [name, , template] = planes[index] as [string, Stack, Template];
      const configs = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig');
      expect(configs, name).toHaveLength(count);
      for (const [, config] of configs) {
        const destination = (config.Properties.DestinationConfig as { OnFailure: { Destination: unknown } })
          .OnFailure.Destination as { 'Fn::GetAtt': [string, string] };
        const queue = destination['Fn::GetAtt'][0];
        expect(template.findResources('AWS::SQS::Queue')[queue], name).toBeDefined();
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        });
      }
    }
  });
});

describe('dashboards', () => {
  it('exist once per plane, with the API, queue, Athena and sync widgets', () => {
    for (const [name, , template] of planes) {
      const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
      expect(dashboards, name).toHaveLength(1);
      const body = JSON.stringify((dashboards[0] as [string, Resource])[1].Properties.DashboardBody);
      expect(body).toContain('AWS/ApiGateway');
      expect(body).toContain('alarms');
    }
    const acme = waggle.dataPlanes.get('acme') as DataPlaneStack;
    const acmeBody = JSON.stringify(Template.fromStack(acme).toJSON());
    for (const text of ['ApproximateAgeOfOldestMessage', 'AWS/Athena', 'EventsWritten', 'RecordsQueued'])
      expect(acmeBody).toContain(text);
    const cpBody = JSON.stringify((planes[0] as [string, Stack, Template])[2].toJSON());
    expect(cpBody).toContain('Sync: heartbeats received per data plane');
    expect(cpBody).toContain('Tokens: invocations');
    // The control-plane functions' own metrics, and the data plane's side of the sync.
    for (const text of ['TokensIssued', 'ChangesPublished', 'ChangesRepublished', 'HeartbeatsStored'])
      expect(cpBody).toContain(text);
    for (const text of ['SyncMessagesApplied', 'HeartbeatsSent']) expect(acmeBody).toContain(text);
  });

  it("graph every function's errors and throttles, labelled with its service", () => {
    for (const [name, stack, template] of planes) {
      const functions = stack.node.findAll().filter((construct) => construct instanceof WaggleFunction);
      expect(functions.length, name).toBeGreaterThanOrEqual(4);
      const body = JSON.stringify(
        (resourcesOf(template, 'AWS::CloudWatch::Dashboard')[0] as [string, Resource])[1].Properties
          .DashboardBody,
      );
      for (const fn of functions) {
        const label = fn.serviceName.replace(/^waggle-/, '');
        expect(body, `${name}: ${label}`).toContain(`\\"label\\":\\"${label}\\"`);
        expect(body, `${name}: ${label}`).toContain(`\\"label\\":\\"${label} throttles\\"`);
      }
    }
  });
});
