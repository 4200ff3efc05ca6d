import { Duration, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption, StorageClass } from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { RAW_REQUEST_OBJECTS_PREFIX } from '../../lambdas/domain/ingest/raw-archive';
import { RAW_BATCHES_PREFIX } from '../../lambdas/domain/ingest/raw-batch-archive';
import { createCustomerKey, viaService } from '../common/customer-key';
import { createEncryptedBucket, PRIVATE_BUCKET_DEFAULTS } from '../common/encrypted-bucket';
import { acknowledgeObjectWildcards } from '../common/nag';

/**
 * Archived ingest requests, read back by the replay command: the writer's batch objects under
 * raw/batches/, and one object per request too big for a queue message under raw/project_id=.
 */
const RAW_PREFIX = 'raw/';

/**
 * Days archived requests are kept. Long enough to notice and fix a normalization bug and replay
 * (and past the 14 days a dead-letter queue keeps a message); short enough that prompts deleted
 * through the API (tombstones, which never touch raw/) do not survive in the archive for long.
 */
export const DEFAULT_RAW_RETENTION_DAYS = 30;
/** Events too big for a queue message; the message carries the object key instead. */
const OVERFLOW_PREFIX = 'overflow/';

interface RawArchiveProps {
  /** Days archived requests (raw/) are kept; DEFAULT_RAW_RETENTION_DAYS when absent. */
  readonly rawRetentionDays?: number;
  /** Days before archived requests move to Standard-IA. */
  readonly infrequentAccessAfterDays?: number;
  /** Days before archived requests move to Glacier Instant Retrieval (still readable at once by replay). */
  readonly glacierInstantRetrievalAfterDays?: number;
  /** Days an overwritten or deleted object version is kept. */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days an overflow event is kept; it only has to outlive the queue message pointing at it. */
  readonly overflowExpirationDays?: number;
  /** Days the S3 server access logs are kept. */
  readonly accessLogExpirationDays?: number;
}

// S3 charges Standard-IA and Glacier IR objects as at least 128 KiB and bills each transition, so
// moving the many small compressed requests would cost more than it saves.
const MIN_TRANSITION_OBJECT_BYTES = 128 * 1024;
// And bills them at least 30 (Standard-IA) and 90 (Glacier IR) days of storage
// (https://aws.amazon.com/s3/pricing/): a transition is made only if the object stays that long after it.
const MIN_STORAGE_DAYS = {
  [StorageClass.INFREQUENT_ACCESS.value]: 30,
  [StorageClass.GLACIER_INSTANT_RETRIEVAL.value]: 90,
};

/**
 * The raw-archive bucket of a data plane: every accepted request lands here before it is
 * acknowledged, encrypted with a customer key this construct owns, versioned, private, TLS only.
 */
export class RawArchive extends Construct {
  readonly bucket: Bucket;
  readonly key: Key;
  readonly accessLogBucket: Bucket;

  constructor(scope: Construct, id: string, props: RawArchiveProps = {}) {
    super(scope, id);
    // Let S3 log delivery in through a bucket policy: the legacy LogDeliveryWrite ACL is incompatible
    // with BUCKET_OWNER_ENFORCED (ACLs disabled), which every Waggle bucket uses. CDK reads the flag on
    // the access-log bucket, so it is set here, where that bucket is created, for every data-plane
    // bucket that logs to it.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.key = createCustomerKey(
      this,
      'Key',
      'Waggle raw archive: encrypts archived ingest requests and overflow events',
    );

    // Server access logs can only be delivered to a bucket with S3-managed encryption.
    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET_DEFAULTS,
      encryption: BucketEncryption.S3_MANAGED,
      lifecycleRules: [
        {
          id: 'expire-access-logs',
          expiration: Duration.days(props.accessLogExpirationDays ?? 365),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the destination of the raw archive access logs; logging it would log itself.',
    });

