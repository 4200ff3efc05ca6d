import { Duration } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Bucket, LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ROLLUPS_PREFIX } from '../../lambdas/domain/alerts/monitors/rollup-table';
import { CHANGE_MARKERS_PREFIX, COMPACTION_PREFIX } from '../../lambdas/domain/store/compaction-changes';
import { EVENT_SCHEMAS_PREFIX } from '../../lambdas/domain/store/event-schema';
import {
  DEAD_LETTERS_PREFIX,
  EVENTS_PREFIX,
  PAYLOADS_PREFIX,
  TOMBSTONES_PREFIX,
} from '../../lambdas/domain/store/layout';
import { LOCATOR_PREFIX } from '../../lambdas/domain/store/locator';
import { SCORES_PREFIX } from '../../lambdas/domain/store/scores';
import { createCustomerKey, viaService } from '../common/customer-key';
import { createEncryptedBucket } from '../common/encrypted-bucket';
import { acknowledgeObjectWildcards } from '../common/nag';

export interface EventStoreProps {
  /** Where S3 server access logs go (the data plane's access-log bucket), under `event-store/`. */
  readonly accessLogBucket: Bucket;
  /**
   * Days an overwritten or deleted object version is kept. Compaction replaces many small files of
   * an hour by one large file; the old ones stay recoverable this long.
   */
  readonly noncurrentVersionExpirationDays?: number;
  /** Projects whose events expire: their events/ and payloads/ objects this many days after written. */
  readonly projectRetention?: readonly ProjectRetention[];
}

export interface ProjectRetention {
  readonly projectId: string;
  readonly days: number;
}

/**
 * The lifecycle rules that expire a project's events and full payloads. Prefixes use the project id
 * URL-encoded, as it appears in keys (lambdas/domain/store/layout.ts), and end in `/` so that
 * project `a` never matches `ab`. S3 counts days from when an object was written, so an event lives
 * at least `days` (compaction rewrites an hour's files soon after the hour ends, which restarts
 * them). Tombstones are left: they are small, and one never outlives its purpose early.
 */
function projectRetentionRules(retention: readonly ProjectRetention[]): LifecycleRule[] {
  return retention.flatMap(({ projectId, days }, index) =>
    [EVENTS_PREFIX, PAYLOADS_PREFIX, SCORES_PREFIX, ROLLUPS_PREFIX].map((table) => ({
      id: `expire-project-${index}-${table.slice(0, -1)}`,
      prefix: `${table}project_id=${encodeURIComponent(projectId)}/`,
      expiration: Duration.days(days),
    })),
  );
}

/** What the writer writes and queries read: events, tombstones, payloads, the id locator, event schemas, scores. */
const EVENT_DATA_PREFIXES: readonly string[] = [
  EVENTS_PREFIX,
  TOMBSTONES_PREFIX,
  PAYLOADS_PREFIX,
  LOCATOR_PREFIX,
  EVENT_SCHEMAS_PREFIX,
  SCORES_PREFIX,
  ROLLUPS_PREFIX,
];

/**
 * The event store of a data plane: Parquet event and tombstone files in Hive partitions, full
 * payloads too large for a row, and dead letters (layout in lambdas/domain/store/layout.ts). One
 * bucket, encrypted with a customer key this construct owns, versioned, private, TLS only. Events
 * are kept until deleted through the API (tombstones), or, for the projects given a retention in
 * the deployment config, that many days; dead letters until an operator replays them.
 *
 * Access is granted per role and per prefix by the grant methods below, never bucket-wide.
 */
