/**
 * The provider-keys function's routes (provider keys, and the proxy's budgets and rate limits), as API Gateway route keys: one list for its router, the HTTP
 * API routes the CDK construct creates (lib/data-plane/provider-keys.ts) and the local server.
 */
export const PROVIDER_KEY_ROUTES = [
  'PUT /v1/provider-keys/{provider}',
  'GET /v1/provider-keys',
  'DELETE /v1/provider-keys/{provider}',
  'GET /v1/provider-keys/audit',
  'GET /v1/proxy-limits',
  'PUT /v1/proxy-limits',
] as const;

export type ProviderKeyRouteKey = (typeof PROVIDER_KEY_ROUTES)[number];
