/**
 * The two export routes' requests -> ExportQuery: `POST /v1/events/export` (GetEventsLegacyRequest,
 * a JSON body) and `GET /events` (GetEventsQuery, query parameters that carry JSON text or qs-style
 * brackets). Both check the named project against the key.
 */
import type { Principal } from '../auth/principal';
import { describeType, invalidField, isJsonObject } from '../honeyhive/fields';
import { EXPORT_SORT_FIELDS, type ExportQuery } from '../query/types';
import { parseDateRange } from './date-range';
import { parseFilters } from './filters';
import { parseFlag, parseLimit, parsePage, parseProjections } from './paging';
import { assertKeyProject } from './project-scope';
import type { QueryParameters } from './query-string';
import { parseChoice, parseSortOrder } from './session-search-request';

export function parseExportBody(body: unknown, principal: Principal, now: number): ExportQuery {
  if (!isJsonObject(body)) throw invalidField('body', `must be a JSON object, got ${describeType(body)}`);
  assertKeyProject(body.project, principal);
  return {
    filters: parseFilters(body.filters),
    ...optionalRange(body.dateRange, now),
    ...optionalProjections(body.projections),
    limit: parseLimit(body.limit),
    page: parsePage(body.page),
    ...optionalSort(body.sortBy, body.sortOrder),
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
    ...optionalSort(params.sortBy, params.sortOrder),
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

/** A Waggle extension for the console: absent (as from every HoneyHive client), the order is unchanged. */
function optionalSort(sortBy: unknown, sortOrder: unknown): Pick<ExportQuery, 'sortBy' | 'sortOrder'> {
  const absent = (value: unknown) => value === undefined || value === null || value === '';
  return {
    ...(absent(sortBy) ? {} : { sortBy: parseChoice(sortBy, 'sortBy', EXPORT_SORT_FIELDS, 'start_time') }),
    ...(absent(sortOrder) ? {} : { sortOrder: parseSortOrder(sortOrder) }),
  };
}

function optionalProjections(value: unknown): Pick<ExportQuery, 'projections'> {
  const projections = parseProjections(value);
  return projections ? { projections } : {};
}
