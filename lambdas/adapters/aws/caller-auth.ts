/**
 * How the data plane's HTTP functions (ingest, query) recognise callers, from the environment the
 * CDK constructs set: API keys in KEY_TABLE_NAME; failed key attempts counted across every instance
 * in AUTH_RATE_LIMIT_TABLE_NAME (the brute-force limit, 429 + Retry-After; without it each instance
 * counts alone); control-plane tokens as tokenVerifierFromEnvironment says.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuthenticatorOptions } from '../../domain/auth/authenticate';
import type { TokenVerifier } from '../../domain/auth/token-verifier';
import type { KeyRegistry } from '../../domain/ports';
import { tokenVerifierFromEnvironment } from './control-plane-token-trust';
import { DynamoKeyRegistry } from './dynamo-key-registry';
import { DynamoRateLimiter } from './dynamo-rate-limiter';
import { requiredEnv } from './required-env';

export interface CallerAuth {
  keys: KeyRegistry;
  auth?: AuthenticatorOptions;
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