    const rawRetentionDays = props.rawRetentionDays ?? DEFAULT_RAW_RETENTION_DAYS;
    const transitions = [
      { storageClass: StorageClass.INFREQUENT_ACCESS, days: props.infrequentAccessAfterDays ?? 30 },
      {
        storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL,
        days: props.glacierInstantRetrievalAfterDays ?? 90,
      },
    ].filter(
      ({ storageClass, days }) => days + (MIN_STORAGE_DAYS[storageClass.value] ?? 0) <= rawRetentionDays,
    );
    this.bucket = createEncryptedBucket(this, 'Bucket', {
      encryptionKey: this.key,
      accessLogBucket: this.accessLogBucket,
      accessLogPrefix: 'raw-archive/',
      noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays ?? 30),
      lifecycleRules: [
        {
          id: 'expire-archived-requests',
          prefix: RAW_PREFIX,
          expiration: Duration.days(rawRetentionDays),
        },
        ...(transitions.length === 0
          ? []
          : [
              {
                // CDK writes ObjectSizeGreaterThan as a number where the schema says string; CloudFormation
                // coerces it, and the validator warns (W9003). Acknowledged where the bucket is defined below.
                id: 'tier-archived-requests',
                prefix: RAW_PREFIX,
                objectSizeGreaterThan: MIN_TRANSITION_OBJECT_BYTES,
                transitions: transitions.map(({ storageClass, days }) => ({
                  storageClass,
                  transitionAfter: Duration.days(days),
                })),
              },
            ]),
        {
          // SQS keeps a message 14 days at most (dead-letter queue included); 30 days leaves room
          // for a redrive before the event it points at disappears.
          id: 'expire-overflow-events',
          prefix: OVERFLOW_PREFIX,
          expiration: Duration.days(props.overflowExpirationDays ?? 30),
        },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'CloudFormation-Validate::W9003',
      reason:
        'CDK renders the lifecycle ObjectSizeGreaterThan as a number; CloudFormation coerces it to the string its schema names.',
    });
  }

  /**
   * Lets the grantee (ingest) write new objects under `raw/project_id=` (requests too big for a queue
   * message; the others travel on the queue) and `overflow/` and nothing else: no reads, no deletes,
   * no other prefixes (not the writer's raw/batches/). S3 asks KMS for a data key on the caller's
   * behalf, so the caller needs kms:GenerateDataKey, and only through S3.
   */
  grantWriteArchiveObjects(grantee: IGrantable): void {
    this.grantObjects(grantee, {
      sid: 'WriteRawArchiveObjects',
      actions: ['s3:PutObject'],
      prefixes: [RAW_REQUEST_OBJECTS_PREFIX, OVERFLOW_PREFIX],
      keySid: 'EncryptRawArchiveObjects',
      keyActions: ['kms:GenerateDataKey'],
      reason:
        'Object keys under raw/project_id= and overflow/ are generated per request (project, date, request id); s3:PutObject only.',
    });
  }

  /**
   * Lets the grantee (the writer) write the batch objects of raw requests under `raw/batches/`:
   * s3:PutObject there only.
   */
  grantWriteRawBatches(grantee: IGrantable): void {
    this.grantObjects(grantee, {
      sid: 'WriteRawBatchObjects',
      actions: ['s3:PutObject'],
      prefixes: [RAW_BATCHES_PREFIX],
      keySid: 'EncryptRawBatchObjects',
      keyActions: ['kms:GenerateDataKey'],
      reason:
        'One object per writer batch and receive hour, keyed by day, hour and batch id; s3:PutObject only.',
    });
  }

  /**
   * Lets the grantee (the query function, which queues tombstones through the same publisher as
   * ingest) park an event too big for a queue message under `overflow/`: s3:PutObject there only.
   */
  grantWriteOverflowObjects(grantee: IGrantable): void {
    this.grantObjects(grantee, {
      sid: 'WriteOverflowEvents',
      actions: ['s3:PutObject'],
      prefixes: [OVERFLOW_PREFIX],
      keySid: 'EncryptOverflowEvents',
      keyActions: ['kms:GenerateDataKey'],
      reason: 'Overflow keys are generated per request (project, request id); s3:PutObject only.',
    });
  }

  /**
   * Lets the grantee (the writer) read the events that ingest parked under `overflow/` because they
   * were too big for a queue message: s3:GetObject on that prefix only, decrypting through S3 only.
   */
  grantReadOverflowObjects(grantee: IGrantable): void {
    this.grantObjects(grantee, {
      sid: 'ReadOverflowEvents',
      actions: ['s3:GetObject'],
      prefixes: [OVERFLOW_PREFIX],
      keySid: 'DecryptOverflowEvents',
      keyActions: ['kms:Decrypt'],
      reason:
        'Overflow keys are generated per request by ingest and arrive in queue messages; s3:GetObject only.',
    });
  }

  /**
   * The object actions on the given prefixes, the matching use of the key through S3 only, and the
   * cdk-nag acknowledgement of exactly those prefix wildcards.
   */
  private grantObjects(
    grantee: IGrantable,
    grant: {
      sid: string;
      actions: string[];
      prefixes: readonly string[];
      keySid: string;
      keyActions: string[];
      reason: string;
    },
  ): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: grant.sid,
        actions: grant.actions,
        resources: grant.prefixes.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    acknowledgeObjectWildcards(grantee, this.bucket, grant.prefixes, grant.reason);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: grant.keySid,
        actions: grant.keyActions,
        resources: [this.key.keyArn],
        conditions: viaService(this, 's3'),
      }),
    );
  }
}
