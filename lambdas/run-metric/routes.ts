/**
 * The run-metric function's routes: HoneyHive's `POST /metrics/run_metric` under the path without
 * /v1 (as the `honeyhive` SDKs' other /metrics calls have it) and under /v1 (the API reference);
 * and a Waggle route for a human metric's run, a reviewer's score (review/record-review.ts).
 */
export const RUN_METRIC_ROUTES = [
  'POST /metrics/run_metric',
  'POST /v1/metrics/run_metric',
  'POST /v1/metrics/{metric_id}/reviews',
] as const;

export type RunMetricRouteKey = (typeof RUN_METRIC_ROUTES)[number];
