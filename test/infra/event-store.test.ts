import { App, type CfnResource, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLLUP_COLUMNS } from '../../lambdas/domain/alerts/monitors/rollup-table';
import {
  type Column,
  EVENT_COLUMNS,
  PARTITION_COLUMNS,
  TOMBSTONE_COLUMNS,
} from '../../lambdas/domain/store/columns';
import { LOCATOR_COLUMNS } from '../../lambdas/domain/store/locator';
import { SCORE_COLUMNS } from '../../lambdas/domain/store/scores';
import { QUERY_ROUTES } from '../../lambdas/query-api/routes';
import type { WaggleFunction } from '../../lib/common/waggle-function';
import type { SyncController } from '../../lib/data-plane/data-plane-controller';
import type { DataPlaneStack } from '../../lib/data-plane/data-plane-stack';
import { EvaluationsQueue } from '../../lib/data-plane/evaluations-queue';
import { EventStore } from '../../lib/data-plane/event-store';
import { EventTables } from '../../lib/data-plane/event-tables';
import { EventWriter, requiredVisibilityTimeout } from '../../lib/data-plane/event-writer';
import { EventsQueue } from '../../lib/data-plane/events-queue';
import { PendingUpdates } from '../../lib/data-plane/pending-updates';
import { RawArchive } from '../../lib/data-plane/raw-archive';
import { customerKeyEncryption, customerKeyTable, PRIVATE_BUCKET, viaService } from './support/expected';
import { statementsOfRole } from './support/policies';
import { buildTestApp } from './support/test-app';

// One synth for the file: "acme" runs on the defaults, "shared-ap" overrides the writer's event
// source and the Athena scan limit in the test deployment config.
let acme: DataPlaneStack;
let sharedAp: DataPlaneStack;
let template: Template;
let sharedApTemplate: Template;

beforeAll(() => {
  const waggle = buildTestApp();
  acme = waggle.dataPlanes.get('acme') as DataPlaneStack;
  sharedAp = waggle.dataPlanes.get('shared-ap') as DataPlaneStack;
  template = Template.fromStack(acme);
  sharedApTemplate = Template.fromStack(sharedAp);
});

const REGION = 'eu-central-1';
const arnOf = (value: string) => acme.resolve(value);
const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);
const objectsArn = (bucketArn: string, prefix: string) => ({
  'Fn::Join': ['', [arnOf(bucketArn), `/${prefix}*`]],
});
/** Every prefix of the event store that the writer writes and the query function reads. */
const STORE_PREFIXES = [
  'events/',
  'tombstones/',
  'payloads/',
  'locator/',
  'event-schemas/',
  'scores/',
  'rollups/',
];
/** The environment of a function that queries the store through Athena. */
const athenaEnvironment = () => ({
  EVENT_STORE_BUCKET: arnOf(acme.eventStore.bucket.bucketName),
  ATHENA_WORKGROUP: 'waggle-acme',
  GLUE_DATABASE: 'waggle_acme',
});
const glueColumns = (columns: readonly Column[]) =>
  columns.map((column) => ({ Name: column.name, Type: column.type, Comment: column.description }));

function resourceOf(t: Template, stack: Stack, construct: { node: { defaultChild?: unknown } }) {
  return t.toJSON().Resources[logicalIdOf(stack, construct)];
}

function tableNamed(t: Template, name: string) {
  const tables = Object.values(t.findResources('AWS::Glue::Table')).filter(
    (table) => table.Properties.TableInput.Name === name,
  );
  expect(tables).toHaveLength(1);
  return tables[0]?.Properties;
}

const statementsOf = (fn: WaggleFunction) =>
  statementsOfRole(template.toJSON().Resources, logicalIdOf(acme, fn.role));

function eventSourceOf(t: Template, stack: Stack, fn: WaggleFunction) {
  const mappings = Object.values(
    t.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: { FunctionName: { Ref: logicalIdOf(stack, fn.function) } },
    }),
  );
  expect(mappings).toHaveLength(1);
  return mappings[0]?.Properties;
}

