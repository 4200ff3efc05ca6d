/**
 * Notifications as synthesized on the control plane: the channel routes behind the JWT authorizer,
 * the delivery queue's redrive (the domain's retry policy) and its dead-letter alarm, the sender's
 * event source with partial batch failures, and exactly what each function may do (the API seals
 * secrets, never opens them; the sender opens them and writes only the notification log's
 * partitions; SES only from the configured address), and the table's TTL for the log.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_RETRY } from '../../lambdas/domain/alerts/delivery-queue';
import { CHANNEL_ROUTES } from '../../lambdas/notifications-api/routes';
import { loadDeploymentConfig } from '../../lib/config/deployment-config';
import { monitorEvaluatorRoleName, NOTIFICATION_QUEUE_NAME } from '../../lib/config/monitor-names';
import { actionsOf, statementsOfRole, type TemplateResource } from './support/policies';
import { buildTestApp, TWO_DATA_PLANES_CONFIG } from './support/test-app';

let template: Template;
let withEmail: Template;

beforeAll(() => {
  template = Template.fromStack(buildTestApp().controlPlane);
  const config = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
  withEmail = Template.fromStack(
    buildTestApp({
      ...config,
      controlPlane: { ...config.controlPlane, notificationEmailFrom: 'alerts@example.com' },
    }).controlPlane,
  );
});

function roleOf(template: Template, serviceName: string): string {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: serviceName } } },
  });
  const [fn] = Object.values(functions) as TemplateResource[];
  if (!fn) throw new Error(`no function ${serviceName}`);
  return ((fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'] as string[])[0] as string;
}

function statements(template: Template, serviceName: string) {
  return statementsOfRole(template.toJSON().Resources, roleOf(template, serviceName));
}

describe('notifications on the control plane', () => {
  it('routes every channel route to the notifications function behind the JWT authorizer', () => {
    for (const routeKey of CHANNEL_ROUTES) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'JWT',
        AuthorizerId: Match.anyValue(),
      });
    }
  });

  it('the delivery queue redrives to its dead-letter queue after the policy attempts, with an alarm', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        maxReceiveCount: NOTIFICATION_RETRY.maxAttempts,
        deadLetterTargetArn: Match.anyValue(),
      },
      MessageRetentionPeriod: 86_400,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^Notifications failed every delivery attempt'),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it("takes each data plane's monitor evaluator, from its own account and by its fixed role, as a sender of the named queue", () => {
    const config = loadDeploymentConfig(TWO_DATA_PLANES_CONFIG);
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: NOTIFICATION_QUEUE_NAME });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')) as TemplateResource[];
    const statements = policies.flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    for (const dataPlane of config.dataPlanes) {
      const sender = statements.find((statement) =>
        JSON.stringify(statement.Condition ?? {}).includes(`role/${monitorEvaluatorRoleName(dataPlane)}`),
      );
      expect(sender, dataPlane.name).toMatchObject({
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${dataPlane.account}:root`]] },
        },
      });
    }
    expect(config.dataPlanes.length).toBeGreaterThan(1);
  });

  it('the API seals with the secrets key (its context only), queues tests, and never decrypts secrets', () => {
    const api = statements(template, 'waggle-notifications-api');
    const seal = api.find((statement) => statement.Sid === 'SealChannelSecrets');
    expect(seal && actionsOf(seal)).toEqual(['kms:GenerateDataKey']);
    expect(seal).toMatchObject({
      Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'waggle-channel-secret' } },
    });
    expect(api.find((statement) => statement.Sid === 'QueueTestNotifications')).toMatchObject({
      Action: 'sqs:SendMessage',
    });
    const secretsKey = Object.keys(
      template.findResources('AWS::KMS::Key', {
        Properties: { Description: Match.stringLikeRegexp('webhook signing secrets') },
      }),
    )[0];
    const decryptsSecrets = api.some(
      (statement) =>
        actionsOf(statement).includes('kms:Decrypt') &&
        JSON.stringify(statement.Resource).includes(secretsKey as string),
    );
    expect(decryptsSecrets).toBe(false);
    expect(api.flatMap(actionsOf).some((action) => action.startsWith('ses:'))).toBe(false);
  });

  it('the sender reads channels, opens secrets and may not send email unless a sender address is configured', () => {
    const sender = statements(template, 'waggle-notification-sender');
    const open = sender.find((statement) => statement.Sid === 'OpenChannelSecrets');
    expect(open && actionsOf(open)).toEqual(['kms:Decrypt']);
    expect(sender.flatMap(actionsOf)).toEqual(
      expect.arrayContaining(['sqs:ChangeMessageVisibility', 'dynamodb:GetItem']),
    );
    // PutItem only in the notification log's and the monitor state board's partitions: the sender
    // writes no record.
    const puts = sender.filter((statement) => actionsOf(statement).includes('dynamodb:PutItem'));
    expect(puts).toEqual([
      expect.objectContaining({
        Sid: 'WriteNotificationLogAndMonitorStates',
        Action: 'dynamodb:PutItem',
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['NOTIFY#*', 'MONSTATE#*', 'MONHIST#*'] },
        },
      }),
    ]);
    expect(
      sender.flatMap(actionsOf).filter((action) => /^dynamodb:(Delete|Update|BatchWrite)/.test(action)),
    ).toEqual([]);
    expect(sender.flatMap(actionsOf).some((action) => action.startsWith('ses:'))).toBe(false);
    const senderFunction = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'waggle-notification-sender' } } },
      }),
    )[0] as TemplateResource;
    expect(
      (senderFunction.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ).not.toHaveProperty('NOTIFICATION_EMAIL_FROM');
  });

  it('the control-plane table expires notification-log entries by their TTL attribute', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'ttl_epoch_s', Enabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('with notificationEmailFrom, the sender may SendEmail from that address only', () => {
    const sender = statements(withEmail, 'waggle-notification-sender');
    const email = sender.find((statement) => statement.Sid === 'SendNotificationEmail');
    expect(email).toMatchObject({
      Action: 'ses:SendEmail',
      Condition: { StringEquals: { 'ses:FromAddress': 'alerts@example.com' } },
    });
    expect(JSON.stringify(email?.Resource)).toContain(':identity/alerts@example.com');
    expect(JSON.stringify(email?.Resource)).toContain(':identity/example.com');
    withEmail.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NOTIFICATION_EMAIL_FROM: 'alerts@example.com' }) },
    });
  });
});
