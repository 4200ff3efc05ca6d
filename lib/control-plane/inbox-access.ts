import { Stack, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { partitionOf, urlSuffixOf } from '../common/partition';
import type { DataPlaneConfig } from '../config/deployment-config';
import { inboxKeyAlias, inboxQueueArn, inboxQueueUrl } from '../config/sync-names';

/**
 * Lets a control-plane role send to every data plane's inbox queue, in other accounts and regions.
 * The queue ARNs come from the deployment config (sync-names), not from stack references. The inbox
 * keys are the data planes' own customer keys whose ids this stack cannot know, so the KMS statement
 * names `key/*` in each data plane's account and region, narrowed to SQS calls on keys carrying that
 * data plane's inbox alias; the data plane's key policy is the other half of the trust.
 */
export function grantSendToInboxes(
  scope: Construct,
  grantee: IGrantable,
  dataPlanes: readonly DataPlaneConfig[],
): void {
  if (dataPlanes.length === 0) return;
  const partition = partitionOf(scope);
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'SendToDataPlaneInboxes',
      actions: ['sqs:SendMessage'],
      resources: dataPlanes.map((dataPlane) => inboxQueueArn(dataPlane, partition)),
    }),
  );
  dataPlanes.forEach((dataPlane, index) => {
    const keys = `arn:${partition}:kms:${dataPlane.region}:${dataPlane.account}:key/*`;
    // cdk-nag names the resource as the template has it, the partition as <AWS::Partition>.
    const nagResource = `arn:<AWS::Partition>:kms:${dataPlane.region}:${dataPlane.account}:key/*`;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: `EncryptForInbox${index}`,
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [keys],
        conditions: {
          StringEquals: { 'kms:ViaService': `sqs.${dataPlane.region}.${urlSuffixOf(scope)}` },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': inboxKeyAlias(dataPlane) },
        },
      }),
    );
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      Validations.of(grantee.grantPrincipal).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResource}]`,
        reason: `The inbox key of data plane "${dataPlane.name}" lives in account ${dataPlane.account}, so its key id is unknown here; the statement only allows SQS (kms:ViaService) to use a key carrying the alias ${inboxKeyAlias(dataPlane)}, and that key's policy must also name this role.`,
      });
    }
  });
}

/** The inboxes as the sync functions read them (INBOXES environment variable). */
export function inboxesEnvironment(scope: Construct, dataPlanes: readonly DataPlaneConfig[]): string {
  return Stack.of(scope).toJsonString(
    dataPlanes.map((dataPlane) => ({
      id: dataPlane.name,
      region: dataPlane.region,
      queueUrl: inboxQueueUrl(dataPlane, urlSuffixOf(scope)),
    })),
  );
}
