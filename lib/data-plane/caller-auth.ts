import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { CallerAuthInput, TokenTrustInput } from '../../lambdas/config/caller-auth';
import type { AuthRateLimit } from './auth-rate-limit';
import type { KeyRegistry } from './key-registry';

/** What a function that authenticates its callers itself (API keys, control-plane tokens) is given. */
export interface CallerAuthProps {
  readonly keyRegistry: KeyRegistry;
  /** Environment that lets the function accept control-plane tokens (see controlPlaneTokenTrust). */
  readonly tokenTrust?: TokenTrustInput;
  /** The fleet-wide counter of failed authentications; absent: each instance counts alone. */
  readonly authRateLimit?: AuthRateLimit;
}

/** The function's CALLER_AUTH_VARIABLES: the key registry's table, the token trust, the rate-limit table. */
export function callerAuthEnvironment(props: CallerAuthProps): CallerAuthInput {
  return {
    KEY_TABLE_NAME: props.keyRegistry.table.tableName,
    ...props.tokenTrust,
    ...props.authRateLimit?.environment(),
  };
}

/** Lets the function look API keys up and count failed authentications. */
export function grantCallerAuth(grantee: IGrantable, props: CallerAuthProps): void {
  props.keyRegistry.grantLookUpKeys(grantee);
  props.authRateLimit?.grantCount(grantee);
}
