import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** What every Waggle bucket has: private, ACLs disabled, TLS only, kept when the stack goes. */
export const PRIVATE_BUCKET_DEFAULTS = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  removalPolicy: RemovalPolicy.RETAIN,
} as const;

interface EncryptedBucketProps {
  /** The customer key (see createCustomerKey) that encrypts the objects, through a bucket key. */
  readonly encryptionKey: Key;
  /**
   * Where S3 server access logs go, and under which prefix. Whether S3 gets in there through a bucket
   * policy (S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY) is decided where that bucket is created: CDK reads
   * the flag on the access-log bucket, not on the buckets that log to it (see RawArchive).
   */
  readonly accessLogBucket: IBucket;
  readonly accessLogPrefix: string;
  /**
   * Keep object versions, and overwritten or deleted ones this long (a clean-up rule added after
   * the bucket's own rules, which also aborts incomplete uploads). Unversioned when absent.
   */
  readonly noncurrentVersionExpiration?: Duration;
  /** The bucket's own lifecycle rules (tiering, expiration). */
  readonly lifecycleRules?: LifecycleRule[];
}

/**
 * A bucket that holds event data: SSE-KMS under a customer key with a bucket key (one data key per
 * bucket instead of a KMS call per object, as ingest writes an object per request and Athena reads
 * many files per query), private, TLS only, access-logged, RETAIN. Created directly in `scope` under
 * `id`, so the caller keeps its logical id.
 */
export function createEncryptedBucket(scope: Construct, id: string, props: EncryptedBucketProps): Bucket {
  const lifecycleRules = [...(props.lifecycleRules ?? [])];
  const versioned = props.noncurrentVersionExpiration !== undefined;
  if (versioned) {
    lifecycleRules.push({
      id: 'clean-up-versions-and-uploads',
      noncurrentVersionExpiration: props.noncurrentVersionExpiration,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
      expiredObjectDeleteMarker: true,
    });
  }
  return new Bucket(scope, id, {
    ...PRIVATE_BUCKET_DEFAULTS,
    encryption: BucketEncryption.KMS,
    encryptionKey: props.encryptionKey,
    bucketKeyEnabled: true,
    versioned,
    serverAccessLogsBucket: props.accessLogBucket,
    serverAccessLogsPrefix: props.accessLogPrefix,
    lifecycleRules,
  });
}
