import { RemovalPolicy } from 'aws-cdk-lib';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  IpAddresses,
  type SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * A small VPC of its own for one part of a plane (the Python executor, the gRPC collector): two
 * zones (the stack picks its first two without a lookup, DataPlaneStack.availabilityZones), one
 * kind of subnet, no NAT gateway, and a flow log of refused traffic kept a month. Created as `Vpc`,
 * its log as `RejectedFlows` and `FlowLogs`, in `scope`.
 */
export function planeVpc(
  scope: Construct,
  options: {
    cidr: string;
    subnet: { name: string; subnetType: SubnetType };
    /** False for isolated subnets: no route out at all. */
    createInternetGateway?: boolean;
  },
): Vpc {
  const vpc = new Vpc(scope, 'Vpc', {
    ipAddresses: IpAddresses.cidr(options.cidr),
    maxAzs: 2,
    natGateways: 0,
    ...(options.createInternetGateway === false && { createInternetGateway: false }),
    subnetConfiguration: [{ ...options.subnet, cidrMask: 26 }],
    // Nothing uses the default security group; stripping its rules would take a custom-resource
    // Lambda function in the stack.
    restrictDefaultSecurityGroup: false,
  });
  vpc.addFlowLog('RejectedFlows', {
    trafficType: FlowLogTrafficType.REJECT,
    destination: FlowLogDestination.toCloudWatchLogs(
      new LogGroup(scope, 'FlowLogs', {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    ),
  });
  return vpc;
}
