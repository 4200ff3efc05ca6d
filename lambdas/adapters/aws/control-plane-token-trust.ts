/**
 * The data plane's trust in control-plane tokens, from the environment the CDK constructs set:
 * CONTROL_PLANE_ISSUER (the control plane's URL, the tokens' `iss`), CONTROL_PLANE_JWKS_URL and
 * DATA_PLANE_ID (the tokens' `aud`). Without them only API keys are accepted.
 */
import { createTokenVerifier, type TokenVerifier } from '../../domain/auth/token-verifier';

export function tokenVerifierFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
): TokenVerifier | undefined {
  const issuer = env.CONTROL_PLANE_ISSUER;
  const jwksUri = env.CONTROL_PLANE_JWKS_URL;
  const audience = env.DATA_PLANE_ID;
  if (!issuer && !jwksUri && !audience) return undefined;
  if (!issuer || !jwksUri || !audience) {
    throw new Error('Set all of CONTROL_PLANE_ISSUER, CONTROL_PLANE_JWKS_URL and DATA_PLANE_ID, or none');
  }
  return createTokenVerifier({ issuer, audience, jwks: { uri: jwksUri } });
}
