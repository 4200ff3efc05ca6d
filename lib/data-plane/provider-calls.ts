import { Aws, Validations } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { EventsQueue } from './events-queue';
import type { ProviderKeyTable } from './provider-keys';
import type { ProxyLimits } from './proxy-limits';
import type { RawArchive } from './raw-archive';

/** What a function that calls LLM providers as the proxy does reaches (the proxy, and functions that run judges). */
export interface ProviderCallAccess {
  readonly providerKeys: ProviderKeyTable;
  readonly proxyLimits: ProxyLimits;
  /** Each call is a model event on the events queue; a large one goes through the raw archive. */
  readonly eventsQueue: EventsQueue;
  readonly rawArchive: RawArchive;
}

/**
 * Lets the grantee call providers as the LLM proxy does: open provider secrets, admit calls against
 * the project's budgets and rate limits, queue each call's model event, and invoke Bedrock models
 * (signed with the function's own role).
 */
export function grantProviderCalls(grantee: IGrantable, access: ProviderCallAccess): void {
  access.providerKeys.grantDecryptForProxy(grantee);
  access.proxyLimits.grantAdmit(grantee);
  access.eventsQueue.grantSendEvents(grantee);
  access.rawArchive.grantWriteOverflowObjects(grantee);
  grantInvokeBedrock(grantee);
}

/** Bedrock models and inference profiles, any region (a project's key record names its region). */
function grantInvokeBedrock(grantee: IGrantable): void {
  const principal = grantee.grantPrincipal;
  // The partition is a token so the grant holds in aws-cn and aws-us-gov as in aws.
  const models = `arn:${Aws.PARTITION}:bedrock:*::foundation-model/*`;
  const profiles = `arn:${Aws.PARTITION}:bedrock:*:${Aws.ACCOUNT_ID}:inference-profile/*`;
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: 'InvokeBedrockModels',
      actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resources: [models, profiles],
    }),
  );
  if (!Construct.isConstruct(principal)) return;
  for (const resource of [
    'arn:<AWS::Partition>:bedrock:*::foundation-model/*',
    'arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:inference-profile/*',
  ]) {
    Validations.of(principal).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason:
        'The model is chosen per request (bedrock/<model>) in the region of the project key: any model may be named.',
    });
  }
}
