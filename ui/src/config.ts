/** Loads `/config.json` (ConsoleConfig), served beside the app by the control plane. */
import type { ConsoleConfig } from './api/types';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export async function loadConfig(
  fetchFn: typeof fetch = fetch,
  url = '/config.json',
): Promise<ConsoleConfig> {
  let response: Response;
  try {
    response = await fetchFn(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch (error) {
    throw new ConfigError(`Could not load ${url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!response.ok) throw new ConfigError(`Could not load ${url}: HTTP ${response.status}`);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ConfigError(`${url} is not JSON`);
  }
  return checkConfig(body);
}

/** Checks the fields the console relies on, naming the first one missing. */
export function checkConfig(body: unknown): ConsoleConfig {
  const fail = (what: string): never => {
    throw new ConfigError(`config.json: ${what}`);
  };
  if (body === null || typeof body !== 'object') return fail('not an object');
  const config = body as Partial<ConsoleConfig>;
  if (typeof config.controlPlaneUrl !== 'string') fail('controlPlaneUrl must be a URL');
  const auth = config.auth;
  if (!auth || (auth.mode !== 'local' && auth.mode !== 'cognito'))
    fail('auth.mode must be "local" or "cognito"');
  if (auth?.mode === 'cognito') {
    for (const field of ['domain', 'clientId', 'redirectUri', 'logoutUri'] as const) {
      if (typeof auth[field] !== 'string' || auth[field] === '')
        fail(`auth.${field} is required for Cognito`);
    }
  }
  if (!Array.isArray(config.dataPlanes) || config.dataPlanes.length === 0)
    fail('dataPlanes must list a data plane');
  for (const [index, plane] of (config.dataPlanes ?? []).entries()) {
    if (typeof plane?.id !== 'string' || typeof plane.url !== 'string')
      fail(`dataPlanes[${index}] needs an id and a url`);
  }
  return config as ConsoleConfig;
}
