/**
 * The variables of a function that opens provider keys (the LLM proxy, and the functions that run
 * LLM judges): the provider-key table and the KMS key that wraps each secret's data key.
 */
import { type InputOf, matching, string } from './schema';

export const PROVIDER_KEY_VARIABLES = {
  /** Provider key records (GetItem only). */
  PROVIDER_KEYS_TABLE_NAME: string(),
  /** The KMS key that wraps each secret's data key: these functions may Decrypt with it, nothing else. */
  PROVIDER_SECRETS_KEY_ARN: matching(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/,
    'a KMS key ARN',
    'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  ),
} as const;

export type ProviderKeyInput = InputOf<typeof PROVIDER_KEY_VARIABLES>;
