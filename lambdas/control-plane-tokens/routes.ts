/**
 * The token service's routes, as API Gateway route keys: the CDK construct creates them (the JWKS
 * without an authorizer, tokens behind the user-pool JWT authorizer) and the function routes by them.
 */
export const TOKEN_ROUTES = ['GET /.well-known/jwks.json', 'POST /v1/tokens'] as const;

export type TokenRouteKey = (typeof TOKEN_ROUTES)[number];
