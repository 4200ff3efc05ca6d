/**
 * The LLM providers Waggle can call on a project's behalf. The ids are the `<provider>` of the
 * proxy's `<provider>/<model>` model names, and the path parameter of /v1/provider-keys/{provider}.
 */
import { ValidationError } from '../errors';

import { PROVIDERS, type ProviderId } from './provider-ids';

export { PROVIDERS, type ProviderId };

/** How a provider is authenticated and where it is reached. */
interface ProviderTraits {
  /**
   * 'api-key': the caller stores a secret; 'iam-role': the calling function's IAM role signs the
   * requests (Bedrock), so no secret is ever stored.
   */
  credential: 'api-key' | 'iam-role';
  /** 'required': the endpoint differs per customer (Azure resource, self-hosted server); 'optional': a proxy or gateway may stand in. */
  baseUrl: 'required' | 'optional' | 'refused';
}

export const PROVIDER_TRAITS: Record<ProviderId, ProviderTraits> = {
  openai: { credential: 'api-key', baseUrl: 'optional' },
  anthropic: { credential: 'api-key', baseUrl: 'optional' },
  azure: { credential: 'api-key', baseUrl: 'required' },
  'google-vertex': { credential: 'api-key', baseUrl: 'optional' },
  bedrock: { credential: 'iam-role', baseUrl: 'refused' },
  'openai-compatible': { credential: 'api-key', baseUrl: 'required' },
};

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** The path's provider, or a 400 that lists the known ones (the value is echoed only when it is short and plain). */
export function parseProvider(value: string | undefined): ProviderId {
  if (value !== undefined && isProviderId(value)) return value;
  const shown = value !== undefined && /^[a-z0-9-]{1,40}$/i.test(value) ? `"${value}"` : 'this';
  throw new ValidationError(`Unknown provider ${shown}; known providers: ${PROVIDERS.join(', ')}`);
}
