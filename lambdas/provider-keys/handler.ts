/**
 * AWS Lambda entry point of the provider-keys function: wires createProviderKeysHandler to the
 * provider-key and proxy-limits tables (DynamoDB) and the Encryption SDK with the data plane's
 * provider-secrets KMS key, under the standard observability stack (HTTP API requests). This function only seals (it may call
 * kms:GenerateDataKey, never kms:Decrypt on that key): opening secrets is the proxy's.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMS } from '@aws-sdk/client-kms';
import { callerAuthFromEnvironment } from '../adapters/aws/caller-auth';
import { DynamoProviderKeyStore } from '../adapters/aws/dynamo-provider-key-store';
import { DynamoProxyLimitsStore } from '../adapters/aws/dynamo-proxy-guards';
import { kmsSecretSealer } from '../adapters/aws/esdk-secret-sealer';
import { createObservability } from '../adapters/aws/observability';
import { createProviderKeysHandler } from './app';
import { readProviderKeysEnvironment } from './environment';

const env = readProviderKeysEnvironment();
const { logger, count, traced, wrap, internalError } = createObservability(env);
const dynamo = traced(new DynamoDBClient({}));

const app = createProviderKeysHandler({
  ...callerAuthFromEnvironment(dynamo, env),
  store: new DynamoProviderKeyStore(dynamo, env.PROVIDER_KEYS_TABLE_NAME),
  sealer: kmsSecretSealer(traced(new KMS({})), env.PROVIDER_SECRETS_KEY_ARN),
  proxyLimits: new DynamoProxyLimitsStore(dynamo, env.PROXY_LIMITS_TABLE_NAME),
  onChanged: ({ action, provider, scope }) => {
    count(action === 'removed' ? 'ProviderKeysRemoved' : 'ProviderKeysSet');
    logger.info('provider key changed', { action, provider, scope });
  },
  onAnswered: ({ route, status }) => {
    count('RequestsAnswered');
    logger.debug('request answered', { route, status });
  },
  onAuditFailure: (error, entry) => {
    count('AuditWriteFailures');
    logger.error('provider key audit entry not written', {
      action: entry.action,
      provider: entry.provider,
      scope: entry.scope,
      actor: entry.actor,
      at: entry.at,
      error: error as Error,
    });
  },
  // The plaintext never reaches what can throw here: the store only sees sealed secrets, the
  // sealer's errors carry the SDK error's name only, and refusals never quote the api_key.
  onError: internalError('provider keys failure'),
});

export const handler = wrap('http', app);
