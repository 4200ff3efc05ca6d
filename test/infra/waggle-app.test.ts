import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_PLANE_STACK_NAME, dataPlaneStackName } from '../../lib/waggle-app';
import { buildTestApp, type TestWaggleApp } from './support/test-app';

let waggle: TestWaggleApp;
let assembly: CloudAssembly;

beforeAll(() => {
  waggle = buildTestApp();
  assembly = waggle.app.synth();
});

describe('the Waggle app built from a deployment config', () => {
  it('has one control plane and one data plane stack per entry, named after the entry', () => {
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'Waggle-ControlPlane',
      'Waggle-DataPlane-acme',
      'Waggle-DataPlane-shared-ap',
    ]);
    expect(dataPlaneStackName('acme')).toBe('Waggle-DataPlane-acme');
  });

  it('pins every stack to the account and region the config names (no environment-agnostic stacks)', () => {
    const environments = Object.fromEntries(
      assembly.stacks.map((stack) => [
        stack.stackName,
        `${stack.environment.account}/${stack.environment.region}`,
      ]),
    );
    expect(environments).toEqual({
      [CONTROL_PLANE_STACK_NAME]: '100000000001/us-east-1',
      'Waggle-DataPlane-acme': '200000000002/eu-central-1',
      'Waggle-DataPlane-shared-ap': '300000000003/ap-southeast-2',
    });
  });

  it('builds each data plane for its own region', () => {
    for (const [name, region] of [
      ['acme', 'eu-central-1'],
      ['shared-ap', 'ap-southeast-2'],
    ] as const) {
      const stack = waggle.dataPlanes.get(name);
      if (!stack) throw new Error(`no stack for data plane ${name}`);
      const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap(
        (policy) => policy.Properties.PolicyDocument.Statement,
      );
      const viaServices = new Set(
        statements.flatMap((statement) => {
          const viaService = statement.Condition?.StringEquals?.['kms:ViaService'];
          return viaService ? [viaService] : [];
        }),
      );
      expect([...viaServices].sort()).toEqual(
        [
          `dynamodb.${region}.amazonaws.com`,
          `s3.${region}.amazonaws.com`,
          `sqs.${region}.amazonaws.com`,
          // The heartbeat sender encrypts for the control plane's heartbeat queue, in its region.
          'sqs.us-east-1.amazonaws.com',
        ].sort(),
      );
    }
  });

  it('tags each data plane with its name and hosting model', () => {
    const acme = Template.fromStack(waggle.dataPlanes.get('acme') as never);
    acme.hasResourceProperties('AWS::SQS::Queue', {
      Tags: [
        { Key: 'waggle:data-plane', Value: 'acme' },
        { Key: 'waggle:hosting-model', Value: 'dedicated' },
        { Key: 'waggle:plane', Value: 'data' },
      ],
    });
  });

  it('records the data planes in the control plane and names the control plane in each data plane', () => {
    const controlPlane = Template.fromStack(waggle.controlPlane);
    const parameter = Object.values(controlPlane.findResources('AWS::SSM::Parameter'))[0];
    expect(JSON.parse(parameter?.Properties.Value)).toEqual([
      {
        name: 'acme',
        account: '200000000002',
        region: 'eu-central-1',
        hostingModel: 'dedicated',
        inboxQueueUrl: 'https://sqs.eu-central-1.amazonaws.com/200000000002/waggle-acme-inbox.fifo',
      },
      {
        name: 'shared-ap',
        account: '300000000003',
        region: 'ap-southeast-2',
        hostingModel: 'multi-tenant',
        inboxQueueUrl: 'https://sqs.ap-southeast-2.amazonaws.com/300000000003/waggle-shared-ap-inbox.fifo',
      },
    ]);
    controlPlane.hasOutput('ControlPlaneLocation', { Value: '100000000001/us-east-1' });
    const acme = Template.fromStack(waggle.dataPlanes.get('acme') as never);
    acme.hasOutput('ControlPlaneLocation', { Value: '100000000001/us-east-1' });
  });
});
