/**
 * The configurations function's routes: HoneyHive's /configurations, /tools and /metrics (metric
 * definitions; running one is the run-metric function's) on the data plane,
 * under the paths the `honeyhive` 1.0.42 client calls (no /v1) and under /v1 (the API reference,
 * the console). GETs are answered from the data plane's synced copy; writes are forwarded to the
 * control plane, which owns both.
 */
export const CONFIGURATION_ROUTES = [
  'GET /configurations',
  'POST /configurations',
  'PUT /configurations/{id}',
  'DELETE /configurations/{id}',
  'GET /v1/configurations',
  'POST /v1/configurations',
  'PUT /v1/configurations/{id}',
  'DELETE /v1/configurations/{id}',
  'GET /tools',
  'POST /tools',
  'PUT /tools',
  'DELETE /tools',
  'GET /v1/tools',
  'POST /v1/tools',
  'PUT /v1/tools',
  'DELETE /v1/tools',
  'GET /metrics',
  'POST /metrics',
  'PUT /metrics',
  'DELETE /metrics',
  'GET /v1/metrics',
  'POST /v1/metrics',
  'PUT /v1/metrics',
  'DELETE /v1/metrics',
  // Waggle's history of a metric's versions: kept by the control plane, so forwarded like a write.
  'GET /v1/metrics/{id}/versions',
] as const;

export type ConfigurationRouteKey = (typeof CONFIGURATION_ROUTES)[number];
