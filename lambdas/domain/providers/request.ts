/**
 * The body of PUT /v1/provider-keys/{provider} and the scope parameter, checked before anything is
 * sealed or stored. A refusal names the field and the rule, never the value of `api_key`.
 */
import { ValidationError } from '../errors';
import { PROVIDER_TRAITS, type ProviderId } from './providers';
import { PROVIDER_KEY_SCOPES, type ProviderKeyScope } from './record';

/** Longest accepted secret: longer than any provider's key; its sealed form stays a few KB. */
export const MAX_API_KEY_LENGTH = 8192;
const MAX_BASE_URL_LENGTH = 2048;

/** Printable ASCII without the space: keys are tokens, and whitespace or newlines in one are a paste error. */
const API_KEY_CHARACTERS = /^[\x21-\x7e]+$/;
/** An AWS region name (us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5...). */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const FIELDS = new Set(['api_key', 'base_url', 'scope', 'region']);

export interface ProviderKeyRequestOptions {
  /** Local mode: base_url may be http on 127.0.0.1, ::1 or localhost (a model server on the laptop). */
  allowLoopbackBaseUrl?: boolean;
}

export interface ProviderKeyRequest {
  provider: ProviderId;
  scope: ProviderKeyScope;
  /** Absent for Bedrock (the IAM role authenticates). */
  apiKey?: string;
  baseUrl?: string;
  region?: string;
}

export function parseProviderKeyRequest(
  provider: ProviderId,
  body: Record<string, unknown>,
  options: ProviderKeyRequestOptions = {},
): ProviderKeyRequest {
  const unknown = Object.keys(body).filter((name) => !FIELDS.has(name));
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 5).map((name) => (/^[\w-]{1,40}$/.test(name) ? name : '?'));
    throw new ValidationError(
      `Unknown field(s) ${shown.join(', ')}; a provider key takes api_key, base_url, scope (and region for bedrock)`,
    );
  }
  const traits = PROVIDER_TRAITS[provider];
  const scope = parseScope(body.scope, 'scope');
  const request: ProviderKeyRequest = { provider, scope };

  if (traits.credential === 'iam-role') {
    if (body.api_key !== undefined) {
      throw new ValidationError(
        `${provider} takes no api_key: Waggle calls it with the IAM role of the function that calls the model. ` +
          'Grant that role bedrock:InvokeModel instead; you may store only a region here ({"region": "us-east-1"}).',
      );
    }
  } else {
    request.apiKey = parseApiKey(body.api_key);
  }

  if (body.region !== undefined) {
    if (provider !== 'bedrock') throw new ValidationError('region is only for bedrock');
    if (typeof body.region !== 'string' || !AWS_REGION.test(body.region)) {
      throw new ValidationError('region must be an AWS region name such as us-east-1');
    }
    request.region = body.region;
  }

  if (body.base_url === undefined || body.base_url === null) {
    if (traits.baseUrl === 'required') {
      throw new ValidationError(`base_url is required for ${provider} (the https URL of its endpoint)`);
    }
  } else {
    if (traits.baseUrl === 'refused') throw new ValidationError(`${provider} takes no base_url`);
    request.baseUrl = parseBaseUrl(body.base_url, options);
  }
  return request;
}

function parseApiKey(value: unknown): string {
  if (value === undefined || value === null || value === '') throw new ValidationError('api_key is required');
  if (typeof value !== 'string') throw new ValidationError('api_key must be a string');
  if (value.length > MAX_API_KEY_LENGTH) {
    throw new ValidationError(`api_key is longer than ${MAX_API_KEY_LENGTH} characters`);
  }
  if (!API_KEY_CHARACTERS.test(value)) {
    throw new ValidationError(
      'api_key must be printable ASCII with no spaces, tabs or newlines (check for a stray character from copying it)',
    );
  }
  return value;
}

/** `project` (default) or `workspace`, from the body or the query string. */
export function parseScope(value: unknown, where: string): ProviderKeyScope {
  if (value === undefined || value === null || value === '') return 'project';
  if (typeof value === 'string' && (PROVIDER_KEY_SCOPES as readonly string[]).includes(value)) {
    return value as ProviderKeyScope;
  }
  throw new ValidationError(`${where} must be one of ${PROVIDER_KEY_SCOPES.join(', ')}`);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseBaseUrl(value: unknown, options: ProviderKeyRequestOptions = {}): string {
  if (typeof value !== 'string' || value === '') throw new ValidationError('base_url must be a URL');
  if (value.length > MAX_BASE_URL_LENGTH) {
    throw new ValidationError(`base_url is longer than ${MAX_BASE_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError('base_url is not a valid absolute URL');
  }
  // Checked on the text as well: URL drops an empty "?" or "#".
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new ValidationError('base_url must not have a query or a fragment');
  }
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError('base_url must not carry credentials (put the key in api_key)');
  }
  // A trailing dot is the same name (localhost. is localhost); *.localhost resolves to loopback too.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const loopback =
    LOOPBACK_HOSTS.has(host) || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === 'http:') {
    if (!(options.allowLoopbackBaseUrl && loopback)) {
      throw new ValidationError(
        options.allowLoopbackBaseUrl
          ? 'base_url must be https (http only on 127.0.0.1 or localhost)'
          : 'base_url must be https',
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new ValidationError('base_url must be https');
  } else if ((loopback || isPrivateAddress(host)) && !options.allowLoopbackBaseUrl) {
    throw new ValidationError('base_url must not name a loopback, link-local or private address');
  }
  // Normalized (lower-case host, default port dropped), without a trailing slash.
  return url.toString().replace(/\/+$/, '');
}

/** IP literals the proxy must never be pointed at from the data plane: link-local (instance metadata) and private ranges. */
function isPrivateAddress(host: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (host.startsWith('[')) {
    const v6 = host.slice(1, -1);
    return v6 === '::' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || v6.startsWith('::ffff:');
  }
  return false;
}
