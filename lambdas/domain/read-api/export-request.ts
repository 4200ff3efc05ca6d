/**
 * The two export routes' requests -> ExportQuery: `POST /v1/events/export` (GetEventsLegacyRequest,
 * a JSON body) and `GET /events` (GetEventsQuery, query parameters that carry JSON text or qs-style
 * brackets). Both check the named project against the key.
 */
import type { Principal } from '../auth/principal';
import { describeType, invalidField, isJsonObject } from '../honeyhive/fields';
import type { ExportQuery } from '../query/types';
import { parseDateRange } from './date-range';
import { parseFilters } from './filters';
import { parseFlag, parseLimit, parsePage, parseProjections } from './paging';
import { assertKeyProject } from './project-scope';
import type { QueryParameters } from './query-string';

export function parseExportBody(body: unknown, principal: Principal, now: number): ExportQuery {
  if (!isJsonObject(body)) throw invalidField('body', `must be a JSON object, got ${describeType(body)}`);
  assertKeyProject(body.project, principal);
  return {
    filters: parseFilters(body.filters),
    ...optionalRange(body.dateRange, now),
    ...optionalProjections(body.projections),
    limit: parseLimit(body.limit),
    page: parsePage(body.page),
  };
}

export function parseGetEventsQuery(params: QueryParameters, principal: Principal, now: number): ExportQuery {
  assertKeyProject(params.project, principal);
  assertNoEvaluationFilter(params.evaluation_id);
  // Events always come newest first; ignore_order is accepted and has nothing to turn off.
  parseFlag(params.ignore_order, 'ignore_order');
  return {
    filters: parseFilters(params.filters),
    ...optionalRange(params.dateRange, now),
    ...optionalProjections(params.projections),
    limit: parseLimit(params.limit),
    page: parsePage(params.page),
  };
}

/** Experiment runs are a later part of Waggle; filtering by one must not silently match everything. */
export function assertNoEvaluationFilter(value: unknown): void {
  if (value === undefined || value === '') return;
  throw invalidField(
    'evaluation_id',
    'is not supported yet: experiment runs are not stored by this data plane',
  );
}

function optionalRange(value: unknown, now: number): Pick<ExportQuery, 'dateRange'> {
  const dateRange = parseDateRange(value, now);
  return dateRange ? { dateRange } : {};
}

function optionalProjections(value: unknown): Pick<ExportQuery, 'projections'> {
  const projections = parseProjections(value);
  return projections ? { projections } : {};
}
