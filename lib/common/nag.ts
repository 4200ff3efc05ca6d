import { Stack, Validations } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for object-key wildcards under named prefixes of
 * one bucket (`<bucket>/events/*`), on the grantee's role. cdk-nag names the bucket the way it
 * appears in the template, `<LogicalId.Arn>`, so the acknowledgement matches exactly one finding
 * per prefix and any other wildcard still fails the synth.
 */
export function acknowledgeObjectWildcards(
  grantee: IGrantable,
  bucket: Bucket,
  prefixes: readonly string[],
  reason: string,
): void {
  if (!Construct.isConstruct(grantee.grantPrincipal)) return;
  const bucketArn = `<${Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>`;
  for (const prefix of prefixes) {
    Validations.of(grantee.grantPrincipal).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${bucketArn}/${prefix}*]`,
      reason: `${reason} The wildcard is limited to the ${prefix} prefix of this one bucket.`,
    });
  }
}
