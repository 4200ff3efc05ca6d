/**
 * Which query route an API Gateway event is for, with its path parameters. API Gateway names the
 * route template in `routeKey` and fills `pathParameters`; a caller that only sets the raw path (a
 * `$default` route, tests) is matched against the templates, literal segments before parameters
 * so `/v1/events/chart` is never read as an event id.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { decodePathSegment } from '../http/path-segment';
import { QUERY_ROUTES, type QueryRouteKey } from './routes';

export interface RouteMatch {
  route: QueryRouteKey;
  params: Record<string, string>;
}

// Templates with fewer parameters first: a literal match wins over a parameter one.
const TEMPLATES = QUERY_ROUTES.map((route) => {
  const [method, path] = route.split(' ') as [string, string];
  return { route, method, segments: path.split('/') };
}).sort((a, b) => parameterCount(a.segments) - parameterCount(b.segments));

export function matchQueryRoute(event: APIGatewayProxyEventV2): RouteMatch | undefined {
  const routeKey = event.routeKey;
  const byKey = QUERY_ROUTES.find((route) => route === routeKey);
  if (byKey) return { route: byKey, params: { ...definedValues(event.pathParameters) } };
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath;
  const segments = path.split('/');
  for (const template of TEMPLATES) {
    if (template.method !== method || template.segments.length !== segments.length) continue;
    const params = matchSegments(template.segments, segments);
    if (params) return { route: template.route, params };
  }
  return undefined;
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [index, part] of template.entries()) {
    const segment = actual[index] as string;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (part !== segment) return undefined;
    } else {
      if (segment === '') return undefined;
      params[name] = decodePathSegment(segment);
    }
  }
  return params;
}

function parameterCount(segments: string[]): number {
  return segments.filter((segment) => segment.startsWith('{')).length;
}

function definedValues(record: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) if (value !== undefined) out[key] = value;
  return out;
}
