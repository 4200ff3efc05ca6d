/** The token service's environment (lib/control-plane/control-plane-api.ts sets it; handler.ts reads it). */
import { defineFunctionEnvironment } from '../config/function-environment';
import { list, optional, string, url } from '../config/schema';
import { SIGNING_VARIABLES } from '../config/sync-publishing';

/** During a rotation only: the previous key, published in the JWKS (it never signs again). */
export const PREVIOUS_SIGNING_KEY_VARIABLES = {
  PREVIOUS_SIGNING_KEY_ARN: optional(string('arn:aws:kms:eu-west-1:111111111111:key/previous')),
  PREVIOUS_SIGNING_KEY_KID: optional(string('previous')),
} as const;

export const CONTROL_PLANE_TOKENS_ENVIRONMENT = defineFunctionEnvironment(
  'control-plane-tokens',
  {
    /** The caller's memberships and projects. */
    CONTROL_PLANE_TABLE_NAME: string(),
    /** The control plane's URL: the tokens' `iss`. */
    TOKEN_ISSUER: url('https://cp.example.com'),
    /** The data planes a token may be issued for (its `aud`). */
    DATA_PLANE_IDS: list(),
    ...SIGNING_VARIABLES,
    ...PREVIOUS_SIGNING_KEY_VARIABLES,
  },
  {
    check: (values) =>
      (values.PREVIOUS_SIGNING_KEY_ARN === undefined) === (values.PREVIOUS_SIGNING_KEY_KID === undefined)
        ? []
        : ['Set both PREVIOUS_SIGNING_KEY_ARN and PREVIOUS_SIGNING_KEY_KID, or neither'],
  },
);

export const readControlPlaneTokensEnvironment = CONTROL_PLANE_TOKENS_ENVIRONMENT.read;
export const environmentForControlPlaneTokens = CONTROL_PLANE_TOKENS_ENVIRONMENT.environmentFor;