const s3ViaService = viaService('s3', REGION);
const logAndTraceStatements = (fn: WaggleFunction) => [
  {
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: arnOf(fn.logGroup.logGroupArn),
  },
  { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
];
/** Expects `fn`'s role to allow its logs and traces, then exactly `statements`, in this order. */
function expectStatements(fn: WaggleFunction, statements: unknown[]): void {
  expect(statementsOf(fn)).toEqual([...logAndTraceStatements(fn), ...statements]);
}
const athenaStatements = () => {
  const { eventTables } = acme;
  const glueArn = (resource: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:glue:${REGION}:200000000002:${resource}`]],
  });
  return [
    {
      Sid: 'RunAthenaQueries',
      Action: [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
        'athena:GetWorkGroup',
      ],
      Effect: 'Allow',
      Resource: {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, `:athena:${REGION}:200000000002:workgroup/waggle-acme`],
        ],
      },
    },
    {
      Sid: 'ReadEventTableDefinitions',
      Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions'],
      Effect: 'Allow',
      Resource: [
        glueArn('catalog'),
        glueArn('database/waggle_acme'),
        glueArn('table/waggle_acme/events'),
        glueArn('table/waggle_acme/tombstones'),
        glueArn('table/waggle_acme/event_schemas'),
        glueArn('table/waggle_acme/locator'),
        glueArn('table/waggle_acme/scores'),
        glueArn('table/waggle_acme/minute_rollups'),
      ],
    },
    {
      Sid: 'LocateAthenaResults',
      Action: ['s3:GetBucketLocation', 's3:ListBucket'],
      Effect: 'Allow',
      Resource: arnOf(eventTables.resultsBucket.bucketArn),
    },
    {
      Sid: 'WriteAthenaResults',
      Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Effect: 'Allow',
      Resource: objectsArn(eventTables.resultsBucket.bucketArn, 'results/'),
    },
    {
      Sid: 'UseAthenaResultsKey',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Effect: 'Allow',
      Resource: arnOf(eventTables.resultsKey.keyArn),
      Condition: s3ViaService,
    },
  ];
};
const storeStatements = (sid: string, actions: string | string[], prefixes: string[]) => ({
  Sid: sid,
  Action: actions,
  Effect: 'Allow',
  // CloudFormation's policy renderer writes a single resource without the list.
  Resource:
    prefixes.length === 1
      ? objectsArn(acme.eventStore.bucket.bucketArn, prefixes[0] as string)
      : prefixes.map((prefix) => objectsArn(acme.eventStore.bucket.bucketArn, prefix)),
});
const listStore = (prefixes: string[]) => ({
  Sid: 'ListEventStorePrefixes',
  Action: 's3:ListBucket',
  Effect: 'Allow',
  Resource: arnOf(acme.eventStore.bucket.bucketArn),
  Condition: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
});
const locateStore = () => ({
  Sid: 'LocateEventStore',
  Action: 's3:GetBucketLocation',
  Effect: 'Allow',
  Resource: arnOf(acme.eventStore.bucket.bucketArn),
});
const storeKey = (sid: string, actions: string | string[]) => ({
  Sid: sid,
  Action: actions,
  Effect: 'Allow',
  Resource: arnOf(acme.eventStore.key.keyArn),
  Condition: s3ViaService,
});
const consumeQueue = (queueArn: string) => [
  {
    Action: [
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:GetQueueUrl',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
    ],
    Effect: 'Allow',
    Resource: arnOf(queueArn),
  },
  { Action: 'kms:Decrypt', Effect: 'Allow', Resource: arnOf(acme.eventsQueue.key.keyArn) },
];

describe('event store bucket', () => {
  it('is encrypted with its own customer key and a bucket key, versioned, private, logged and retained', () => {
    const bucket = resourceOf(template, acme, acme.eventStore.bucket);
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: customerKeyEncryption(arnOf(acme.eventStore.key.keyArn)),
      VersioningConfiguration: { Status: 'Enabled' },
      ...PRIVATE_BUCKET,
      LoggingConfiguration: {
        DestinationBucketName: arnOf(acme.rawArchive.accessLogBucket.bucketName),
        LogFilePrefix: 'event-store/',
      },
    });
    expect(resourceOf(template, acme, acme.eventStore.key).Properties.EnableKeyRotation).toBe(true);
  });

  it('expires only old versions and stale uploads: events, tombstones and dead letters are kept', () => {
    const bucket = resourceOf(template, acme, acme.eventStore.bucket);
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'clean-up-versions-and-uploads',
          Status: 'Enabled',
          NoncurrentVersionExpiration: { NoncurrentDays: 7 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          ExpiredObjectDeleteMarker: true,
        },
      ],
    });
  });

  it('denies requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: arnOf(acme.eventStore.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('Glue tables', () => {
  it('live in one database per data plane', () => {
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: '200000000002',
      DatabaseInput: { Name: 'waggle_acme' },
    });
    sharedApTemplate.hasResourceProperties('AWS::Glue::Database', {
      DatabaseInput: { Name: 'waggle_shared_ap' },
    });
    expect(template.findResources('AWS::Glue::Table')).not.toEqual({});
    expect(
      Object.values(template.findResources('AWS::Glue::Table'))
        .map((table) => table.Properties.TableInput.Name)
        .sort(),
    ).toEqual(['event_schemas', 'events', 'locator', 'minute_rollups', 'scores', 'tombstones']);
  });

  it('take the events and tombstones columns from columns.ts, in order, with the hour partitions', () => {
    const events = tableNamed(template, 'events');
    expect(events.TableInput.StorageDescriptor.Columns).toEqual(glueColumns(EVENT_COLUMNS));
    expect(events.TableInput.PartitionKeys).toEqual(glueColumns(PARTITION_COLUMNS));
    const tombstones = tableNamed(template, 'tombstones');
    expect(tombstones.TableInput.StorageDescriptor.Columns).toEqual(glueColumns(TOMBSTONE_COLUMNS));
    expect(tombstones.TableInput.PartitionKeys).toEqual(glueColumns(PARTITION_COLUMNS));
    expect(PARTITION_COLUMNS.map((column) => `${column.name}:${column.type}`)).toEqual([
      'project_id:string',
      'dt:string',
      'hour:string',
    ]);
  });

  it('are external Parquet tables', () => {
    for (const name of ['events', 'tombstones', 'event_schemas', 'locator', 'scores', 'minute_rollups']) {
      const { TableInput, DatabaseName } = tableNamed(template, name);
      expect(DatabaseName).toBe('waggle_acme');
      expect(TableInput.TableType).toBe('EXTERNAL_TABLE');
      expect(TableInput.Parameters).toMatchObject({ EXTERNAL: 'TRUE', classification: 'parquet' });
      expect(TableInput.StorageDescriptor).toMatchObject({
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      });
    }
  });

  it.each([
    ['events', 'events/'],
    ['tombstones', 'tombstones/'],
  ])('project the %s partitions from the object path (no crawler, no MSCK)', (name, prefix) => {
    const bucketRef = { Ref: logicalIdOf(acme, acme.eventStore.bucket) };
    const { TableInput } = tableNamed(template, name);
    expect(TableInput.StorageDescriptor.Location).toEqual({
      'Fn::Join': ['', ['s3://', bucketRef, `/${prefix}`]],
    });
    const { EXTERNAL: _external, classification: _classification, ...projection } = TableInput.Parameters;
    expect(projection).toEqual({
      'projection.enabled': 'true',
      'projection.project_id.type': 'injected',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      // From the default start (the writer's earliest partition) to tomorrow, for clocks ahead.
      'projection.dt.range': '2000-01-01,NOW+1DAYS',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'projection.hour.type': 'integer',
      'projection.hour.range': '0,23',
      'projection.hour.digits': '2',
      'storage.location.template': {
        'Fn::Join': [
          '',
          ['s3://', bucketRef, `/${prefix}project_id=\${project_id}/dt=\${dt}/hour=\${hour}/`],
        ],
      },
    });
  });

  it.each([
    {
      name: 'scores',
      prefix: 'scores',
      columns: SCORE_COLUMNS,
      what: "every score, columns from scores.ts, by project and the scored event's day",
    },
    {
      name: 'minute_rollups',
      prefix: 'rollups',
      columns: ROLLUP_COLUMNS,
      what: 'the per-minute rollups, columns from rollup-table.ts, by project and the UTC day of the minute',
    },
  ])('keep $what', ({ name, prefix, columns }) => {
    const { TableInput } = tableNamed(template, name);
    expect(TableInput.StorageDescriptor.Columns).toEqual(glueColumns(columns));
    expect(TableInput.PartitionKeys).toEqual(glueColumns(PARTITION_COLUMNS.slice(0, 2)));
    expect(TableInput.Parameters).toMatchObject({
      'projection.project_id.type': 'injected',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
    });
    expect(JSON.stringify(TableInput.Parameters['storage.location.template'])).toContain(
      `/${prefix}/project_id=\${project_id}/dt=\${dt}/`,
    );
  });

  it('take the locator columns from locator.ts, in order', () => {
    expect(tableNamed(template, 'locator').TableInput.StorageDescriptor.Columns).toEqual(
      glueColumns(LOCATOR_COLUMNS),
    );
  });

  it.each([
    ['event_schemas', 'event-schemas/'],
    ['locator', 'locator/'],
  ])('partition %s by project only', (name, prefix) => {
    const { TableInput } = tableNamed(template, name);
    expect(TableInput.PartitionKeys).toEqual(glueColumns(PARTITION_COLUMNS.slice(0, 1)));
    expect(TableInput.Parameters['projection.project_id.type']).toBe('injected');
    expect(TableInput.Parameters['storage.location.template']).toEqual({
      'Fn::Join': [
        '',
        ['s3://', { Ref: logicalIdOf(acme, acme.eventStore.bucket) }, `/${prefix}project_id=\${project_id}/`],
      ],
    });
  });
});

describe('Athena workgroup', () => {
  it('runs engine 3 with enforced settings, KMS-encrypted results, a 10 GiB scan limit and CloudWatch metrics', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'waggle-acme',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: {
          OutputLocation: {
            'Fn::Join': [
              '',
              ['s3://', { Ref: logicalIdOf(acme, acme.eventTables.resultsBucket) }, '/results/'],
            ],
          },
          ExpectedBucketOwner: '200000000002',
          EncryptionConfiguration: {
            EncryptionOption: 'SSE_KMS',
            KmsKey: arnOf(acme.eventTables.resultsKey.keyArn),
          },
        },
      },
    });
  });

  it('takes the scan limit from the deployment config', () => {
    sharedApTemplate.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'waggle-shared-ap',
      WorkGroupConfiguration: Match.objectLike({ BytesScannedCutoffPerQuery: 1024 ** 3 }),
    });
  });

  it('refuses a scan limit under the 10 MB Athena accepts', () => {
    const stack = new Stack(new App(), 'Small');
    const accessLogBucket = new RawArchive(stack, 'Archive').accessLogBucket;
    const eventStore = new EventStore(stack, 'Store', { accessLogBucket });
    expect(
      () =>
        new EventTables(stack, 'Tables', {
          eventStore,
          accessLogBucket,
          databaseName: 'waggle_small',
          workGroupName: 'waggle-small',
          bytesScannedCutoffPerQuery: 1_000_000,
        }),
    ).toThrow(/at least 10000000/);
  });

  it("starts the hourly tables' projection at the plane's dataStartDate, and refuses an impossible one", () => {
    const tablesFrom = (dataStartDate: string) => {
      const stack = new Stack(new App(), 'Started');
      const accessLogBucket = new RawArchive(stack, 'Archive').accessLogBucket;
      const eventStore = new EventStore(stack, 'Store', { accessLogBucket });
      new EventTables(stack, 'Tables', {
        eventStore,
        accessLogBucket,
        databaseName: 'waggle_started',
        workGroupName: 'waggle-started',
        dataStartDate,
      });
      return Template.fromStack(stack);
    };
    const started = tablesFrom('2026-01-15');
    for (const name of ['events', 'tombstones'])
      expect(tableNamed(started, name).TableInput.Parameters['projection.dt.range']).toBe(
        '2026-01-15,NOW+1DAYS',
      );
    expect(() => tablesFrom('2026-02-30')).toThrow(/dataStartDate must be a date YYYY-MM-DD/);
    expect(() => tablesFrom('1999-12-31')).toThrow(/must be 2000-01-01 or later/);
    expect(() => tablesFrom('2999-01-01')).toThrow(/must not be in the future/);
  });

  it("takes the plane's dataStartDate and default read window from the deployment config", () => {
    for (const name of ['events', 'tombstones'])
      expect(tableNamed(sharedApTemplate, name).TableInput.Parameters['projection.dt.range']).toBe(
        '2026-01-01,NOW+1DAYS',
      );
    const environmentOf = (stack: DataPlaneStack, t: Template) =>
      resourceOf(t, stack, stack.queryApi.queryFunction.function).Properties.Environment.Variables;
    expect(environmentOf(sharedAp, sharedApTemplate)).toMatchObject({ DEFAULT_READ_WINDOW_DAYS: '14' });
    expect(environmentOf(acme, template)).not.toHaveProperty('DEFAULT_READ_WINDOW_DAYS');
  });

  it('writes results to their own bucket: customer key, private, logged, expired after 7 days', () => {
    const bucket = resourceOf(template, acme, acme.eventTables.resultsBucket);
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: customerKeyEncryption(arnOf(acme.eventTables.resultsKey.keyArn)),
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { LogFilePrefix: 'athena-results/' },
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'expire-query-results',
            Status: 'Enabled',
            ExpirationInDays: 7,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    });
    expect(acme.eventTables.resultsKey).not.toBe(acme.eventStore.key);
  });
});

describe('writer', () => {
  it('consumes the events queue in large batches with a batching window and partial batch failures', () => {
    expect(eventSourceOf(template, acme, acme.eventWriter.writerFunction)).toMatchObject({
      EventSourceArn: arnOf(acme.eventsQueue.queue.queueArn),
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 30,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('takes its event source settings from the deployment config', () => {
    expect(eventSourceOf(sharedApTemplate, sharedAp, sharedAp.eventWriter.writerFunction)).toMatchObject({
      BatchSize: 5000,
      MaximumBatchingWindowInSeconds: 60,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it.each([
    ['acme', 750],
    ['shared-ap', 780],
  ])(
    "%s: the events queue's visibility timeout is 6 x the writer's timeout + its batching window",
    (name, expected) => {
      const [stack, t] = name === 'acme' ? [acme, template] : [sharedAp, sharedApTemplate];
      const writer = resourceOf(t, stack, stack.eventWriter.writerFunction.function).Properties;
      const source = eventSourceOf(t, stack, stack.eventWriter.writerFunction);
      const queue = resourceOf(t, stack, stack.eventsQueue.queue).Properties;
      expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * writer.Timeout + source.MaximumBatchingWindowInSeconds,
      );
      expect(queue.VisibilityTimeout).toBe(expected);
    },
  );

  it("refuses an events queue whose visibility timeout is shorter than the writer's rule", () => {
    const stack = new Stack(new App(), 'ShortQueue');
    const rawArchive = new RawArchive(stack, 'Archive');
    const eventStore = new EventStore(stack, 'Store', { accessLogBucket: rawArchive.accessLogBucket });
    const eventTables = new EventTables(stack, 'Tables', {
      eventStore,
      accessLogBucket: rawArchive.accessLogBucket,
      databaseName: 'waggle_short',
      workGroupName: 'waggle-short',
    });
    const eventsQueue = new EventsQueue(stack, 'Queue', { visibilityTimeout: Duration.minutes(5) });
    const pendingUpdates = new PendingUpdates(stack, 'Pending');
    expect(requiredVisibilityTimeout().toSeconds()).toBe(750);
    expect(
      () =>
        new EventWriter(stack, 'Writer', {
          eventsQueue,
          eventStore,
          eventTables,
          rawArchive,
          pendingUpdates,
          evaluationsQueue: new EvaluationsQueue(stack, 'Evaluations'),
          // Refused before the sync controller is looked at.
          syncController: {} as SyncController,
        }),
    ).toThrow(/visibility timeout \(300 s\) must be at least .* \(750 s\)/);
  });

  it('runs with its environment: store, overflow bucket, workgroup and database', () => {
    const { writerFunction } = acme.eventWriter;
    expect(resourceOf(template, acme, writerFunction.function).Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 2048,
      Timeout: 120,
      Environment: {
        Variables: {
          ...athenaEnvironment(),
          OVERFLOW_BUCKET: arnOf(acme.rawArchive.bucket.bucketName),
          POWERTOOLS_SERVICE_NAME: 'waggle-writer',
        },
      },
    });
  });

  it('may write events, tombstones, payloads, id locator, event-schema and scores files, read overflow events, query through Athena, consume the queue and queue evaluation tasks', () => {
    const { writerFunction } = acme.eventWriter;
    expectStatements(writerFunction, [
      storeStatements('ReadWriteEventStoreObjects', ['s3:GetObject', 's3:PutObject'], STORE_PREFIXES),
      listStore(STORE_PREFIXES),
      locateStore(),
      storeKey('UseEventStoreKeyToWriteEvents', ['kms:GenerateDataKey', 'kms:Decrypt']),
      // One change marker per batch for compaction.
      storeStatements('MarkChangesForCompaction', 's3:PutObject', ['compaction/changed/']),
      // Poison messages are archived by the writer itself.
      storeStatements('WriteDeadLetterObjects', 's3:PutObject', ['dead-letters/']),
      storeKey('UseEventStoreKeyToWriteDeadLetters', 'kms:GenerateDataKey'),
      ...athenaStatements(),
      {
        Sid: 'ReadOverflowEvents',
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: objectsArn(acme.rawArchive.bucket.bucketArn, 'overflow/'),
      },
      {
        Sid: 'DecryptOverflowEvents',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: arnOf(acme.rawArchive.key.keyArn),
        Condition: s3ViaService,
      },
      {
        Sid: 'WriteRawBatchObjects',
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: objectsArn(acme.rawArchive.bucket.bucketArn, 'raw/batches/'),
      },
      {
        Sid: 'EncryptRawBatchObjects',
        Action: 'kms:GenerateDataKey',
        Effect: 'Allow',
        Resource: arnOf(acme.rawArchive.key.keyArn),
        Condition: s3ViaService,
      },
      // Online evaluation: tasks on the evaluations queue, the enabled metrics from the synced copy (read only).
      {
        Sid: 'SendEvaluationTasks',
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: arnOf(acme.evaluationsQueue.queue.queueArn),
      },
      {
        Sid: 'ReadSyncedConfig',
        Action: ['dynamodb:GetItem', 'dynamodb:Query'],
        Effect: 'Allow',
        Resource: arnOf(acme.syncController.stateTable.tableArn),
      },
      {
        Sid: 'DecryptSyncedConfig',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: arnOf(acme.syncController.stateKey.keyArn),
        Condition: viaService('dynamodb', REGION),
      },
      ...consumeQueue(acme.eventsQueue.queue.queueArn),
      {
        Sid: 'KeepAndFoldPendingUpdates',
        Action: ['dynamodb:PutItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
        Effect: 'Allow',
        Resource: arnOf(acme.pendingUpdates.table.tableArn),
      },
      {
        Sid: 'EncryptPendingUpdates',
        Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: arnOf(acme.pendingUpdates.key.keyArn),
        Condition: viaService('dynamodb', REGION),
      },
    ]);
    const writer = resourceOf(template, acme, writerFunction.function).Properties;
    expect(writer.Environment.Variables.PENDING_UPDATES_TABLE_NAME).toEqual(
      arnOf(acme.pendingUpdates.table.tableName),
    );
  });
});

describe('dead-letter archiver', () => {
  it('consumes the dead-letter queue with partial batch failures', () => {
    const { archiverFunction } = acme.deadLetterArchiver;
    expect(eventSourceOf(template, acme, archiverFunction)).toMatchObject({
      EventSourceArn: arnOf(acme.eventsQueue.deadLetterQueue.queueArn),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const archiver = resourceOf(template, acme, archiverFunction.function).Properties;
    expect(archiver.Environment.Variables.EVENT_STORE_BUCKET).toEqual(
      arnOf(acme.eventStore.bucket.bucketName),
    );
    const deadLetterQueue = resourceOf(template, acme, acme.eventsQueue.deadLetterQueue).Properties;
    expect(deadLetterQueue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * archiver.Timeout);
  });

  it('may only put objects under dead-letters/ and consume the dead-letter queue', () => {
    const { archiverFunction } = acme.deadLetterArchiver;
    expectStatements(archiverFunction, [
      storeStatements('WriteDeadLetterObjects', 's3:PutObject', ['dead-letters/']),
      storeKey('UseEventStoreKeyToWriteDeadLetters', 'kms:GenerateDataKey'),
      ...consumeQueue(acme.eventsQueue.deadLetterQueue.queueArn),
    ]);
  });

  it('leaves the dead-letter alarms in place: any arrival, and messages the archiver did not take', () => {
    const dimensions = [{ Name: 'QueueName', Value: arnOf(acme.eventsQueue.deadLetterQueue.queueName) }];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NumberOfMessagesReceived',
      Dimensions: dimensions,
      Statistic: 'Sum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: dimensions,
      Threshold: 0,
      EvaluationPeriods: 5,
    });
  });
});

describe('compaction', () => {
  it('runs at minute 15 of every hour, invoked by an EventBridge rule', () => {
    const { compactionFunction } = acme.eventCompaction;
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(15 * * * ? *)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: arnOf(compactionFunction.function.functionArn),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: arnOf(compactionFunction.function.functionArn),
      SourceArn: arnOf(acme.eventCompaction.schedule.ruleArn),
    });
    expect(resourceOf(template, acme, compactionFunction.function).Properties).toMatchObject({
      Timeout: 900,
      Environment: { Variables: { EVENT_STORE_BUCKET: arnOf(acme.eventStore.bucket.bucketName) } },
    });
  });

  it('may rewrite and delete under events/, locator/ and event-schemas/, only read tombstones/, only delete payloads/, keep its bookkeeping under compaction/', () => {
    const { compactionFunction } = acme.eventCompaction;
    expectStatements(compactionFunction, [
      storeStatements(
        'CompactEventObjects',
        ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        ['events/', 'locator/', 'event-schemas/'],
      ),
      storeStatements('ReadTombstoneObjects', 's3:GetObject', ['tombstones/']),
      storeStatements('DeleteUnreachablePayloads', 's3:DeleteObject', ['payloads/']),
      storeStatements(
        'KeepCompactionBookkeeping',
        ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        ['compaction/'],
      ),
      listStore(['events/', 'tombstones/', 'compaction/', 'locator/', 'event-schemas/']),
      storeKey('UseEventStoreKeyToCompact', ['kms:GenerateDataKey', 'kms:Decrypt']),
      // Its failed runs go to its own failure-destination queue (Lambda async onFailure).
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        Resource: arnOf(acme.eventCompaction.failedRuns.queue.queueArn),
      },
    ]);
  });
});

describe('query API', () => {
  it('wires every read route to the query function on the data plane HTTP API', () => {
    const { queryFunction } = acme.queryApi;
    const integrations = Object.keys(
      template.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: {
          ApiId: { Ref: logicalIdOf(acme, acme.ingestApi.api) },
          IntegrationType: 'AWS_PROXY',
          PayloadFormatVersion: '2.0',
          IntegrationUri: arnOf(queryFunction.function.functionArn),
        },
      }),
    );
    expect(integrations).toHaveLength(1);
    const target = { 'Fn::Join': ['', ['integrations/', { Ref: integrations[0] }]] };
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
      .filter((route) => JSON.stringify(route.Properties.Target) === JSON.stringify(target))
      .map((route) => route.Properties.RouteKey);
    // Exactly routes.ts's list, its single source; the e2e tests hold each route to its clients.
    expect(routeKeys.sort()).toEqual([...QUERY_ROUTES].sort());
  });

  it('answers within the HTTP API 30 s limit, with its environment', () => {
    const { queryFunction } = acme.queryApi;
    expect(resourceOf(template, acme, queryFunction.function).Properties).toMatchObject({
      Timeout: 29,
      Environment: {
        Variables: {
          ...athenaEnvironment(),
          KEY_TABLE_NAME: arnOf(acme.keyRegistry.table.tableName),
          EVENTS_QUEUE_URL: arnOf(acme.eventsQueue.queue.queueUrl),
          RAW_ARCHIVE_BUCKET: arnOf(acme.rawArchive.bucket.bucketName),
          DATASETS_TABLE_NAME: arnOf(acme.datasetsApi.store.table.tableName),
          POWERTOOLS_SERVICE_NAME: 'waggle-query',
        },
      },
    });
  });

  it('may read the store, query through Athena, look up keys and enqueue tombstones (overflow included), nothing else', () => {
    const { queryFunction } = acme.queryApi;
    expectStatements(queryFunction, [
      storeStatements('ReadEventStoreObjects', 's3:GetObject', STORE_PREFIXES),
      listStore(STORE_PREFIXES),
      locateStore(),
      storeKey('UseEventStoreKeyToReadEvents', 'kms:Decrypt'),
      ...athenaStatements(),
      {
        Sid: 'LookUpApiKeys',
        Action: 'dynamodb:GetItem',
        Effect: 'Allow',
        Resource: arnOf(acme.keyRegistry.table.tableArn),
      },
      {
        Sid: 'DecryptApiKeys',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: arnOf(acme.keyRegistry.key.keyArn),
        Condition: viaService('dynamodb', REGION),
      },
      {
        Sid: 'SendEvents',
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: arnOf(acme.eventsQueue.queue.queueArn),
      },
      {
        Sid: 'EncryptEvents',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: arnOf(acme.eventsQueue.key.keyArn),
        Condition: viaService('sqs', REGION),
      },
      {
        Sid: 'WriteOverflowEvents',
        Action: 's3:PutObject',
        Effect: 'Allow',
        Resource: objectsArn(acme.rawArchive.bucket.bucketArn, 'overflow/'),
      },
      {
        Sid: 'EncryptOverflowEvents',
        Action: 'kms:GenerateDataKey',
        Effect: 'Allow',
        Resource: arnOf(acme.rawArchive.key.keyArn),
        Condition: s3ViaService,
      },
      {
        Sid: 'CountAuthFailures',
        Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        Effect: 'Allow',
        Resource: arnOf(acme.authRateLimit.table.tableArn),
      },
      // Experiment runs: one item by its key, for their results.
      {
        Sid: 'ReadRuns',
        Action: 'dynamodb:GetItem',
        Effect: 'Allow',
        Resource: arnOf(acme.datasetsApi.store.table.tableArn),
      },
      {
        Sid: 'RunsTableDecryption',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: arnOf(acme.datasetsApi.store.key.keyArn),
        Condition: viaService('dynamodb', REGION),
      },
      {
        Sid: 'ReadPendingUpdates',
        Action: ['dynamodb:BatchGetItem', 'dynamodb:Query'],
        Effect: 'Allow',
        Resource: arnOf(acme.pendingUpdates.table.tableArn),
      },
      {
        Sid: 'DecryptPendingUpdates',
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: arnOf(acme.pendingUpdates.key.keyArn),
        Condition: viaService('dynamodb', REGION),
      },
    ]);
  });

  it('keeps pending updates in a retained, customer-key table with point-in-time recovery and no TTL', () => {
    const table = resourceOf(template, acme, acme.pendingUpdates.table);
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject(customerKeyTable(arnOf(acme.pendingUpdates.key.keyArn)));
    expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
  });
});

describe('outputs', () => {
  it('name the event store, the Glue database, the workgroup and the results bucket', () => {
    template.hasOutput('EventStoreBucketName', { Value: arnOf(acme.eventStore.bucket.bucketName) });
    template.hasOutput('GlueDatabaseName', { Value: 'waggle_acme' });
    template.hasOutput('AthenaWorkGroupName', { Value: 'waggle-acme' });
    template.hasOutput('AthenaResultsBucketName', {
      Value: arnOf(acme.eventTables.resultsBucket.bucketName),
    });
  });
});
