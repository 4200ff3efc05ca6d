import { RemovalPolicy, Tags } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { InputOf } from '../../lambdas/config/schema';
import type { SigningInput } from '../../lambdas/config/sync-publishing';
import type { PREVIOUS_SIGNING_KEY_VARIABLES } from '../../lambdas/control-plane-tokens/environment';
import type { SigningKeysConfig } from '../config/deployment-config';

const SIGNING_KEY_ALIAS = 'alias/waggle-control-plane-signing';

/** The key ring when the deployment config names none: one key, "a". */
const DEFAULT_SIGNING_KEYS: SigningKeysConfig = { current: 'a' };

interface SigningKeyProps {
  /** controlPlane.signingKeys from the deployment config; absent: DEFAULT_SIGNING_KEYS. */
  readonly keys?: SigningKeysConfig;
}

/**
 * Construct id of a named key. Key "a" keeps the id of the single key deployed before the key ring
 * existed (`Key`), so adopting the key ring never replaces a deployed key.
 */
function signingKeyConstructId(name: string): string {
  return name === DEFAULT_SIGNING_KEYS.current ? 'Key' : `Key-${name}`;
}

/**
 * The control plane's signing key ring: one asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) per name
 * in controlPlane.signingKeys. The current key signs the ES256 data-plane tokens and the config sync
 * messages; during a rotation the previous key is only published in the JWKS (GetPublicKey), so
 * tokens and queued sync messages it signed keep verifying until they expire or are applied. The
 * private keys never leave KMS. Asymmetric keys cannot rotate automatically: a rotation is a new
 * name in the config and a deploy (docs/deployment.md, "Rotating the signing key"). RETAIN: a key
 * dropped from the config stays in the account until an operator schedules its deletion.
 */
export class SigningKey extends Construct {
  /** The current key: it signs. */
  readonly key: Key;
  /** The key being rotated out, published in the JWKS only; absent outside a rotation. */
  readonly previousKey?: Key;
  readonly keyNames: SigningKeysConfig;
  /** Always points at the current key. */
  readonly alias: Alias;

  constructor(scope: Construct, id: string, props: SigningKeyProps = {}) {
    super(scope, id);
    this.keyNames = props.keys ?? DEFAULT_SIGNING_KEYS;
    const { current, previous } = this.keyNames;
    if (previous === current) throw new Error(`signing key "${current}" cannot be current and previous`);
    this.key = this.createKey(current);
    if (previous !== undefined) this.previousKey = this.createKey(previous);
    this.alias = new Alias(this, 'Alias', { aliasName: SIGNING_KEY_ALIAS, targetKey: this.key });
  }

  private createKey(name: string): Key {
    const key = new Key(this, signingKeyConstructId(name), {
      description: 'Waggle control plane: signs data-plane tokens (ES256) and config sync messages',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(key).add('waggle:signing-key', name);
    return key;
  }

  /** Every key the JWKS publishes: the current one first, then the previous one during a rotation. */
  get publishedKeys(): Key[] {
    return this.previousKey ? [this.key, this.previousKey] : [this.key];
  }

  /** SIGNING_KEY_ARN and SIGNING_KEY_KID: the current key (the kid is its key id, not its ARN). */
  signingEnvironment(): SigningInput {
    return { SIGNING_KEY_ARN: this.key.keyArn, SIGNING_KEY_KID: this.key.keyId };
  }

  /** The signing environment plus PREVIOUS_SIGNING_KEY_ARN and _KID during a rotation (the JWKS). */
  publishingEnvironment(): SigningInput & InputOf<typeof PREVIOUS_SIGNING_KEY_VARIABLES> {
    return {
      ...this.signingEnvironment(),
      ...(this.previousKey && {
        PREVIOUS_SIGNING_KEY_ARN: this.previousKey.keyArn,
        PREVIOUS_SIGNING_KEY_KID: this.previousKey.keyId,
      }),
    };
  }

  /**
   * kms:Sign with ECDSA_SHA_256 on the current key only, plus its GetPublicKey (KmsSigner checks
   * the key spec once). The previous key can never sign again, whoever holds this grant.
   */
  grantSign(grantee: IGrantable): void {
    this.addSign(grantee);
    this.addGetPublicKey(grantee, [this.key]);
  }

  /** The token service: signs with the current key, and reads every published key for the JWKS. */
  grantSignAndPublish(grantee: IGrantable): void {
    this.addSign(grantee);
    this.addGetPublicKey(grantee, this.publishedKeys);
  }

  /** kms:GetPublicKey only, on every published key: serving the JWKS without signing. */
  grantGetPublicKey(grantee: IGrantable): void {
    this.addGetPublicKey(grantee, this.publishedKeys);
  }

  private addSign(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SignWithControlPlaneKey',
        actions: ['kms:Sign'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } },
      }),
    );
  }

  private addGetPublicKey(grantee: IGrantable, keys: Key[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadControlPlanePublicKey',
        actions: ['kms:GetPublicKey'],
        resources: keys.map((key) => key.keyArn),
      }),
    );
  }
}
