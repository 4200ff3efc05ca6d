import { describe, expect, it } from 'vitest';
import { parseChartQuery } from '../../../lambdas/domain/read-api/chart-request';
import { parseDateRange } from '../../../lambdas/domain/read-api/date-range';
import { parseExportBody, parseGetEventsQuery } from '../../../lambdas/domain/read-api/export-request';
import { parseLimit, parsePage, parseProjections } from '../../../lambdas/domain/read-api/paging';
import { parseQueryString } from '../../../lambdas/domain/read-api/query-string';
import {
  validationMessage as badRequest,
  READ_PRINCIPAL as principal,
} from '../../support/read-api-fixtures';

const NOW = Date.UTC(2026, 10, 22, 12);

describe('POST /v1/events/export body (GetEventsLegacyRequest)', () => {
  it('reads a full request: filters, dateRange as ISO strings, projections, limit, page', () => {
    const query = parseExportBody(
      {
        project: 'my-app',
        filters: [{ field: 'event_type', operator: 'is', value: 'model', type: 'string' }],
        dateRange: { $gte: '2026-11-01T00:00:00.000Z', $lte: '2026-11-02T00:00:00.000Z' },
        projections: ['event_id', 'event_name', 'event_id'],
        limit: 50,
        page: 3,
      },
      principal,
      NOW,
    );
    expect(query).toEqual({
      filters: [{ field: 'event_type', operator: 'is', value: 'model', type: 'string' }],
      dateRange: { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 2) },
      projections: ['event_id', 'event_name'],
      limit: 50,
      page: 3,
    });
  });

  it('defaults: no filters, no range, every field, limit 1000, page 1; the project may be left out', () => {
    expect(parseExportBody({}, principal, NOW)).toEqual({ filters: [], limit: 1000, page: 1 });
  });

  it('accepts the project by name or by id', () => {
    expect(parseExportBody({ project: 'proj-1', filters: [] }, principal, NOW).limit).toBe(1000);
  });

  const cases: Array<[string, unknown, RegExp]> = [
    ['a body that is not an object', [1], /^body must be a JSON object/],
    [
      'another project',
      { project: 'other-app', filters: [] },
      /^project names a project other than the API key's project "my-app"/,
    ],
    ['a project that is not text', { project: 5 }, /^project must be a project name/],
    ['limit above 7500', { limit: 7501 }, /^limit must be at most 7500/],
    ['limit zero', { limit: 0 }, /^limit must be a positive integer/],
    ['a fractional limit', { limit: 2.5 }, /^limit must be a positive integer/],
    ['a page below 1', { page: 0 }, /^page must be a positive integer/],
    ['an absurd page', { page: 100_001 }, /^page must be at most 100000/],
    ['an unknown projection', { projections: ['event_id', 'password'] }, /^projections\[1\] is not readable/],
    ['a nested projection', { projections: ['metadata.cost'] }, /^projections\[0\] is not readable/],
    ['projections that are not a list', { projections: 7 }, /^projections must be a list/],
    [
      'a dateRange without $lte',
      { dateRange: { $gte: '2026-11-01T00:00:00Z' } },
      /^dateRange\.\$lte is required/,
    ],
    [
      'a dateRange with a bad date',
      { dateRange: { $gte: 'soon', $lte: 1 } },
      /^dateRange\.\$gte must be an ISO 8601/,
    ],
    [
      'a dateRange bound that only Date.parse would read',
      { dateRange: { $gte: "' OR '1'='1", $lte: '2026-11-02' } },
      /^dateRange\.\$gte must be an ISO 8601 date or date-time .* or epoch milliseconds/,
    ],
    [
      'a dateRange bound of signed digits',
      { dateRange: { $gte: '0', $lte: '-5' } },
      /^dateRange\.\$lte must be an ISO 8601/,
    ],
    ['a reversed dateRange', { dateRange: { $gte: 10, $lte: 5 } }, /^dateRange \$gte is later than \$lte/],
    ['a bad filter', { filters: [{ field: 'model', operator: 'is' }] }, /^filters\[0\]\.value is required/],
  ];
  for (const [name, body, message] of cases) {
    it(`refuses ${name}`, () => {
      expect(badRequest(() => parseExportBody(body, principal, NOW))).toMatch(message);
    });
  }
});

