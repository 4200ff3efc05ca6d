import { Duration, Stack } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ROLLUP_COLUMNS, ROLLUPS_PREFIX } from '../../lambdas/domain/alerts/monitors/rollup-table';
import {
  type Column,
  EVENT_COLUMNS,
  PARTITION_COLUMNS,
  TOMBSTONE_COLUMNS,
} from '../../lambdas/domain/store/columns';
import { EVENT_SCHEMA_COLUMNS, EVENT_SCHEMAS_PREFIX } from '../../lambdas/domain/store/event-schema';
import { EVENTS_PREFIX, TOMBSTONES_PREFIX } from '../../lambdas/domain/store/layout';
import { LOCATOR_COLUMNS, LOCATOR_PREFIX } from '../../lambdas/domain/store/locator';
import {
  DEFAULT_DATA_START_DATE,
  dataStartDateProblem,
  projectedDayRange,
} from '../../lambdas/domain/store/projection-window';
import { SCORE_COLUMNS, SCORES_PREFIX } from '../../lambdas/domain/store/scores';
import { createCustomerKey, viaService } from '../common/customer-key';
import { createEncryptedBucket } from '../common/encrypted-bucket';
import { acknowledgeObjectWildcards } from '../common/nag';
import type { EventStore } from './event-store';

/** Athena writes query results under this prefix of the results bucket. */
const RESULTS_PREFIX = 'results/';

