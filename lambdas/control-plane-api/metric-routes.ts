/**
 * The control plane's side of HoneyHive's /metrics: the writes (the `honeyhive` client's
 * createMetric, updateMetric, deleteMetric) and Waggle's version history, which data planes forward
 * here with the caller's credentials (configuration-writers.ts checks them, as for configurations).
 * Reads of the current metrics are served by the data planes from their synced copies. Every write
 * is checked before anything is stored, so a refused write changes nothing.
 */
import type { ControlPlaneContext } from '../domain/control-plane/context';
import { ValidationError } from '../domain/errors';
import { readCreateMetricInput, readUpdateMetricInput } from '../domain/evaluators/definitions/metric-input';
import {
  createMetric,
  deleteMetric,
  findMetric,
  metricHistory,
  updateMetric,
} from '../domain/evaluators/definitions/metrics';
import { metricWire } from '../domain/evaluators/definitions/wire';
import { parseJsonObject } from '../http/json-object-body';
import { jsonResponse as json } from '../http/json-response';
import type { HttpRoute } from '../http/router';
import type { ConfigurationWriter } from './configuration-writers';

export const METRIC_WRITE_ROUTES = [
  'POST /v1/metrics',
  'PUT /v1/metrics',
  'DELETE /v1/metrics',
  // Waggle's history of a metric's versions (HoneyHive keeps none); the same credential as a write.
  'GET /v1/metrics/{id}/versions',
] as const;

export type MetricWriteRouteKey = (typeof METRIC_WRITE_ROUTES)[number];

export function metricWriteRoutes(deps: {
  context: ControlPlaneContext;
  writer: ConfigurationWriter;
}): HttpRoute<MetricWriteRouteKey>[] {
  const { context, writer } = deps;
  const routes: Record<MetricWriteRouteKey, HttpRoute<MetricWriteRouteKey>['handler']> = {
    'POST /v1/metrics': async (request) => {
      const body = parseJsonObject(request);
      // Who calls is checked first: a stranger learns nothing from the validation of a body.
      const project = await writer(request.event, named(body.task ?? body.project));
      const input = readCreateMetricInput(body);
      const record = await createMetric(context, project, input.content);
      // HoneyHive's CreateMetricResponse (the 1.0.42 client discards the body).
      return json(200, { inserted: true, metric_id: record.id, version: record.version });
    },
    'PUT /v1/metrics': async (request) => {
      const body = parseJsonObject(request);
      const project = await writer(request.event, named(body.task ?? body.project));
      const input = readUpdateMetricInput(body);
      const current = await findMetric(context, project, input.id);
      const record = await updateMetric(context, project, current, input.patch);
      return json(200, { updated: record.version !== current.version, version: record.version });
    },
    'DELETE /v1/metrics': async (request) => {
      const project = await writer(request.event, undefined);
      const id = new URLSearchParams(request.event.rawQueryString ?? '').get('metric_id');
      if (id === null || id.trim() === '') throw new ValidationError('metric_id is required');
      await deleteMetric(context, await findMetric(context, project, id.trim()));
      return json(200, { deleted: true });
    },
    'GET /v1/metrics/{id}/versions': async (request) => {
      const project = await writer(request.event, undefined);
      const record = await findMetric(context, project, request.params.id as string);
      const versions = await metricHistory(context, record);
      return json(
        200,
        versions.map((version) =>
          metricWire(
            {
              ...version.content,
              id: record.id,
              projectId: record.project_id,
              version: version.number,
              createdAt: Date.parse(record.created_at),
              updatedAt: Date.parse(version.created_at),
            },
            project.name,
          ),
        ),
      );
    },
  };
  return METRIC_WRITE_ROUTES.map((routeKey) => ({ routeKey, handler: routes[routeKey] }));
}

function named(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}
