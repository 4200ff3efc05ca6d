/**
 * CORS as API Gateway's HTTP API applies its CORS configuration (allowOrigins, allowMethods,
 * allowHeaders, exposeHeaders, maxAge): the API answers a preflight itself, before any route or
 * authorizer (no OPTIONS route needed, no function called), and adds the configured headers to the
 * answers of allowed origins, ignoring any CORS headers the function returned. The local data plane
 * uses it so the console (another origin: the control plane's) can call the read API.
 */

export interface CorsConfiguration {
  /** Exact origins (`http://127.0.0.1:4319`); never `*`. */
  allowOrigins: readonly string[];
  allowMethods: readonly string[];
  allowHeaders: readonly string[];
  exposeHeaders?: readonly string[];
  /** Seconds a browser may keep a preflight's answer. */
  maxAgeSeconds: number;
}

/** What the console calls on a data plane: the AWS data plane's configuration (lib/data-plane/ingest-api.ts). */
export function dataPlaneCors(allowOrigins: readonly string[]): CorsConfiguration {
  return {
    allowOrigins,
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
    allowHeaders: ['authorization', 'content-type'],
    // The LLM proxy's event id and cost, which the console's playground reads (as on AWS).
    exposeHeaders: ['retry-after', 'x-waggle-event-id', 'x-waggle-cost-usd'],
    maxAgeSeconds: 3600,
  };
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A preflight: OPTIONS with Origin and Access-Control-Request-Method (API Gateway's test). */
export function isPreflight(method: string, headers: Headers): boolean {
  return (
    method.toUpperCase() === 'OPTIONS' &&
    header(headers, 'origin') !== undefined &&
    header(headers, 'access-control-request-method') !== undefined
  );
}

function allowedOrigin(config: CorsConfiguration, headers: Headers): string | undefined {
  const origin = header(headers, 'origin');
  return origin !== undefined && config.allowOrigins.includes(origin) ? origin : undefined;
}

/** The headers of the 204 answer to a preflight: the configuration for an allowed origin, none for another. */
export function preflightHeaders(config: CorsConfiguration, headers: Headers): Record<string, string> {
  const origin = allowedOrigin(config, headers);
  if (origin === undefined) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': config.allowMethods.join(','),
    'access-control-allow-headers': config.allowHeaders.join(','),
    'access-control-max-age': String(config.maxAgeSeconds),
    vary: 'Origin',
  };
}

/** The headers added to an actual answer: Allow-Origin (and Expose-Headers) for an allowed origin only. */
export function responseCorsHeaders(config: CorsConfiguration, headers: Headers): Record<string, string> {
  const origin = allowedOrigin(config, headers);
  if (origin === undefined) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    ...(config.exposeHeaders &&
      config.exposeHeaders.length > 0 && { 'access-control-expose-headers': config.exposeHeaders.join(',') }),
    vary: 'Origin',
  };
}

/** A function's own CORS headers are dropped when the API has a CORS configuration (API Gateway does). */
export function isCorsHeader(name: string): boolean {
  return name.toLowerCase().startsWith('access-control-');
}

/**
 * Checks one origin as a setting gives it: `scheme://host[:port]`, http or https, no path, query or
 * trailing slash, not `*`. Returns the problem, or undefined.
 */
export function originProblem(origin: string): string | undefined {
  if (origin === '*') return '"*" is not allowed: list the exact origins';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `"${origin}" is not a URL (an origin looks like http://127.0.0.1:4319)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${origin}" is not an http(s) origin`;
  if (url.origin !== origin)
    return `"${origin}" is not an origin (scheme://host[:port], no path or trailing slash: ${url.origin})`;
  return undefined;
}
