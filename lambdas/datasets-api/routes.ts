/**
 * The datasets function's routes: HoneyHive's datasets, datapoints and experiment runs API under the paths the
 * `honeyhive` 1.0.42 client calls (no /v1) and under /v1 (the API reference), as API Gateway route
 * keys: one list for the router, the HTTP API routes the CDK construct creates, and the local server.
 */
const ROUTES = [
  'GET /datasets',
  'POST /datasets',
  'PUT /datasets',
  'DELETE /datasets',
  'POST /datasets/{dataset_id}/datapoints',
  'POST /datasets/{dataset_id}/import',
  'GET /datasets/{dataset_id}/export',
  'POST /datasets/{dataset_id}/versions',
  'GET /datasets/{dataset_id}/versions',
  'GET /datapoints',
  'POST /datapoints',
  'GET /datapoints/{id}',
  'PUT /datapoints/{id}',
  'DELETE /datapoints/{id}',
  'POST /runs',
  'GET /runs',
  'GET /runs/{run_id}',
  'PUT /runs/{run_id}',
  'DELETE /runs/{run_id}',
] as const;

type Route = (typeof ROUTES)[number];
type Versioned = Route extends `${infer Method} ${infer Path}` ? `${Method} /v1${Path}` : never;

export const DATASETS_ROUTES: readonly (Route | Versioned)[] = [
  ...ROUTES,
  ...ROUTES.map((route) => route.replace(' /', ' /v1/') as Versioned),
];

export type DatasetsRouteKey = Route | Versioned;

/** The route without its /v1 prefix: both paths are served alike. */
export function unversioned(routeKey: string): Route {
  return routeKey.replace(' /v1/', ' /') as Route;
}
