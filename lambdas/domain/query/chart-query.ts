/**
 * GET /v1/events/chart: one aggregate per time bucket (and group) over the filtered visible events.
 * The metric is a numeric allow-listed field; the bucket is the UTC start of the event's start_time.
 * The answer is bounded: at most MAX_CHART_GROUPS groups plus one folded `other` group, and at most
 * MAX_CHART_BUCKETS buckets (more is a 400), whatever the data or the group-by field.
 */

import { ValidationError } from '../errors';
import type { Tenant } from '../events/event';
import type { Dialect } from './dialect';
import type { QueryEngine } from './engine';
import { eventColumn, numberExpression, textExpression } from './field-expressions';
import { type ResolvedField, readsInheritedField, resolveField } from './fields';
import { compileFilters } from './filters';
import { sessionEventDays } from './locate';
import { type ReadTime, readWindow } from './read-window';
import { runStatement } from './run-statement';
import { raw, type Sql, sql } from './sql';
import {
  CHART_AGGREGATIONS,
  CHART_BUCKETS,
  type ChartAggregation,
  type ChartPoint,
  type ChartQuery,
  type ChartResult,
  MAX_CHART_BUCKETS,
  MAX_CHART_GROUPS,
  OTHER_CHART_GROUP,
  type ReadContext,
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

export function chartStatement(
  tenant: Tenant,
  query: ChartQuery,
  dialect: Dialect,
  time: ReadTime = { now: Date.now() },
  sessionDays: readonly string[] = [],
): Sql {
  if (!(CHART_AGGREGATIONS as readonly string[]).includes(query.aggregation))
    throw new ValidationError(
      `unknown aggregation "${String(query.aggregation)}": use one of ${CHART_AGGREGATIONS.join(', ')}`,
    );
  if (!(CHART_BUCKETS as readonly string[]).includes(query.bucket))
    throw new ValidationError(
      `unknown bucket "${String(query.bucket)}": use one of ${CHART_BUCKETS.join(', ')}`,
    );
  // A count ignores the metric, so it is neither checked nor read.
  const metric = query.aggregation === 'count' ? undefined : numericMetric(query.metric, dialect);
  const bucket = dialect.bucketStart(eventColumn('start_time'), query.bucket);
  const group =
    query.groupBy === undefined ? undefined : textExpression(resolveField(query.groupBy), dialect);
  const filters = query.filters ?? [];
  const where = compileFilters(filters, dialect);
  const { prelude, from } = eventsWithSession(
    tenant,
    readWindow(query.dateRange, time),
    time.now,
    chartReadsInherited(query) ? sessionDays : undefined,
  );
  const charted = sql`charted AS (
  SELECT ${bucket} AS bucket${group ? sql`, ${group} AS group_value` : raw('')}${metric ? sql`, ${metric} AS metric_value` : raw('')}
  FROM ${from}
  WHERE ${where}
)`;
  const value = aggregateOf(query.aggregation, raw('c.metric_value'), dialect);
  // One row past the most a chart may answer says "too many buckets" without reading them all.
  const rowLimit = raw(String(maxChartRows(group !== undefined) + 1));
  if (!group) {
    return sql`${prelude}, ${charted}
SELECT c.bucket, count(*) AS event_count, ${value} AS value
FROM charted c
GROUP BY 1
ORDER BY 1
LIMIT ${rowLimit}`;
  }
  // The groups with the most events (ties: by value, missing last) keep their own series; every
  // other event joins the folded group, whose aggregate is computed over exactly those events.
  return sql`${prelude}, ${charted}, top_groups AS (
  SELECT group_value, count(*) AS group_events
  FROM charted
  GROUP BY group_value
  ORDER BY count(*) DESC, group_value ASC NULLS LAST
  LIMIT ${raw(String(MAX_CHART_GROUPS))}
)
SELECT c.bucket,
  CASE WHEN t.group_events IS NULL THEN NULL ELSE c.group_value END AS group_value,
  t.group_events IS NULL AS other_group,
  count(*) AS event_count, ${value} AS value
FROM charted c LEFT JOIN top_groups t ON c.group_value IS NOT DISTINCT FROM t.group_value
GROUP BY 1, 2, 3
ORDER BY 1, 3, 2
LIMIT ${rowLimit}`;
}

/** Whether a (valid) chart filters, groups or measures on fields events inherit from their session. */
function chartReadsInherited(query: ChartQuery): boolean {
  return readsInheritedField([
    ...(query.filters ?? []).map((filter) => filter.field),
    ...(query.groupBy === undefined ? [] : [query.groupBy]),
    ...(query.aggregation === 'count' ? [] : [query.metric]),
  ]);
}

export async function chart(
  engine: QueryEngine,
  dialect: Dialect,
  tenant: Tenant,
  query: ChartQuery,
  context: ReadContext = {},
  time: ReadTime = { now: Date.now() },
): Promise<ChartResult> {
  let statement = chartStatement(tenant, query, dialect, time);
  if (chartReadsInherited(query)) {
    const days = await sessionEventDays(engine, tenant, readWindow(query.dateRange, time), time.now, context);
    statement = chartStatement(tenant, query, dialect, time, days);
  }
  const rows = await runStatement(engine, 'chart', statement, context);
  const grouped = query.groupBy !== undefined;
  const buckets = new Set(rows.map((row) => Number(row.bucket))).size;
  if (rows.length > maxChartRows(grouped) || buckets > MAX_CHART_BUCKETS) {
    throw new ValidationError(
      `the chart spans more than ${MAX_CHART_BUCKETS} "${query.bucket}" buckets (at most ${MAX_CHART_BUCKETS}): give a shorter dateRange or use a wider bucket`,
    );
  }
  const events = rows.map((row): ChartPoint => {
    const other = row.other_group === true || row.other_group === 'true';
    return {
      bucket: Number(row.bucket),
      ...(grouped ? { group: other ? OTHER_CHART_GROUP : textOrNull(row.group_value) } : {}),
      ...(other ? { other: true } : {}),
      value: row.value === null || row.value === undefined ? null : Number(row.value),
      count: Number(row.event_count),
    };
  });
  return { events, totalEvents: events.reduce((total, point) => total + point.count, 0) };
}

/** Rows a chart within the limits can have: every bucket, times every kept group plus the folded one. */
function maxChartRows(grouped: boolean): number {
  return MAX_CHART_BUCKETS * (grouped ? MAX_CHART_GROUPS + 1 : 1);
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function aggregateOf(aggregation: ChartAggregation, metric: Sql, dialect: Dialect): Sql {
  if (aggregation === 'count') return raw('count(*)');
  const fraction = PERCENTILES[aggregation];
  if (fraction !== undefined) return dialect.percentile(metric, fraction);
  // sum, avg, min, max: names from the allow-list above.
  return sql`${raw(aggregation)}(${metric})`;
}

function numericMetric(metric: string, dialect: Dialect): Sql {
  const field: ResolvedField = resolveField(metric);
  const numeric =
    field.kind === 'column' ? NUMERIC_COLUMNS.has(field.name) : NUMERIC_SECTIONS.has(field.section);
  if (!numeric)
    throw new ValidationError(
      `metric "${metric}" is not numeric: use duration, cost, *_tokens, metrics.*, metadata.* or feedback.*`,
    );
  return numberExpression(field, dialect);
}
