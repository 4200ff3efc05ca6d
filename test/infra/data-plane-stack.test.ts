import type { CfnElement, CfnResource } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INGEST_LIMITS } from '../../lambdas/domain/ingest/ingest-service';
import { SQS_MAX_MESSAGE_BYTES } from '../../lambdas/domain/queue-limits';
import { INGEST_ROUTES } from '../../lambdas/ingest/routes';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { customerKeyEncryption } from './support/expected';
import { buildTestApp } from './support/test-app';

let stack: DataPlaneStack;
let template: Template;

beforeAll(() => {
  const waggle = buildTestApp();
  stack = waggle.dataPlanes.get('acme') as DataPlaneStack;
  template = Template.fromStack(stack);
});

const arnOf = (value: string) => stack.resolve(value);
const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);

describe('raw archive bucket', () => {
  it('is encrypted with its customer-managed key, versioned, private and logs access to a separate bucket', () => {
    const { rawArchive } = stack;
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: customerKeyEncryption(arnOf(rawArchive.key.keyArn)),
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: stack.resolve(rawArchive.accessLogBucket.bucketName) },
    });
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }),
      DeletionPolicy: 'Retain',
    });
  });

  it('rotates every customer-managed key of the data plane', () => {
    const keys = template.findResources('AWS::KMS::Key');
    // Raw archive, events queue, key registry, event store, Athena results, inbox, sync state, alarm
    // topic, pending updates, provider-key table, provider secrets, the proxy's limits and cache, the
    // backfills' and the experiments' item lists, the datasets table and the monitor states.
    expect(Object.keys(keys)).toHaveLength(16);
    for (const key of Object.values(keys)) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('denies any request that does not use TLS, on both buckets', () => {
    for (const bucket of [stack.rawArchive.bucket, stack.rawArchive.accessLogBucket]) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: stack.resolve(bucket.bucketName),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('expires archived requests after 30 days (no tiering that early), overflow events, old versions and stale uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ Prefix: 'raw/', ExpirationInDays: 30 }),
          Match.objectLike({ Prefix: 'overflow/', ExpirationInDays: 30 }),
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          }),
        ],
      },
    });
  });
});

describe('events queue', () => {
  it('takes messages up to the SQS maximum of 1 MiB, the size ingest packs to, and so does its dead-letter queue', () => {
    expect(SQS_MAX_MESSAGE_BYTES).toBe(1_048_576);
    expect(DEFAULT_INGEST_LIMITS.maxMessageBytes).toBe(SQS_MAX_MESSAGE_BYTES);
    const queues = template.findResources('AWS::SQS::Queue');
    for (const queue of [stack.eventsQueue.queue, stack.eventsQueue.deadLetterQueue]) {
      const id = stack.getLogicalId(queue.node.defaultChild as CfnElement);
      expect(queues[id]?.Properties?.MaximumMessageSize).toBe(SQS_MAX_MESSAGE_BYTES);
    }
  });

  it('is KMS-encrypted with its own key and redrives to the dead-letter queue after 5 receives', () => {
    const { eventsQueue } = stack;
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: arnOf(eventsQueue.key.keyArn),
      RedrivePolicy: { deadLetterTargetArn: arnOf(eventsQueue.deadLetterQueue.queueArn), maxReceiveCount: 5 },
    });
  });

  it('keeps dead letters 14 days, encrypted', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: arnOf(stack.eventsQueue.key.keyArn),
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: Match.absent(),
    });
  });

  it('denies non-TLS access to both queues', () => {
    for (const queue of [stack.eventsQueue.queue, stack.eventsQueue.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [stack.resolve(queue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('alarms as soon as one message is visible on the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(stack.eventsQueue.deadLetterQueue.queueName) }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('alarms when the oldest event on the main queue is older than 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: stack.resolve(stack.eventsQueue.queue.queueName) }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 15 * 60,
    });
  });
});

describe('key registry table', () => {
  it('is keyed by keyHash, on demand, KMS-encrypted with its own key, recoverable and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'keyHash', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'keyHash', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: arnOf(stack.keyRegistry.key.keyArn),
        },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        Tags: Match.anyValue(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('ingest API', () => {
  it('routes every documented path to the ingest function with payload format 2.0', () => {
    const integrationId = Object.keys(
      template.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: {
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: arnOf(stack.ingestApi.ingestFunction.function.functionArn),
        },
      }),
    );
    expect(integrationId).toHaveLength(1);

    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).filter(
      (route) =>
        JSON.stringify(route.Properties.Target) ===
        JSON.stringify({ 'Fn::Join': ['', ['integrations/', { Ref: integrationId[0] }]] }),
    );
    const routeKeys = routes.map((route) => route.Properties.RouteKey);
    // Exactly routes.ts's list, its single source; the e2e tests hold each route to its clients.
    expect(routeKeys.sort()).toEqual([...INGEST_ROUTES].sort());
    expect(routeKeys).toHaveLength(9);
  });

  it('writes JSON access logs with the request id and throttles the default stage', () => {
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 });
    expect(stage.AccessLogSettings.DestinationArn).toEqual(arnOf(stack.ingestApi.accessLogGroup.logGroupArn));
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
  });

  it('gives the access log group a retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.absent(),
      RetentionInDays: 90,
    });
  });
});

