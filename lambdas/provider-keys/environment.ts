/** The provider-keys function's environment (lib/data-plane/provider-keys.ts sets it; handler.ts reads it). */
import { CALLER_AUTH_VARIABLES, tokenTrustProblems } from '../config/caller-auth';
import { defineFunctionEnvironment } from '../config/function-environment';
import { matching, string } from '../config/schema';

export const PROVIDER_KEYS_ENVIRONMENT = defineFunctionEnvironment(
  'provider-keys',
  {
    /** Provider key records and their audit trail. */
    PROVIDER_KEYS_TABLE_NAME: string(),
    /** The LLM proxy's limits and usage counters (GET and PUT /v1/proxy-limits write the limits). */
    PROXY_LIMITS_TABLE_NAME: string(),
    /** The KMS key that wraps each secret's data key (GenerateDataKey only: this function never decrypts). */
    PROVIDER_SECRETS_KEY_ARN: matching(
      /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
      'a KMS key ARN',
      'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ),
    ...CALLER_AUTH_VARIABLES,
  },
  { check: tokenTrustProblems },
);

export const readProviderKeysEnvironment = PROVIDER_KEYS_ENVIRONMENT.read;
export const environmentForProviderKeys = PROVIDER_KEYS_ENVIRONMENT.environmentFor;
