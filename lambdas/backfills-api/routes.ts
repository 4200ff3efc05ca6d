/**
 * The backfills function's routes (a Waggle API: HoneyHive's has no backfills), as API Gateway route
 * keys: one list for the router, the HTTP API routes the CDK construct creates, and the local server.
 */
export const BACKFILLS_ROUTES = [
  'POST /v1/backfills/estimate',
  'POST /v1/backfills',
  'GET /v1/backfills/{backfill_id}',
  'POST /v1/backfills/{backfill_id}/redrive',
] as const;

export type BackfillsRouteKey = (typeof BACKFILLS_ROUTES)[number];
