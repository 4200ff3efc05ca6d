import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { ParameterTier, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { DataPlaneConfig } from '../config/deployment-config';

export interface ControlPlaneStackProps extends StackProps {
  /** The data planes this control plane manages, as named in the deployment config. */
  readonly dataPlanes: readonly DataPlaneConfig[];
}

/** Standard SSM parameters hold 4 KB; the data-plane list outgrows that at a few dozen planes. */
const STANDARD_PARAMETER_LIMIT = 4096;

/**
 * The control plane: identity, tenancy, API keys, signed tokens and config sync arrive with issue 5.
 * Until then it records which data planes the deployment config assigns to it (the seed of the
 * data-plane registry) and names its own account and region; CloudFormation refuses an empty stack.
 */
export class ControlPlaneStack extends Stack {
  readonly dataPlaneRegistry: StringParameter;

  constructor(scope: Construct, id: string, props: ControlPlaneStackProps) {
    super(scope, id, props);
    Tags.of(this).add('waggle:plane', 'control');

    const registry = JSON.stringify(
      props.dataPlanes.map(({ name, account, region, hostingModel }) => ({
        name,
        account,
        region,
        hostingModel,
      })),
    );
    this.dataPlaneRegistry = new StringParameter(this, 'DataPlaneRegistry', {
      parameterName: '/waggle/control-plane/data-planes',
      description: 'Data planes assigned to this control plane by the deployment config (JSON)',
      stringValue: registry,
      tier: registry.length > STANDARD_PARAMETER_LIMIT ? ParameterTier.ADVANCED : ParameterTier.STANDARD,
    });

    new CfnOutput(this, 'ControlPlaneLocation', {
      description: 'Account and region of the Waggle control plane',
      value: `${this.account}/${this.region}`,
    });
    new CfnOutput(this, 'DataPlaneRegistryParameter', { value: this.dataPlaneRegistry.parameterName });
  }
}
