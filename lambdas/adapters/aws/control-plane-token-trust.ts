/**
 * The data plane's trust in control-plane tokens, from the environment the CDK constructs set
 * (lambdas/config/caller-auth.ts): CONTROL_PLANE_ISSUER (the control plane's URL, the tokens' `iss`),
 * CONTROL_PLANE_JWKS_URL and DATA_PLANE_ID (the tokens' `aud`). Without them only API keys are accepted.
 */
import type { TokenTrustValues } from '../../config/caller-auth';
import { tokenTrustProblems } from '../../config/caller-auth';
import { createTokenVerifier, type TokenVerifier } from '../../domain/auth/token-verifier';

export function tokenVerifierFromEnvironment(env: TokenTrustValues): TokenVerifier | undefined {
  const [problem] = tokenTrustProblems(env);
  if (problem) throw new Error(problem);
  const { CONTROL_PLANE_ISSUER: issuer, CONTROL_PLANE_JWKS_URL: uri, DATA_PLANE_ID: audience } = env;
  if (!issuer || !uri || !audience) return undefined;
  return createTokenVerifier({ issuer, audience, jwks: { uri } });
}
