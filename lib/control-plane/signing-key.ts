import { RemovalPolicy } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export const SIGNING_KEY_ALIAS = 'alias/waggle-control-plane-signing';

/**
 * The control plane's asymmetric signing key (ECC_NIST_P256, SIGN_VERIFY): it signs the ES256
 * data-plane tokens and the config sync messages; its public half is published as the JWKS. The
 * private key never leaves KMS. Asymmetric keys cannot rotate automatically: rotation is a new key
 * beside this one (see docs/deployment.md). RETAIN: a deleted key would invalidate every token.
 */
export class SigningKey extends Construct {
  readonly key: Key;
  readonly alias: Alias;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'Waggle control plane: signs data-plane tokens (ES256) and config sync messages',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.alias = new Alias(this, 'Alias', { aliasName: SIGNING_KEY_ALIAS, targetKey: this.key });
  }

  /** kms:Sign with ECDSA_SHA_256 only, plus GetPublicKey (KmsSigner checks the key spec once). */
  grantSign(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SignWithControlPlaneKey',
        actions: ['kms:Sign'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
      }),
    );
    this.grantGetPublicKey(grantee);
  }

  /** kms:GetPublicKey only: publishing the JWKS. */
  grantGetPublicKey(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadControlPlanePublicKey',
        actions: ['kms:GetPublicKey'],
        resources: [this.key.keyArn],
      }),
    );
  }
}
