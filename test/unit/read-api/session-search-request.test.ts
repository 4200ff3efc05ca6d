import { describe, expect, it } from 'vitest';
import { EXPORT_SORT_FIELDS } from '../../../lambdas/domain/query/types';
import { parseExportBody, parseGetEventsQuery } from '../../../lambdas/domain/read-api/export-request';
import { parseQueryString } from '../../../lambdas/domain/read-api/query-string';
import { parseSessionSearchBody } from '../../../lambdas/domain/read-api/session-search-request';
import { SESSION_SORT_FIELDS } from '../../../lambdas/domain/read-api/wire-types';
import { READ_PRINCIPAL as principal, validationMessage } from '../../support/read-api-fixtures';

const NOW = Date.UTC(2026, 11, 3, 7);

function badRequest(body: unknown): string {
  return validationMessage(() => parseSessionSearchBody(body, principal, NOW));
}

describe('POST /v1/sessions/search body', () => {
  it('defaults: no filters, the default window, newest first, 50 a page, page 1', () => {
    expect(parseSessionSearchBody({}, principal, NOW)).toEqual({
      filters: [],
      sortBy: 'start_time',
      sortOrder: 'desc',
      limit: 50,
      page: 1,
    });
  });

  it('reads filters and dateRange as the export does, and every sort key', () => {
    const query = parseSessionSearchBody(
      {
        project: 'my-app',
        filters: [{ field: 'metadata.customer', operator: 'is', value: 'acme' }],
        dateRange: { $gte: '2026-11-01', $lte: '2026-11-02T00:00:00Z' },
        sortBy: 'cost',
        sortOrder: 'ASC',
        limit: 500,
        page: 3,
      },
      principal,
      NOW,
    );
    expect(query).toEqual({
      filters: [{ field: 'metadata.customer', operator: 'is', value: 'acme', type: 'string' }],
      dateRange: { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 2) },
      sortBy: 'cost',
      sortOrder: 'asc',
      limit: 500,
      page: 3,
    });
    // The exact lists are pinned by the refusals below, which name the choices.
    for (const sortBy of SESSION_SORT_FIELDS)
      expect(parseSessionSearchBody({ sortBy }, principal, NOW).sortBy).toBe(sortBy);
    expect(parseSessionSearchBody({ dateRange: { relative: '7d' } }, principal, NOW).dateRange).toEqual({
      from: NOW - 7 * 86_400_000,
      to: NOW,
    });
  });

  it('refuses a bad sortBy or sortOrder, naming the choices', () => {
    expect(badRequest({ sortBy: 'model' })).toBe(
      'sortBy must be one of: start_time, duration, num_events, cost, total_tokens, errors, event_name; got "model"',
    );
    expect(badRequest({ sortBy: 3 })).toMatch(/^sortBy must be one of: .*; got number$/);
    expect(badRequest({ sortOrder: 'up' })).toBe('sortOrder must be one of: asc, desc; got "up"');
  });

  it('holds limit to 1..500 and page to a positive integer', () => {
    expect(badRequest({ limit: 0 })).toBe('limit must be an integer from 1 to 500, got 0');
    expect(badRequest({ limit: 501 })).toBe('limit must be an integer from 1 to 500, got 501');
    expect(badRequest({ limit: 2.5 })).toBe('limit must be an integer from 1 to 500, got 2.5');
    expect(badRequest({ limit: '10' })).toBe('limit must be an integer from 1 to 500, got string');
    expect(badRequest({ page: 0 })).toMatch(/^page must be a positive integer/);
    expect(badRequest({ page: 100_001 })).toBe('page must be at most 100000');
  });

  it('refuses unknown filter fields, storage partitions and unknown options with a clear 400', () => {
    expect(badRequest({ filters: [{ field: 'nope', operator: 'exists' }] })).toMatch(
      /^filters\[0\]\.field .*unknown field "nope"/,
    );
    expect(badRequest({ filters: [{ field: 'dt', operator: 'exists' }] })).toMatch(/storage partition/);
    expect(badRequest({ filters: [{ field: "metadata.a'b", operator: 'exists' }] })).toMatch(
      /each path segment must be 1-64 letters, digits/,
    );
    expect(badRequest({ sort: 'cost' })).toBe(
      '"sort" is not a session search option; use: project, filters, dateRange, sortBy, sortOrder, limit, page',
    );
    expect(badRequest({ project: 'someone-else' })).toMatch(/project/);
    expect(badRequest([])).toBe('body must be a JSON object, got an array');
    expect(badRequest({ dateRange: { $gte: 'yesterday', $lte: NOW } })).toMatch(/^dateRange\.\$gte must be/);
  });
});

describe('export sort (sortBy, sortOrder on POST /v1/events/export and GET /events)', () => {
  it('leaves a request without them as it was (HoneyHive clients never send them)', () => {
    expect(parseExportBody({}, principal, NOW)).toEqual({ filters: [], limit: 1000, page: 1 });
  });

  it('reads every sort column and either order, from a body or a query string', () => {
    for (const sortBy of EXPORT_SORT_FIELDS)
      expect(parseExportBody({ sortBy, sortOrder: 'asc' }, principal, NOW)).toMatchObject({
        sortBy,
        sortOrder: 'asc',
      });
    expect(parseGetEventsQuery(parseQueryString('sortBy=cost&sortOrder=DESC'), principal, NOW)).toMatchObject(
      { sortBy: 'cost', sortOrder: 'desc' },
    );
  });

  it('refuses another column or order with a 400 naming the choices', () => {
    expect(validationMessage(() => parseExportBody({ sortBy: 'metadata.customer' }, principal, NOW))).toBe(
      'sortBy must be one of: start_time, end_time, duration, cost, total_tokens, prompt_tokens, completion_tokens, event_name, model, event_type; got "metadata.customer"',
    );
    expect(
      validationMessage(() => parseGetEventsQuery(parseQueryString('sortOrder=up'), principal, NOW)),
    ).toBe('sortOrder must be one of: asc, desc; got "up"');
  });
});
