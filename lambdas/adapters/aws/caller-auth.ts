/**
 * How the data plane's HTTP functions (ingest, query) recognise callers, from the environment the
 * CDK constructs set: API keys in KEY_TABLE_NAME; failed authentications (keys, tokens, missing or
 * malformed headers) counted per source IP across every instance of both functions in
 * AUTH_RATE_LIMIT_TABLE_NAME (the brute-force limit, 429 + Retry-After; without it each instance
 * counts alone); control-plane tokens as tokenVerifierFromEnvironment says.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DataPlaneAuthOptions } from '../../domain/auth/authenticate-request';
import type { TokenVerifier } from '../../domain/auth/token-verifier';
import type { KeyRegistry } from '../../domain/ports';
import { tokenVerifierFromEnvironment } from './control-plane-token-trust';
import { DynamoKeyRegistry } from './dynamo-key-registry';
import { DynamoRateLimiter } from './dynamo-rate-limiter';
import { requiredEnv } from './required-env';

export interface CallerAuth {
  keys: KeyRegistry;
  auth?: DataPlaneAuthOptions;
  tokens?: TokenVerifier;
}

export function callerAuthFromEnvironment(dynamo: DynamoDBClient): CallerAuth {
  const rateLimitTable = process.env.AUTH_RATE_LIMIT_TABLE_NAME;
  return {
    keys: new DynamoKeyRegistry(dynamo, requiredEnv('KEY_TABLE_NAME')),
    ...(rateLimitTable && { auth: { rateLimiter: new DynamoRateLimiter(dynamo, rateLimitTable) } }),
    tokens: tokenVerifierFromEnvironment(),
  };
}