describe('dateRange forms', () => {
  it('takes epoch milliseconds, ISO text, JSON text and relative ranges', () => {
    expect(parseDateRange({ $gte: 1, $lte: 2 }, NOW)).toEqual({ from: 1, to: 2 });
    expect(parseDateRange('{"$gte":"1970-01-01T00:00:00.005Z","$lte":"1970-01-01T00:00:01Z"}', NOW)).toEqual({
      from: 5,
      to: 1000,
    });
    expect(parseDateRange({ relative: '7d' }, NOW)).toEqual({ from: NOW - 7 * 86_400_000, to: NOW });
    expect(parseDateRange('24h', NOW)).toEqual({ from: NOW - 86_400_000, to: NOW });
    expect(parseDateRange('30m', NOW)).toEqual({ from: NOW - 1_800_000, to: NOW });
    expect(parseDateRange(undefined, NOW)).toBeUndefined();
  });

  it('refuses relative text it does not know', () => {
    expect(badRequest(() => parseDateRange({ relative: 'last week' }, NOW))).toMatch(
      /^dateRange\.relative must be a duration/,
    );
    expect(badRequest(() => parseDateRange('7y', NOW))).toMatch(/^dateRange is a string but not valid JSON/);
  });
});

describe('limit, page and projections from query text', () => {
  it('reads numbers written as text', () => {
    expect(parseLimit('25')).toBe(25);
    expect(parsePage(' 2 ')).toBe(2);
    expect(badRequest(() => parseLimit('1e3'))).toMatch(/^limit must be a positive integer, got "1e3"/);
    expect(badRequest(() => parseLimit('-5'))).toMatch(/^limit must be a positive integer/);
  });

  it('reads projections as a list, JSON text or comma-separated text', () => {
    expect(parseProjections(['event_id'])).toEqual(['event_id']);
    expect(parseProjections('["event_id","cost"]')).toEqual(['event_id', 'cost']);
    expect(parseProjections('event_id, project_id')).toEqual(['event_id', 'project_id']);
    expect(parseProjections([])).toBeUndefined();
  });
});

