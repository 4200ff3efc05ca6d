/**
 * The control-plane API's routes, as API Gateway route keys. One list serves the function's router
 * (lambdas/http/router.ts reads it), the HTTP API routes the CDK construct creates, the local
 * platform's server and the RBAC matrix test.
 */
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
  // Monitors (docs/alerts.md): definitions here, synced to data planes, evaluated there.
  'GET /v1/projects/{projectId}/monitors',
  'POST /v1/projects/{projectId}/monitors',
  'GET /v1/projects/{projectId}/monitors/{monitorId}',
  'PATCH /v1/projects/{projectId}/monitors/{monitorId}',
  'DELETE /v1/projects/{projectId}/monitors/{monitorId}',
  'GET /v1/projects/{projectId}/monitors/{monitorId}/history',
] as const;

export type ControlPlaneRouteKey = (typeof CONTROL_PLANE_ROUTES)[number];
