/**
 * GET /v1/events/chart: one aggregate per time bucket (and group) over the filtered visible events.
 * The metric is a numeric allow-listed field; the bucket is the UTC start of the event's start_time.
 */
import type { Tenant } from '../events/event';
import { badRequest } from '../http/errors';
import type { Dialect } from './dialect';
import type { QueryEngine } from './engine';
import { eventColumn, numberExpression, textExpression } from './field-expressions';
import { type ResolvedField, readsInheritedField, resolveField } from './fields';
import { compileFilters } from './filters';
import { raw, type Sql, sql } from './sql';
import {
  CHART_AGGREGATIONS,
  CHART_BUCKETS,
  type ChartAggregation,
  type ChartQuery,
  type ChartResult,
} from './types';
import { eventsWithSession } from './visible-events';

const NUMERIC_COLUMNS: ReadonlySet<string> = new Set([
  'duration',
  'cost',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
]);
const NUMERIC_SECTIONS: ReadonlySet<string> = new Set(['metrics', 'metadata', 'feedback']);

const PERCENTILES: Partial<Record<ChartAggregation, number>> = {
  p50: 0.5,
  p75: 0.75,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
};

export function chartStatement(tenant: Tenant, query: ChartQuery, dialect: Dialect): Sql {
  if (!(CHART_AGGREGATIONS as readonly string[]).includes(query.aggregation))
    throw badRequest(
      `unknown aggregation "${String(query.aggregation)}": use one of ${CHART_AGGREGATIONS.join(', ')}`,
    );
  if (!(CHART_BUCKETS as readonly string[]).includes(query.bucket))
    throw badRequest(`unknown bucket "${String(query.bucket)}": use one of ${CHART_BUCKETS.join(', ')}`);
  const value = aggregateExpression(query, dialect);
  const bucket = dialect.bucketStart(eventColumn('start_time'), query.bucket);
  const group =
    query.groupBy === undefined ? undefined : textExpression(resolveField(query.groupBy), dialect);
  const filters = query.filters ?? [];
  const where = compileFilters(filters, dialect);
  // The metric counts only when it is aggregated (a count ignores it, and it may be left unchecked).
  const fieldsRead = [
    ...filters.map((filter) => filter.field),
    ...(query.groupBy === undefined ? [] : [query.groupBy]),
    ...(query.aggregation === 'count' ? [] : [query.metric]),
  ];
  const { prelude, from } = eventsWithSession(tenant, query.dateRange, readsInheritedField(fieldsRead));
  const groupColumn = group ? sql`, ${group} AS group_value` : raw('');
  const groupKeys = raw(group ? '1, 2' : '1');
  return sql`${prelude}
SELECT ${bucket} AS bucket${groupColumn}, count(*) AS event_count, ${value} AS value
FROM ${from}
WHERE ${where}
GROUP BY ${groupKeys}
ORDER BY ${groupKeys}`;
}

export async function chart(
  engine: QueryEngine,
  dialect: Dialect,
  tenant: Tenant,
  query: ChartQuery,
): Promise<ChartResult> {
  const statement = chartStatement(tenant, query, dialect);
  const rows = await engine.query(statement.text, statement.params);
  const events = rows.map((row) => ({
    bucket: Number(row.bucket),
    ...(query.groupBy === undefined
      ? {}
      : { group: row.group_value === null ? null : String(row.group_value) }),
    value: row.value === null || row.value === undefined ? null : Number(row.value),
    count: Number(row.event_count),
  }));
  return { events, totalEvents: events.reduce((total, point) => total + point.count, 0) };
}

function aggregateExpression(query: ChartQuery, dialect: Dialect): Sql {
  if (query.aggregation === 'count') return raw('count(*)');
  const metric = numericMetric(query.metric, dialect);
  const fraction = PERCENTILES[query.aggregation];
  if (fraction !== undefined) return dialect.percentile(metric, fraction);
  // sum, avg, min, max: names from the allow-list above.
  return sql`${raw(query.aggregation)}(${metric})`;
}

function numericMetric(metric: string, dialect: Dialect): Sql {
  const field: ResolvedField = resolveField(metric);
  const numeric =
    field.kind === 'column' ? NUMERIC_COLUMNS.has(field.name) : NUMERIC_SECTIONS.has(field.section);
  if (!numeric)
    throw badRequest(
      `metric "${metric}" is not numeric: use duration, cost, *_tokens, metrics.*, metadata.* or feedback.*`,
    );
  return numberExpression(field, dialect);
}
