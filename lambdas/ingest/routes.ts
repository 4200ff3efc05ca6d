/**
 * The ingest function's routes, as API Gateway route keys. One list serves the function's router,
 * the HTTP API routes the CDK construct creates, and the local platform's server.
 */
export const INGEST_ROUTES = [
  'POST /v1/traces',
  'POST /opentelemetry/v1/traces',
  'POST /session/start',
  'POST /events',
  'PUT /events',
  'POST /events/batch',
  'POST /events/model',
  'POST /events/model/batch',
  'GET /healthz',
] as const;

export type IngestRouteKey = (typeof INGEST_ROUTES)[number];
