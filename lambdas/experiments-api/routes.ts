/**
 * The experiments function's routes (server-side experiments: a Waggle API beside HoneyHive's runs),
 * as API Gateway route keys: one list for the router, the HTTP API routes the CDK construct creates,
 * and the local server.
 */
export const EXPERIMENTS_ROUTES = [
  'POST /v1/experiments',
  'GET /v1/experiments/{run_id}',
  'POST /v1/experiments/{run_id}/redrive',
] as const;

export type ExperimentsRouteKey = (typeof EXPERIMENTS_ROUTES)[number];