describe('ingest function', () => {
  it('runs Node 24 on arm64 with JSON logs at the configured level, active tracing and its environment', () => {
    const { ingestFunction } = stack.ingestApi;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 29,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: {
        LogFormat: 'JSON',
        // The "acme" data plane asks for DEBUG in the test deployment config.
        ApplicationLogLevel: 'DEBUG',
        SystemLogLevel: 'WARN',
        LogGroup: stack.resolve(ingestFunction.logGroup.logGroupName),
      },
      Environment: {
        Variables: {
          RAW_ARCHIVE_BUCKET: stack.resolve(stack.rawArchive.bucket.bucketName),
          EVENTS_QUEUE_URL: stack.resolve(stack.eventsQueue.queue.queueUrl),
          KEY_TABLE_NAME: stack.resolve(stack.keyRegistry.table.tableName),
          POWERTOOLS_SERVICE_NAME: 'waggle-ingest',
          POWERTOOLS_METRICS_NAMESPACE: 'Waggle',
          LOG_LEVEL: 'DEBUG',
        },
      },
    });
    // Source maps are off unless the config turns them on (they slow every cold start).
    const variables =
      template.toJSON().Resources[logicalIdOf(ingestFunction.function)].Properties.Environment.Variables;
    expect(variables).not.toHaveProperty('NODE_OPTIONS');
  });

  it('lets the ingest and query functions accept control-plane tokens for this data plane only', () => {
    for (const fn of [stack.ingestApi.ingestFunction.function, stack.queryApi.queryFunction.function]) {
      const variables = template.toJSON().Resources[logicalIdOf(fn)].Properties.Environment.Variables;
      expect(variables.CONTROL_PLANE_ISSUER).toMatch(/^https:\/\//);
      expect(variables.CONTROL_PLANE_JWKS_URL).toBe(
        `${variables.CONTROL_PLANE_ISSUER}/.well-known/jwks.json`,
      );
      expect(variables.DATA_PLANE_ID).toBe('acme');
    }
  });

  it('logs to a log group it owns, kept for a month', () => {
    const logGroupId = logicalIdOf(stack.ingestApi.ingestFunction.logGroup);
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
  });
});

describe('ingest IAM', () => {
  const statementsOfIngestRole = () => {
    const roleRef = { Ref: logicalIdOf(stack.ingestApi.ingestFunction.role) };
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify(roleRef)),
    );
    return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  };

  it('grants exactly the writes the ingest flow needs, each on a named resource', () => {
    const bucketArn = arnOf(stack.rawArchive.bucket.bucketArn);
    const region = 'eu-central-1';
    expect(statementsOfIngestRole()).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: arnOf(stack.ingestApi.ingestFunction.logGroup.logGroupArn),
      },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
      {
        Sid: 'WriteRawArchiveObjects',
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: [
          { 'Fn::Join': ['', [bucketArn, '/raw/project_id=*']] },
          { 'Fn::Join': ['', [bucketArn, '/overflow/*']] },
        ],
      },
      {
        Sid: 'EncryptRawArchiveObjects',
        Action: 'kms:GenerateDataKey',
        Effect: 'Allow',
        Resource: arnOf(stack.rawArchive.key.keyArn),
        Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      },
      {
        Sid: 'SendEvents',
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: arnOf(stack.eventsQueue.queue.queueArn),
      },
      {
        Sid: 'EncryptEvents',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: arnOf(stack.eventsQueue.key.keyArn),
        Condition: { StringEquals: { 'kms:ViaService': `sqs.${region}.amazonaws.com` } },
      },
      {
        Sid: 'LookUpApiKeys',
        Action: 'dynamodb:GetItem',
        Effect: 'Allow',
        Resource: arnOf(stack.keyRegistry.table.tableArn),
      },
      {
        Sid: 'DecryptApiKeys',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: arnOf(stack.keyRegistry.key.keyArn),
        Condition: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      },
      {
        Sid: 'CountAuthFailures',
        Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        Effect: 'Allow',
        Resource: arnOf(stack.authRateLimit.table.tableArn),
      },
    ]);
  });

  it('uses no managed policies (AWSLambdaBasicExecutionRole would allow writing to every log group)', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('uses Resource "*" nowhere in the stack except for X-Ray and log delivery, which have no resource-level permissions', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    // Also the evaluator executor's network interfaces, which Lambda needs for a function in a VPC
    // (evaluator-executor.ts); its own test checks them.
    const unscoped = statements.filter(
      (statement) => statement.Resource === '*' && statement.Sid !== 'ExecutorNetworkInterfaces',
    );
    expect(unscoped.length).toBeGreaterThan(0);
    // The backfill state machine's logging: CloudWatch Logs vended log delivery (as CDK grants it).
    const logDelivery = [
      'logs:CreateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
    ];
    for (const statement of unscoped) {
      const actions = [statement.Action].flat().sort();
      if (actions[0]?.startsWith('logs:')) expect(actions).toEqual(logDelivery);
      else if (actions.length === 4)
        // The state machine's tracing also reads X-Ray's sampling rules.
        expect(actions).toEqual([
          'xray:GetSamplingRules',
          'xray:GetSamplingTargets',
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ]);
      else expect(actions).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });
});

describe('outputs', () => {
  it('exports the API URL and the names of the bucket, queues and table', () => {
    template.hasOutput('IngestApiUrl', {});
    template.hasOutput('RawArchiveBucketName', { Value: stack.resolve(stack.rawArchive.bucket.bucketName) });
    template.hasOutput('EventsQueueUrl', { Value: stack.resolve(stack.eventsQueue.queue.queueUrl) });
    template.hasOutput('EventsDeadLetterQueueUrl', {
      Value: stack.resolve(stack.eventsQueue.deadLetterQueue.queueUrl),
    });
    template.hasOutput('KeyTableName', { Value: stack.resolve(stack.keyRegistry.table.tableName) });
  });
});