/** The Glue tables, by name as they appear in SQL. */
const TABLE_NAMES = ['events', 'tombstones', 'event_schemas', 'locator', 'scores', 'minute_rollups'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';
const PARQUET_INPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
const PARQUET_OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';

/** 10 GiB: about $0.05 per query at $5 per TB, and far more than a project-scoped hour range reads. */
const DEFAULT_BYTES_SCANNED_CUTOFF_PER_QUERY = 10 * 1024 ** 3;
/** Athena refuses a per-query limit under 10 MB. */
const MIN_BYTES_SCANNED_CUTOFF_PER_QUERY = 10_000_000;

export interface EventTablesProps {
  readonly eventStore: EventStore;
  /** Where the results bucket's access logs go (the data plane's access-log bucket). */
  readonly accessLogBucket: Bucket;
  /** Glue database name: lower-case letters, digits and underscores. */
  readonly databaseName: string;
  /** Athena workgroup name. */
  readonly workGroupName: string;
  /** Athena cancels a query of this workgroup once it has scanned this many bytes. */
  readonly bytesScannedCutoffPerQuery?: number;
  /** Days Athena query results are kept (the query function pages them within seconds). */
  readonly resultExpirationDays?: number;
  /**
   * The first day (YYYY-MM-DD, UTC) the hourly tables project; default DEFAULT_DATA_START_DATE.
   * Rows dated earlier stay stored but Athena never reads them: name the plane's first day of data.
   */
  readonly dataStartDate?: string;
}

/**
 * The SQL face of the event store: a Glue database with the events, tombstones, event_schemas
 * and locator tables (Parquet, partition projection: no crawler, no MSCK REPAIR), and an Athena
 * workgroup (engine 3, enforced settings, encrypted results in a bucket of their own, a bytes-scanned
 * limit per query, CloudWatch metrics).
 */
export class EventTables extends Construct {
  readonly database: CfnDatabase;
  readonly tables: Record<TableName, CfnTable>;
  readonly workGroup: CfnWorkGroup;
  /** More than two failed queries in 5 minutes. */
  readonly failedQueriesAlarm: Alarm;
  readonly resultsBucket: Bucket;
  readonly resultsKey: Key;
  readonly databaseName: string;
  readonly workGroupName: string;

  constructor(scope: Construct, id: string, props: EventTablesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { eventStore } = props;
    if (!/^[a-z0-9_]{1,255}$/.test(props.databaseName)) {
      throw new Error(`Glue database name must be lower-case letters, digits and _: "${props.databaseName}"`);
    }
    const bytesScannedCutoffPerQuery =
      props.bytesScannedCutoffPerQuery ?? DEFAULT_BYTES_SCANNED_CUTOFF_PER_QUERY;
    if (
      !Number.isInteger(bytesScannedCutoffPerQuery) ||
      bytesScannedCutoffPerQuery < MIN_BYTES_SCANNED_CUTOFF_PER_QUERY
    ) {
      throw new Error(
        `bytesScannedCutoffPerQuery must be an integer of at least ${MIN_BYTES_SCANNED_CUTOFF_PER_QUERY} (10 MB), got ${bytesScannedCutoffPerQuery}`,
      );
    }
    this.databaseName = props.databaseName;
    this.workGroupName = props.workGroupName;
    const dataStartDate = props.dataStartDate ?? DEFAULT_DATA_START_DATE;
    const startProblem = dataStartDateProblem(dataStartDate, Date.now());
    if (startProblem !== undefined) throw new Error(`dataStartDate ${startProblem}`);

    this.database = new CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: props.databaseName,
        description:
          'Waggle event store: events, tombstones, event schemas, the id locator and scores (Parquet on S3)',
      },
    });

    const bucketName = eventStore.bucket.bucketName;
    /** Projection of the project (named by the query) and the UTC day partitions. */
    const dayProjection = {
      'projection.enabled': 'true',
      'projection.project_id.type': 'injected',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      // From the plane's first day to tomorrow (clocks ahead); later days come into view daily.
      'projection.dt.range': projectedDayRange(dataStartDate),
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
    };
    const hourlyTable = (name: TableName, prefix: string, columns: readonly Column[], description: string) =>
      this.addTable(name, {
        description,
        columns,
        partitionColumns: PARTITION_COLUMNS,
        location: `s3://${bucketName}/${prefix}`,
        projection: {
          ...dayProjection,
          'projection.hour.type': 'integer',
          'projection.hour.range': '0,23',
          'projection.hour.digits': '2',
          'storage.location.template': `s3://${bucketName}/${prefix}project_id=\${project_id}/dt=\${dt}/hour=\${hour}/`,
        },
      });

    this.tables = {
      events: hourlyTable(
        'events',
        EVENTS_PREFIX,
        EVENT_COLUMNS,
        'One row per event version; partitioned by the UTC hour of start_time',
      ),
      tombstones: hourlyTable(
        'tombstones',
        TOMBSTONES_PREFIX,
        TOMBSTONE_COLUMNS,
        'Deleted events and sessions; partitioned by the UTC hour of deleted_at',
      ),
      event_schemas: this.addTable('event_schemas', {
        description: 'Fields seen per project, event type and event name',
        columns: EVENT_SCHEMA_COLUMNS,
        partitionColumns: PARTITION_COLUMNS.filter((column) => column.name === 'project_id'),
        location: `s3://${bucketName}/${EVENT_SCHEMAS_PREFIX}`,
        projection: {
          'projection.enabled': 'true',
          'projection.project_id.type': 'injected',
          'storage.location.template': `s3://${bucketName}/${EVENT_SCHEMAS_PREFIX}project_id=\${project_id}/`,
        },
      }),
      scores: this.addTable('scores', {
        description:
          "Every evaluation of an event; partitioned by the project and the scored event's UTC day",
        columns: SCORE_COLUMNS,
        partitionColumns: PARTITION_COLUMNS.filter((column) => column.name !== 'hour'),
        location: `s3://${bucketName}/${SCORES_PREFIX}`,
        projection: {
          ...dayProjection,
          'storage.location.template': `s3://${bucketName}/${SCORES_PREFIX}project_id=\${project_id}/dt=\${dt}/`,
        },
      }),
      minute_rollups: this.addTable('minute_rollups', {
        description:
          'Per-minute rollups of new events (counts, sums, min/max, sketches) that monitors read; partitioned by project and UTC day',
        columns: ROLLUP_COLUMNS,
        partitionColumns: PARTITION_COLUMNS.filter((column) => column.name !== 'hour'),
        location: `s3://${bucketName}/${ROLLUPS_PREFIX}`,
        projection: {
          ...dayProjection,
          'storage.location.template': `s3://${bucketName}/${ROLLUPS_PREFIX}project_id=\${project_id}/dt=\${dt}/`,
        },
      }),
      locator: this.addTable('locator', {
        description: 'Id locator: the days holding rows of each event id and session id (sorted by id)',
        columns: LOCATOR_COLUMNS,
        partitionColumns: PARTITION_COLUMNS.filter((column) => column.name === 'project_id'),
        location: `s3://${bucketName}/${LOCATOR_PREFIX}`,
        projection: {
          'projection.enabled': 'true',
          'projection.project_id.type': 'injected',
          'storage.location.template': `s3://${bucketName}/${LOCATOR_PREFIX}project_id=\${project_id}/`,
        },
      }),
    };

    // Query results hold event data too: their own customer key and a bucket of their own, so that the
    // store's policies never have to allow Athena's output writes.
    this.resultsKey = createCustomerKey(
      this,
      'ResultsKey',
      'Waggle Athena results: encrypts query results of the event tables',
    );
    // Unversioned: results are written once and expire after a few days.
    this.resultsBucket = createEncryptedBucket(this, 'Results', {
      encryptionKey: this.resultsKey,
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: 'athena-results/',
      lifecycleRules: [
        {
          id: 'expire-query-results',
          expiration: Duration.days(props.resultExpirationDays ?? 7),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    this.workGroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'Waggle queries over the event tables (query API and writer)',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup although it has a query history.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        // Clients cannot override the output location, encryption or limit per query.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery,
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/${RESULTS_PREFIX}`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: this.resultsKey.keyArn },
        },
      },
    });

    // The workgroup publishes one TotalExecutionTime sample per finished query, by state.
    this.failedQueriesAlarm = new Alarm(this, 'FailedQueriesAlarm', {
      alarmDescription: `Athena queries of workgroup ${props.workGroupName} failed (reads answer 500, the writer retries updates). See docs/operations.md, "Athena failures".`,
      metric: this.metricQueries('FAILED'),
      threshold: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** Queries of the workgroup that ended in `state`, per 5 minutes (from the workgroup's own metrics). */
  metricQueries(state: 'SUCCEEDED' | 'FAILED' | 'CANCELED'): Metric {
    return new Metric({
      namespace: 'AWS/Athena',
      metricName: 'TotalExecutionTime',
      dimensionsMap: { WorkGroup: this.workGroupName, QueryState: state, QueryType: 'DML' },
      period: Duration.minutes(5),
      statistic: 'SampleCount',
    });
  }

  /**
   * Run Athena queries in this workgroup over these tables: the Athena query calls on the workgroup,
   * read-only Glue calls on the catalog, the database and its tables, and the results bucket (Athena
   * writes results with the caller's permissions). Reading the data itself is granted by EventStore.
   */
  grantQuery(grantee: IGrantable): void {
    const stack = Stack.of(this);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'RunAthenaQueries',
        actions: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
          'athena:GetWorkGroup',
        ],
        resources: [
          stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.workGroupName }),
        ],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadEventTableDefinitions',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName }),
          ...TABLE_NAMES.map((table) =>
            stack.formatArn({
              service: 'glue',
              resource: 'table',
              resourceName: `${this.databaseName}/${table}`,
            }),
          ),
        ],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'LocateAthenaResults',
        actions: ['s3:GetBucketLocation', 's3:ListBucket'],
        resources: [this.resultsBucket.bucketArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteAthenaResults',
        actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [this.resultsBucket.arnForObjects(`${RESULTS_PREFIX}*`)],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'UseAthenaResultsKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.resultsKey.keyArn],
        conditions: viaService(this, 's3'),
      }),
    );
    acknowledgeObjectWildcards(
      grantee,
      this.resultsBucket,
      [RESULTS_PREFIX],
      'Athena names each result object after its query execution id, unknown in advance; the grantee reads back what its own queries wrote.',
    );
  }

  private addTable(
    name: TableName,
    spec: {
      description: string;
      columns: readonly Column[];
      partitionColumns: readonly Column[];
      location: string;
      projection: Record<string, string>;
    },
  ): CfnTable {
    const table = new CfnTable(this, `${pascalCase(name)}Table`, {
      catalogId: Stack.of(this).account,
      databaseName: this.databaseName,
      tableInput: {
        name,
        description: spec.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: { EXTERNAL: 'TRUE', classification: 'parquet', ...spec.projection },
        partitionKeys: spec.partitionColumns.map(glueColumn),
        storageDescriptor: {
          columns: spec.columns.map(glueColumn),
          location: spec.location,
          inputFormat: PARQUET_INPUT_FORMAT,
          outputFormat: PARQUET_OUTPUT_FORMAT,
          serdeInfo: { serializationLibrary: PARQUET_SERDE, parameters: { 'serialization.format': '1' } },
        },
      },
    });
    table.node.addDependency(this.database);
    return table;
  }
}

/** Column types of columns.ts are Hive type names already; Glue comments are at most 255 characters. */
function glueColumn(column: Column): CfnTable.ColumnProperty {
  const glueType: Record<Column['type'], string> = {
    string: 'string',
    bigint: 'bigint',
    double: 'double',
    boolean: 'boolean',
  };
  return { name: column.name, type: glueType[column.type], comment: column.description.slice(0, 255) };
}

function pascalCase(name: string): string {
  return name.replace(/(^|_)([a-z])/g, (_match, _sep, letter: string) => letter.toUpperCase());
}
