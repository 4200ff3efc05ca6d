/**
 * Route keys as API Gateway's HTTP API writes them, `METHOD /path/{param}`: each function's route
 * table (ingest/routes.ts, query-api/routes.ts...) is a list of them, and this one reading of them
 * serves the CDK constructs (splitRouteKey), the local server (which maps a request to the route key
 * and path parameters API Gateway would send) and the router (router.ts). Literal segments win over
 * parameters (`/v1/events/chart` is never an event id); parameters are percent-decoded, and a
 * malformed escape (`%ff`) is the client's mistake: a 400, not a URIError's 500.
 */
import { badRequest } from './errors';

interface RouteMatch {
  routeKey: string;
  params: Record<string, string>;
}

interface Template {
  routeKey: string;
  method: string;
  segments: readonly string[];
}

const METHOD = /^[A-Z]+$/;
const PARAMETER = /^\{(\w+)\}$/;
const compiled = new WeakMap<readonly string[], readonly Template[]>();

export function splitRouteKey(routeKey: string): { method: string; path: string } {
  const space = routeKey.indexOf(' ');
  return { method: routeKey.slice(0, space), path: routeKey.slice(space + 1) };
}

/** The path without trailing slashes (but `/` stays `/`), as the routers have always read it. */
function trimTrailingSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`Path segment "${segment.slice(0, 64)}" is not valid percent-encoding`);
  }
}

/**
 * The route whose method and path are exactly these, with its decoded parameters. Throws a 400
 * HttpError for a parameter with malformed percent-encoding.
 */
export function matchRoute(
  routeKeys: readonly string[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const segments = path.split('/');
  const upper = method.toUpperCase();
  for (const template of templatesOf(routeKeys)) {
    if (template.method !== upper) continue;
    const params = matchSegments(template.segments, segments);
    if (params) return { routeKey: template.routeKey, params };
  }
  return undefined;
}

/** How the router reads a request's path: matchRoute with trailing slashes ignored. */
export function routeRequest(
  routeKeys: readonly string[],
  method: string,
  rawPath: string,
): RouteMatch | undefined {
  return matchRoute(routeKeys, method, trimTrailingSlash(rawPath));
}

/**
 * The methods the routes have on a path (for a 405 with `Allow` when the request's method is not
 * one of them), sorted; empty when the path is no route's. Trailing slashes are ignored, and a
 * malformed parameter still names its route's path.
 */
export function allowedMethods(routeKeys: readonly string[], rawPath: string): string[] {
  const segments = trimTrailingSlash(rawPath).split('/');
  const methods = new Set<string>();
  for (const template of templatesOf(routeKeys)) {
    try {
      if (matchSegments(template.segments, segments)) methods.add(template.method);
    } catch {
      methods.add(template.method);
    }
  }
  return [...methods].sort();
}

function matchSegments(
  template: readonly string[],
  actual: readonly string[],
): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of template.entries()) {
    const segment = actual[index] as string;
    const name = PARAMETER.exec(part)?.[1];
    if (name === undefined) {
      if (part !== segment) return undefined;
    } else {
      if (segment === '') return undefined;
      params[name] = decodePathSegment(segment);
    }
  }
  return params;
}

/** The table read once per list: templates with fewer parameters first, so a literal match wins. */
function templatesOf(routeKeys: readonly string[]): readonly Template[] {
  let templates = compiled.get(routeKeys);
  if (!templates) {
    templates = routeKeys
      .map(templateOf)
      .sort((a, b) => parameterCount(a.segments) - parameterCount(b.segments));
    compiled.set(routeKeys, templates);
  }
  return templates;
}

/** Only what our tables use: one method, literal and `{name}` segments (no ANY, no greedy `{name+}`). */
function templateOf(routeKey: string): Template {
  const { method, path } = splitRouteKey(routeKey);
  const segments = path.split('/');
  const plain = segments.every((part) => !/[{}]/.test(part) || PARAMETER.test(part));
  if (!METHOD.test(method) || method === 'ANY' || !path.startsWith('/') || !plain) {
    throw new Error(`Unsupported route key "${routeKey}": use METHOD /literal/{param} segments`);
  }
  return { routeKey, method, segments };
}

function parameterCount(segments: readonly string[]): number {
  return segments.filter((segment) => PARAMETER.test(segment)).length;
}
