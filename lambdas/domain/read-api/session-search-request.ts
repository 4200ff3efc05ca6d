/**
 * `POST /v1/sessions/search` (a Waggle read; HoneyHive's spec has no session list) -> SessionSearchQuery:
 * `{ project?, filters?, dateRange?, sortBy?, sortOrder?, limit?, page? }`. Filters and dateRange
 * take the export's grammar; any other key is a 400, so a misspelt option is never silently ignored.
 */
import type { Principal } from '../auth/principal';
import { describeType, invalidField, isJsonObject } from '../honeyhive/fields';
import {
  DEFAULT_SESSION_SEARCH_LIMIT,
  MAX_SESSION_SEARCH_LIMIT,
  SESSION_SORT_FIELDS,
  type SessionSearchQuery,
  SORT_ORDERS,
  type SortOrder,
} from '../query/types';
import { parseDateRange } from './date-range';
import { parseFilters } from './filters';
import { parsePage } from './paging';
import { assertKeyProject } from './project-scope';

const KEYS = new Set(['project', 'filters', 'dateRange', 'sortBy', 'sortOrder', 'limit', 'page']);

export function parseSessionSearchBody(body: unknown, principal: Principal, now: number): SessionSearchQuery {
  if (!isJsonObject(body)) throw invalidField('body', `must be a JSON object, got ${describeType(body)}`);
  const unknown = Object.keys(body).filter((key) => !KEYS.has(key));
  if (unknown.length > 0)
    throw invalidField(
      JSON.stringify(unknown[0]).slice(0, 80),
      `is not a session search option; use: ${[...KEYS].join(', ')}`,
    );
  assertKeyProject(body.project, principal);
  const dateRange = parseDateRange(body.dateRange, now);
  return {
    filters: parseFilters(body.filters),
    ...(dateRange ? { dateRange } : {}),
    sortBy: parseChoice(body.sortBy, 'sortBy', SESSION_SORT_FIELDS, 'start_time'),
    sortOrder: parseSortOrder(body.sortOrder),
    limit: parseSearchLimit(body.limit),
    page: parsePage(body.page),
  };
}

/** `asc` or `desc` (any case); absent: `desc`. */
export function parseSortOrder(value: unknown, where = 'sortOrder'): SortOrder {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : value;
  return parseChoice(text, where, SORT_ORDERS, 'desc');
}

/** One of `choices` (as sent), or `fallback` when absent. */
export function parseChoice<T extends string>(
  value: unknown,
  where: string,
  choices: readonly T[],
  fallback: T,
): T {
  if (value === undefined || value === null || value === '') return fallback;
  const choice = choices.find((candidate) => candidate === value);
  if (choice === undefined)
    throw invalidField(
      where,
      `must be one of: ${choices.join(', ')}; got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : describeType(value)}`,
    );
  return choice;
}

function parseSearchLimit(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_SESSION_SEARCH_LIMIT;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SESSION_SEARCH_LIMIT)
    throw invalidField(
      'limit',
      `must be an integer from 1 to ${MAX_SESSION_SEARCH_LIMIT}, got ${typeof value === 'number' ? value : describeType(value)}`,
    );
  return value;
}
