/**
 * The variables of the data plane's HTTP functions (ingest, query) that say how callers are
 * recognised: the key registry, the fleet-wide brute-force counter (optional) and the trust in
 * control-plane tokens (all three or none; lambdas/adapters/aws/caller-auth.ts reads them).
 */
import { type InputOf, optional, string, url, type ValuesOf } from './schema';

/** The control plane whose tokens the function accepts; without them only API keys are accepted. */
const TOKEN_TRUST_VARIABLES = {
  /** The control plane's URL, the tokens' `iss`. */
  CONTROL_PLANE_ISSUER: optional(url('https://cp.example.com')),
  CONTROL_PLANE_JWKS_URL: optional(url('https://cp.example.com/.well-known/jwks.json')),
  /** This data plane, the tokens' `aud`. */
  DATA_PLANE_ID: optional(string('example')),
} as const;

export type TokenTrustValues = Partial<ValuesOf<typeof TOKEN_TRUST_VARIABLES>>;
/** What a construct sets for the trust (lib/config/sync-names.ts, controlPlaneTokenTrust). */
export type TokenTrustInput = InputOf<typeof TOKEN_TRUST_VARIABLES>;

export const CALLER_AUTH_VARIABLES = {
  KEY_TABLE_NAME: string(),
  /** Failed authentications counted per source IP across every instance; absent: each instance counts alone. */
  AUTH_RATE_LIMIT_TABLE_NAME: optional(string()),
  ...TOKEN_TRUST_VARIABLES,
} as const;

export type CallerAuthValues = ValuesOf<typeof CALLER_AUTH_VARIABLES>;
export type CallerAuthInput = InputOf<typeof CALLER_AUTH_VARIABLES>;

/** A half-configured trust would silently accept only keys: all three variables, or none. */
export function tokenTrustProblems(values: TokenTrustValues): string[] {
  const set = [values.CONTROL_PLANE_ISSUER, values.CONTROL_PLANE_JWKS_URL, values.DATA_PLANE_ID].filter(
    (value) => value !== undefined,
  );
  return set.length === 0 || set.length === 3
    ? []
    : ['Set all of CONTROL_PLANE_ISSUER, CONTROL_PLANE_JWKS_URL and DATA_PLANE_ID, or none'];
}
