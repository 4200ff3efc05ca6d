/**
 * The control-plane API's routes, as API Gateway route keys. One list serves the function's router,
 * the HTTP API routes the CDK construct creates, the local platform's server and the RBAC matrix test.
 */
import { decodePathSegment } from '../http/path-segment';

export const CONTROL_PLANE_ROUTES = [
  'POST /v1/orgs',
  'GET /v1/orgs/{orgId}',
  'PUT /v1/orgs/{orgId}',
  'GET /v1/orgs/{orgId}/workspaces',
  'POST /v1/orgs/{orgId}/workspaces',
  'GET /v1/orgs/{orgId}/members',
  'PUT /v1/orgs/{orgId}/members/{userId}',
  'DELETE /v1/orgs/{orgId}/members/{userId}',
  'GET /v1/projects',
  'POST /v1/projects',
  'PUT /v1/projects',
  'DELETE /v1/projects',
  'GET /v1/projects/{projectId}/keys',
  'POST /v1/projects/{projectId}/keys',
  'POST /v1/projects/{projectId}/keys/{keyId}/rotate',
  'DELETE /v1/projects/{projectId}/keys/{keyId}',
] as const;

export type ControlPlaneRouteKey = (typeof CONTROL_PLANE_ROUTES)[number];

export interface MatchedRoute {
  routeKey: ControlPlaneRouteKey;
  params: Record<string, string>;
}

/**
 * Matches a method and path against the route templates. Done from the raw path rather than the
 * event's routeKey so a `$default` route (the local server) routes the same way as API Gateway.
 * A path parameter with malformed percent-encoding throws a 400 HttpError.
 */
export function matchRoute(method: string, rawPath: string): MatchedRoute | undefined {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  const segments = path.split('/');
  for (const routeKey of CONTROL_PLANE_ROUTES) {
    const [routeMethod, template = ''] = routeKey.split(' ');
    if (routeMethod !== method.toUpperCase()) continue;
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = parts.every((part, index) => {
      const segment = segments[index] ?? '';
      if (!part.startsWith('{')) return part === segment;
      if (segment === '') return false;
      params[part.slice(1, -1)] = decodePathSegment(segment);
      return true;
    });
    if (matches) return { routeKey, params };
  }
  return undefined;
}
