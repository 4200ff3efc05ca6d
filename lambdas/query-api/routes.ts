/**
 * The query function's routes (the HoneyHive-compatible read API), as API Gateway route keys. One
 * list serves the function's router, the HTTP API routes the CDK construct creates, and the local
 * platform's server. The ingest function's routes are in ../ingest/routes.ts.
 */
export const QUERY_ROUTES = [
  'POST /v1/events/export',
  'GET /events',
  'GET /v1/events/chart',
  // A Waggle read (HoneyHive's spec has no session list), for the web console.
  'POST /v1/sessions/search',
  // HoneyHive's event_schemas: the fields seen per event type and name (filter suggestions).
  'GET /v1/events/schema',
  'GET /v1/events/{id}',
  // A Waggle read: every evaluation of an event (the scores table), for the console.
  'GET /v1/events/{id}/scores',
  'DELETE /v1/events/{id}',
  'GET /v1/sessions/{session_id}',
  'DELETE /v1/sessions/{session_id}',
  // The paths HoneyHive's SDKs up to honeyhive@1.0.42 call for the same two reads (HoneyHive moved
  // them under /v1 later); served alike so those clients read back what they sent.
  'POST /events/export',
  'GET /session/{session_id}',
  // HoneyHive's experiment result and comparison (the run from the datasets table, its events from
  // here), under the paths the honeyhive 1.0.42 client calls and under /v1. One variable name for
  // the run segment, as API Gateway wants across the routes that share it (datasets' GET /runs/{run_id}).
  'GET /runs/{run_id}/result',
  'GET /v1/runs/{run_id}/result',
  'GET /runs/{run_id}/compare-with/{old_run_id}',
  'GET /v1/runs/{run_id}/compare-with/{old_run_id}',
] as const;

export type QueryRouteKey = (typeof QUERY_ROUTES)[number];
