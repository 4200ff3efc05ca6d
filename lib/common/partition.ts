import { Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';

/**
 * The DNS suffix of AWS endpoints in the partition of `scope`'s stack: `amazonaws.com`, or
 * `amazonaws.com.cn` in China. Every Waggle stack is pinned to a region from the deployment config,
 * so the suffix is known at synth and written as a literal (readable policies, plain JSON in
 * environment variables); for a region CDK does not know yet it is CloudFormation's AWS::URLSuffix.
 * Planes only talk within one partition, so the suffix also holds for the other plane's region.
 */
export function urlSuffixOf(scope: Construct): string {
  const stack = Stack.of(scope);
  const known = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).domainSuffix;
  return known ?? stack.urlSuffix;
}

/** The partition of `scope`'s stack, as CloudFormation's AWS::Partition (aws, aws-cn, aws-us-gov). */
export function partitionOf(scope: Construct): string {
  return Stack.of(scope).partition;
}