describe('query strings (qs-style)', () => {
  it('reads plain, repeated and bracketed parameters', () => {
    expect(
      parseQueryString(
        'limit=5&projections=event_id&projections=cost&dateRange[$gte]=2026-11-01&dateRange[$lte]=2026-11-02' +
          '&filters[1][field]=cost&filters[1][operator]=exists&filters[0][field]=model&filters[0][operator]=is&filters[0][value]=a%20b&tags[]=x&tags[]=y',
      ),
    ).toEqual({
      limit: '5',
      projections: ['event_id', 'cost'],
      dateRange: { $gte: '2026-11-01', $lte: '2026-11-02' },
      filters: [
        { field: 'model', operator: 'is', value: 'a b' },
        { field: 'cost', operator: 'exists' },
      ],
      tags: ['x', 'y'],
    });
  });

  it('refuses prototype keys, deep brackets, huge indexes and too many parameters', () => {
    expect(badRequest(() => parseQueryString('__proto__[x]=1'))).toMatch(
      /^__proto__\[x\] uses a reserved name/,
    );
    expect(badRequest(() => parseQueryString('a[constructor][prototype]=1'))).toMatch(/reserved name/);
    expect(badRequest(() => parseQueryString('a[b][c][d][e][f]=1'))).toMatch(/nests more than 4 brackets/);
    expect(badRequest(() => parseQueryString('filters[100000][field]=x'))).toMatch(/list index above 199/);
    expect(
      badRequest(() => parseQueryString(Array.from({ length: 201 }, (_, i) => `p${i}=1`).join('&'))),
    ).toMatch(/more than 200 parameters/);
    expect(badRequest(() => parseQueryString('a=1&a[b]=2'))).toMatch(/both as a value and as an object/);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('GET /events query parameters (GetEventsQuery)', () => {
  it('reads JSON-encoded filters and dateRange, text limit and page', () => {
    const params = parseQueryString(
      new URLSearchParams({
        filters: JSON.stringify([{ field: 'metadata.env', operator: 'is', value: 'prod', type: 'string' }]),
        dateRange: JSON.stringify({ $gte: '2026-11-01T00:00:00Z', $lte: '2026-11-01T01:00:00Z' }),
        projections: JSON.stringify(['event_id']),
        limit: '10',
        page: '2',
        ignore_order: 'true',
      }).toString(),
    );
    expect(parseGetEventsQuery(params, principal, NOW)).toEqual({
      filters: [{ field: 'metadata.env', operator: 'is', value: 'prod', type: 'string' }],
      dateRange: { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 1, 1) },
      projections: ['event_id'],
      limit: 10,
      page: 2,
    });
  });

  it('reads bracketed filters with text values coerced by type', () => {
    const params = parseQueryString(
      'filters[0][field]=cost&filters[0][operator]=greater%20than&filters[0][value]=0.5&filters[0][type]=number',
    );
    expect(parseGetEventsQuery(params, principal, NOW).filters).toEqual([
      { field: 'cost', operator: 'greater than', value: 0.5, type: 'number' },
    ]);
  });

  it('refuses another project, an evaluation filter and a bad flag, naming each', () => {
    expect(badRequest(() => parseGetEventsQuery({ project: 'x' }, principal, NOW))).toMatch(
      /^project names a project other/,
    );
    expect(badRequest(() => parseGetEventsQuery({ evaluation_id: 'run-1' }, principal, NOW))).toMatch(
      /^evaluation_id is not supported yet/,
    );
    expect(badRequest(() => parseGetEventsQuery({ ignore_order: 'maybe' }, principal, NOW))).toMatch(
      /^ignore_order must be true or false/,
    );
    expect(badRequest(() => parseGetEventsQuery({ limit: '9000' }, principal, NOW))).toMatch(
      /^limit must be at most 7500/,
    );
  });
});

describe('GET /v1/events/chart query parameters', () => {
  it('defaults to the average duration per hour', () => {
    expect(parseChartQuery({}, principal, NOW)).toEqual({
      metric: 'duration',
      aggregation: 'avg',
      bucket: 'hour',
      filters: [],
    });
  });

  it('folds the spec aliases', () => {
    const aggregations = [
      'avg',
      'average',
      'mean',
      'median',
      'p50',
      'p75',
      'p90',
      'p95',
      'p99',
      'count',
      'sum',
      'min',
      'max',
    ];
    expect(
      aggregations.map((aggregation) => parseChartQuery({ aggregation }, principal, NOW).aggregation),
    ).toEqual(['avg', 'avg', 'avg', 'p50', 'p50', 'p75', 'p90', 'p95', 'p99', 'count', 'sum', 'min', 'max']);
    const buckets = [
      'minute',
      'minutes',
      '1m',
      'hour',
      'hours',
      '1h',
      'day',
      'days',
      '1d',
      'week',
      'weeks',
      '1w',
      'month',
      'months',
      '1M',
    ];
    expect(buckets.map((bucket) => parseChartQuery({ bucket }, principal, NOW).bucket)).toEqual([
      'minute',
      'minute',
      'minute',
      'hour',
      'hour',
      'hour',
      'day',
      'day',
      'day',
      'week',
      'week',
      'week',
      'month',
      'month',
      'month',
    ]);
  });

  it('reads metric, groupBy, filters and dateRange', () => {
    const params = parseQueryString(
      new URLSearchParams({
        metric: 'metrics.accuracy',
        aggregation: 'p90',
        bucket: 'day',
        groupBy: 'model',
        filters: JSON.stringify([{ field: 'event_type', operator: 'is', value: 'model', type: 'string' }]),
        dateRange: '7d',
      }).toString(),
    );
    expect(parseChartQuery(params, principal, NOW)).toEqual({
      metric: 'metrics.accuracy',
      aggregation: 'p90',
      bucket: 'day',
      groupBy: 'model',
      filters: [{ field: 'event_type', operator: 'is', value: 'model', type: 'string' }],
      dateRange: { from: NOW - 7 * 86_400_000, to: NOW },
    });
  });

  it('accepts a dateRange of up to 3000 buckets: 90 days of hours, two days of minutes', () => {
    const buckets = (bucket: string, dateRange: string) =>
      parseChartQuery({ bucket, dateRange }, principal, NOW);
    expect(buckets('hour', '90d').dateRange).toEqual({ from: NOW - 90 * 86_400_000, to: NOW });
    expect(buckets('minute', '2d').bucket).toBe('minute');
  });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['a text metric', { metric: 'model' }, /^metric "model" is not numeric/],
    ['a metric in inputs', { metric: 'inputs.n' }, /^metric "inputs\.n" is not numeric/],
    ['an unknown metric', { metric: 'speed' }, /^metric is not readable/],
    ['an unknown aggregation', { aggregation: 'mode' }, /^aggregation must be one of/],
    ['an unknown bucket', { bucket: 'fortnight' }, /^bucket must be one of/],
    ['a mis-cased short bucket', { bucket: '1H' }, /^bucket must be one of/],
    ['an unknown groupBy', { groupBy: 'nope' }, /^groupBy is not readable/],
    [
      'more buckets than the chart limit',
      { bucket: 'minute', dateRange: '3d' },
      /^bucket "minute" splits the dateRange into 4321 buckets; at most 3000: use a wider bucket or a shorter range$/,
    ],
    [
      'too many buckets',
      { bucket: 'minute', dateRange: '2w' },
      /^bucket "minute" splits the dateRange into 20161 buckets/,
    ],
    ['experiments only', { only_experiments: 'true' }, /^only_experiments is not supported yet/],
    ['another project', { project: 'theirs' }, /^project names a project other/],
  ];
  for (const [name, params, message] of cases) {
    it(`refuses ${name}`, () => {
      expect(badRequest(() => parseChartQuery(params, principal, NOW))).toMatch(message);
    });
  }
});
