import type { ControlPlaneConfig } from './deployment-config';

/**
 * The browser origins that may call Waggle's APIs from a console: the configured console URL and the
 * origins of the OAuth callback URLs (a developer's console on localhost, say). The control-plane API
 * and every data plane's HTTP API allow exactly these (CORS).
 */
export function consoleOrigins(controlPlane: ControlPlaneConfig): string[] {
  const urls = [
    ...(controlPlane.console?.url !== undefined ? [controlPlane.console.url] : []),
    ...(controlPlane.callbackUrls ?? []),
  ];
  return [...new Set(urls.map((url) => new URL(url).origin))];
}

/**
 * Cognito's managed-login domain prefix: the configured one, else `waggle-<account id>`. Prefixes are
 * unique per region across AWS; an account id makes a collision with someone else's pool unlikely.
 */
export function authDomainPrefixOf(controlPlane: ControlPlaneConfig): string {
  return controlPlane.authDomainPrefix ?? `waggle-${controlPlane.account}`;
}
