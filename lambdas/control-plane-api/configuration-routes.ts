/**
 * The control plane's writes of HoneyHive's configurations and tools, with the paths and bodies of
 * HoneyHive's API (the `honeyhive` client's createConfiguration, updateConfiguration,
 * deleteConfiguration, createTool, updateTool, deleteTool). Data planes forward these requests here
 * with the caller's credentials (configuration-writers.ts); reads are served by the data planes
 * from their synced copies. Every write is checked before anything is stored, so a refused write
 * changes nothing.
 */
import { readConfigurationInput } from '../domain/configurations/configuration-input';
import {
  createConfiguration,
  deleteConfiguration,
  findConfiguration,
  updateConfiguration,
} from '../domain/configurations/configurations';
import {
  createTool,
  deleteTool,
  findTool,
  readCreateToolInput,
  readUpdateToolInput,
  updateTool,
} from '../domain/configurations/tools';
import type { ControlPlaneContext } from '../domain/control-plane/context';
import { ValidationError } from '../domain/errors';
import { parseJsonObject } from '../http/json-object-body';
import { jsonResponse as json } from '../http/json-response';
import type { HttpRoute } from '../http/router';
import type { ConfigurationWriter } from './configuration-writers';
import { METRIC_WRITE_ROUTES, type MetricWriteRouteKey, metricWriteRoutes } from './metric-routes';

const CONFIGURATION_AND_TOOL_ROUTES = [
  'POST /v1/configurations',
  'PUT /v1/configurations/{id}',
  'DELETE /v1/configurations/{id}',
  'POST /v1/tools',
  'PUT /v1/tools',
  'DELETE /v1/tools',
] as const;

/** Every route data planes forward here with the caller's credentials (metrics: metric-routes.ts). */
export const CONFIGURATION_WRITE_ROUTES = [...CONFIGURATION_AND_TOOL_ROUTES, ...METRIC_WRITE_ROUTES] as const;

export type ConfigurationWriteRouteKey = (typeof CONFIGURATION_WRITE_ROUTES)[number];
type ConfigurationOrToolRouteKey = Exclude<ConfigurationWriteRouteKey, MetricWriteRouteKey>;

export function configurationWriteRoutes(deps: {
  context: ControlPlaneContext;
  writer: ConfigurationWriter;
}): HttpRoute<ConfigurationWriteRouteKey>[] {
  const { context, writer } = deps;
  const routes: Record<ConfigurationOrToolRouteKey, HttpRoute<ConfigurationWriteRouteKey>['handler']> = {
    'POST /v1/configurations': async (request) => {
      const body = parseJsonObject(request);
      // Who calls is checked first: a stranger learns nothing from the validation of a body.
      const project = await writer(request.event, named(body.project));
      const input = readConfigurationInput(body);
      const record = await createConfiguration(context, project, input);
      // HoneyHive's CreateConfigurationResponse (the 1.0.42 client discards the body).
      return json(200, { acknowledged: true, insertedId: record.id, version: record.version });
    },
    'PUT /v1/configurations/{id}': async (request) => {
      const body = parseJsonObject(request);
      // Who calls is checked first: a stranger learns nothing from the validation of a body.
      const project = await writer(request.event, named(body.project));
      const input = readConfigurationInput(body);
      const current = await findConfiguration(context, project, request.params.id as string);
      const record = await updateConfiguration(context, current, input);
      return json(200, {
        acknowledged: true,
        modifiedCount: 1,
        upsertedId: null,
        upsertedCount: 0,
        matchedCount: 1,
        version: record.version,
      });
    },
    'DELETE /v1/configurations/{id}': async (request) => {
      const project = await writer(request.event, undefined);
      await deleteConfiguration(
        context,
        await findConfiguration(context, project, request.params.id as string),
      );
      return json(200, { acknowledged: true, deletedCount: 1 });
    },
    'POST /v1/tools': async (request) => {
      const body = parseJsonObject(request);
      const project = await writer(request.event, named(body.task));
      const input = readCreateToolInput(body);
      const record = await createTool(context, project, input);
      // The 1.0.42 client's CreateToolResponseBody.
      return json(200, { result: { insertedId: record.id } });
    },
    'PUT /v1/tools': async (request) => {
      const body = parseJsonObject(request);
      const project = await writer(request.event, undefined);
      const input = readUpdateToolInput(body);
      await updateTool(context, await findTool(context, project, input.id), input);
      return json(200, { acknowledged: true, modifiedCount: 1 });
    },
    'DELETE /v1/tools': async (request) => {
      const project = await writer(request.event, undefined);
      const id = new URLSearchParams(request.event.rawQueryString ?? '').get('function_id');
      if (id === null || id.trim() === '') throw new ValidationError('function_id is required');
      await deleteTool(context, await findTool(context, project, id.trim()));
      return json(200, { acknowledged: true, deletedCount: 1 });
    },
  };
  return [
    ...CONFIGURATION_AND_TOOL_ROUTES.map((routeKey) => ({ routeKey, handler: routes[routeKey] })),
    ...metricWriteRoutes(deps),
  ];
}

function named(value: unknown): string | undefined {
  return typeof value === 'string' ? value.trim() : undefined;
}
