/**
 * How the data plane's HTTP functions (ingest, query) recognise callers, from their validated
 * environment (lambdas/config/caller-auth.ts): API keys in KEY_TABLE_NAME; failed authentications
 * (keys, tokens, missing or malformed headers) counted per source IP across every instance of both
 * functions in AUTH_RATE_LIMIT_TABLE_NAME (the brute-force limit, 429 + Retry-After; without it each
 * instance counts alone); control-plane tokens as tokenVerifierFromEnvironment says.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CallerAuthValues } from '../../config/caller-auth';
import type { DataPlaneAuthOptions } from '../../domain/auth/authenticate-request';
import type { TokenVerifier } from '../../domain/auth/token-verifier';
import type { KeyRegistry } from '../../domain/ports';
import { tokenVerifierFromEnvironment } from './control-plane-token-trust';
import { DynamoKeyRegistry } from './dynamo-key-registry';
import { DynamoRateLimiter } from './dynamo-rate-limiter';

interface CallerAuth {
  keys: KeyRegistry;
  auth?: DataPlaneAuthOptions;
  tokens?: TokenVerifier;
}

export function callerAuthFromEnvironment(dynamo: DynamoDBClient, env: CallerAuthValues): CallerAuth {
  const rateLimitTable = env.AUTH_RATE_LIMIT_TABLE_NAME;
  return {
    keys: new DynamoKeyRegistry(dynamo, env.KEY_TABLE_NAME),
    ...(rateLimitTable && { auth: { rateLimiter: new DynamoRateLimiter(dynamo, rateLimitTable) } }),
    tokens: tokenVerifierFromEnvironment(env),
  };
}