export class EventStore extends Construct {
  readonly bucket: Bucket;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: EventStoreProps) {
    super(scope, id);
    this.key = createCustomerKey(
      this,
      'Key',
      'Waggle event store: encrypts stored events, tombstones, payloads and dead letters',
    );
    this.bucket = createEncryptedBucket(this, 'Bucket', {
      encryptionKey: this.key,
      accessLogBucket: props.accessLogBucket,
      accessLogPrefix: 'event-store/',
      // No expiration of current objects but the configured projects' events: deleting stored data is
      // otherwise the API's job (tombstones), and dead letters wait for an operator.
      noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 7),
      lifecycleRules: projectRetentionRules(props.projectRetention ?? []),
    });
  }

  /**
   * The writer: reads and writes event, tombstone and payload objects, lists those prefixes (to
   * resolve updates through Athena, which reads with the caller's permissions). No deletes.
   */
  grantWriteEvents(grantee: IGrantable): void {
    this.addStatement(
      grantee,
      'ReadWriteEventStoreObjects',
      ['s3:GetObject', 's3:PutObject'],
      EVENT_DATA_PREFIXES,
    );
    this.addListAndLocate(grantee, EVENT_DATA_PREFIXES);
    this.addKeyStatement(grantee, 'UseEventStoreKeyToWriteEvents', ['kms:GenerateDataKey', 'kms:Decrypt']);
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      EVENT_DATA_PREFIXES,
      'The writer creates one object per partition per batch under generated keys (project, day, hour, batch id; one id-locator file and one event-schema file per project and batch, one scores file per project and scored day) and reads them back through Athena; s3:GetObject and s3:PutObject only, no deletes.',
    );
    // One change marker per batch tells compaction what changed, so it never lists the store.
    this.addStatement(grantee, 'MarkChangesForCompaction', ['s3:PutObject'], [CHANGE_MARKERS_PREFIX]);
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      [CHANGE_MARKERS_PREFIX],
      'One change marker per writer batch, named by the batch id; s3:PutObject only.',
    );
  }

  /** The monitor evaluator (and Athena on its behalf): reads and lists the per-minute rollups only. */
  grantReadRollups(grantee: IGrantable): void {
    this.addStatement(grantee, 'ReadRollupObjects', ['s3:GetObject'], [ROLLUPS_PREFIX]);
    this.addListAndLocate(grantee, [ROLLUPS_PREFIX]);
    this.addKeyStatement(grantee, 'UseEventStoreKeyToReadRollups', ['kms:Decrypt']);
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      [ROLLUPS_PREFIX],
      'Monitors read whatever rollup files the partitions of their window hold (keys generated by the writer per batch); s3:GetObject only.',
    );
  }

  /** The query function (and Athena on its behalf): reads and lists events, tombstones, payloads, the id locator, the event schemas and the scores. */
  grantReadEvents(grantee: IGrantable): void {
    this.addStatement(grantee, 'ReadEventStoreObjects', ['s3:GetObject'], EVENT_DATA_PREFIXES);
    this.addListAndLocate(grantee, EVENT_DATA_PREFIXES);
    this.addKeyStatement(grantee, 'UseEventStoreKeyToReadEvents', ['kms:Decrypt']);
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      EVENT_DATA_PREFIXES,
      'Queries read whatever files the partitions hold (keys generated by the writer and compaction); s3:GetObject only.',
    );
  }

  /**
   * Compaction: rewrites each closed hour of events/ into few large files (write the new file, then
   * delete the old ones), applying tombstones, which it only reads, and deletes the payloads that no
   * kept row points at any more (superseded versions, deleted events).
   */
  grantCompactEvents(grantee: IGrantable): void {
    this.addStatement(
      grantee,
      'CompactEventObjects',
      ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      [EVENTS_PREFIX, LOCATOR_PREFIX, EVENT_SCHEMAS_PREFIX],
    );
    this.addStatement(grantee, 'ReadTombstoneObjects', ['s3:GetObject'], [TOMBSTONES_PREFIX]);
    this.addStatement(grantee, 'DeleteUnreachablePayloads', ['s3:DeleteObject'], [PAYLOADS_PREFIX]);
    // The writer's change markers (read, then deleted or narrowed) and the per-project manifests.
    this.addStatement(
      grantee,
      'KeepCompactionBookkeeping',
      ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      [COMPACTION_PREFIX],
    );
    this.addList(grantee, [
      EVENTS_PREFIX,
      TOMBSTONES_PREFIX,
      COMPACTION_PREFIX,
      LOCATOR_PREFIX,
      EVENT_SCHEMAS_PREFIX,
    ]);
    this.addKeyStatement(grantee, 'UseEventStoreKeyToCompact', ['kms:GenerateDataKey', 'kms:Decrypt']);
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      [EVENTS_PREFIX, LOCATOR_PREFIX, EVENT_SCHEMAS_PREFIX],
      'Compaction replaces the files of a closed hour, and merges the id locator files and the event-schema files of a project, whose keys the writer generated; it may delete only under events/, locator/ and event-schemas/.',
    );
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      [TOMBSTONES_PREFIX],
      'Compaction reads the tombstones of the hour it rewrites; s3:GetObject only.',
    );
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      [PAYLOADS_PREFIX],
      'Compaction deletes the payload objects that no kept event row refers to any more (keys come from the rows); s3:DeleteObject only.',
    );
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      [COMPACTION_PREFIX],
      'Compaction keeps its own bookkeeping under compaction/ (change markers by batch id, one manifest per project).',
    );
  }

  /** The dead-letter archiver: writes new objects under dead-letters/ and nothing else. */
  grantWriteDeadLetters(grantee: IGrantable): void {
    this.addStatement(grantee, 'WriteDeadLetterObjects', ['s3:PutObject'], [DEAD_LETTERS_PREFIX]);
    this.addKeyStatement(grantee, 'UseEventStoreKeyToWriteDeadLetters', ['kms:GenerateDataKey']);
    acknowledgeObjectWildcards(
      grantee,
      this.bucket,
      [DEAD_LETTERS_PREFIX],
      'One object per dead-lettered message, keyed by day and message id; s3:PutObject only.',
    );
  }

  private addStatement(
    grantee: IGrantable,
    sid: string,
    actions: string[],
    prefixes: readonly string[],
  ): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid,
        actions,
        resources: prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
  }

  /** ListBucket only with a prefix under the given ones: listing the whole bucket is refused. */
  private addList(grantee: IGrantable, prefixes: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ListEventStorePrefixes',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
      }),
    );
  }

  /** Athena asks for the bucket's region before it reads a table location. */
  private addListAndLocate(grantee: IGrantable, prefixes: readonly string[]): void {
    this.addList(grantee, prefixes);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'LocateEventStore',
        actions: ['s3:GetBucketLocation'],
        resources: [this.bucket.bucketArn],
      }),
    );
  }

  /**
   * S3 uses the key on the caller's behalf (bucket key included); only through S3. Each grant names
   * its own statement: IAM refuses a policy in which two statements share a Sid, and one role may
   * hold several grants (the writer writes events and dead letters).
   */
  private addKeyStatement(grantee: IGrantable, sid: string, actions: string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid,
        actions,
        resources: [this.key.keyArn],
        conditions: viaService(this, 's3'),
      }),
    );
  }
}
