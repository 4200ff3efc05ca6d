import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useId, useMemo, useState } from 'react';
import type { ChartAggregation, ChartBucket, ChartRequest, DataTarget } from '../api/client';
import type { EventFilter } from '../api/types';
import { useApp, useTarget } from '../app/context';
import { useFieldSuggestions } from '../app/hooks';
import { useTitle } from '../app/title';
import { ErrorMessage } from '../components/ErrorMessage';
import { FilterEditor } from '../components/FilterEditor';
import { formatCost, formatCount, formatDuration } from '../components/format';
import { Options } from '../components/Options';
import {
  describeRange,
  rangeBounds,
  TimeRangePicker,
  type TimeRangeValue,
  toDateRange,
} from '../components/TimeRange';
import { chooseBucket, type Series, toSeries } from '../dashboard/buckets';
import { TimeChart } from '../dashboard/Chart';

const route = getRouteApi('/signed-in/projects/$projectId/dashboard');

interface ChartSpec {
  id: string;
  title: string;
  metric: string;
  aggregations: { aggregation: ChartAggregation; label: string }[];
  filters?: EventFilter[];
  format(value: number): string;
  /** The monitor field of this chart's series (the Alerts page's prefill, with its last aggregation). */
  monitorField: string;
}

/** Counts and sums add up over buckets and groups (an empty bucket is 0); percentiles do not (a gap). */
function addsUp(spec: ChartSpec): boolean {
  return spec.aggregations.every(({ aggregation }) => aggregation === 'count' || aggregation === 'sum');
}

/** What "Monitor this" prefills: the chart's field and its last (headline) aggregation. */
function monitorOf(spec: ChartSpec): { field: string; aggregation: string } {
  return { field: spec.monitorField, aggregation: spec.aggregations.at(-1)?.aggregation ?? 'count' };
}

const CHARTS: ChartSpec[] = [
  {
    id: 'volume',
    title: 'Volume (events)',
    metric: 'duration',
    aggregations: [{ aggregation: 'count', label: 'events' }],
    format: formatCount,
    monitorField: 'duration',
  },
  {
    id: 'cost',
    title: 'Cost',
    metric: 'cost',
    aggregations: [{ aggregation: 'sum', label: 'cost' }],
    format: formatCost,
    monitorField: 'cost',
  },
  {
    id: 'tokens',
    title: 'Tokens',
    metric: 'total_tokens',
    aggregations: [{ aggregation: 'sum', label: 'tokens' }],
    format: formatCount,
    monitorField: 'tokens',
  },
  {
    id: 'latency',
    title: 'Latency',
    metric: 'duration',
    aggregations: [
      { aggregation: 'p50', label: 'p50' },
      { aggregation: 'p95', label: 'p95' },
    ],
    format: formatDuration,
    monitorField: 'duration',
  },
  {
    id: 'errors',
    title: 'Errors',
    metric: 'duration',
    aggregations: [{ aggregation: 'count', label: 'errors' }],
    filters: [{ field: 'error', operator: 'exists' }],
    format: formatCount,
    monitorField: 'errors',
  },
];

const GROUP_COLUMNS = ['model', 'provider', 'event_type', 'event_name', 'source'];

export function DashboardPage() {
  useTitle('Dashboard');
  const { projectId } = route.useParams();
  const target = useTarget(projectId);
  const suggestions = useFieldSuggestions(target);
  const [range, setRange] = useState<TimeRangeValue>({ preset: '24h' });
  const [groupBy, setGroupBy] = useState('');
  const groupId = useId();
  const [filters, setFilters] = useState<EventFilter[]>([]);
  const metadataFields = suggestions
    .map((suggestion) => suggestion.field)
    .filter((field) => field.startsWith('metadata.'));
  // Bounds are taken once per range choice, so a preset's buckets stay put between renders.
  const bounds = useMemo(() => rangeBounds(range), [range]);
  const bucket = chooseBucket(bounds.to - bounds.from);

  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <TimeRangePicker value={range} onChange={setRange} />
        <span className="inline-field">
          <label htmlFor={groupId}>Group by</label>
          <select id={groupId} value={groupBy} onChange={(event) => setGroupBy(event.target.value)}>
            <option value="">Nothing</option>
            <Options values={GROUP_COLUMNS} />
            <Options values={metadataFields} />
          </select>
        </span>
      </div>
      <details className="card filters-card" open={filters.length > 0 || undefined}>
        <summary>Filters{filters.length > 0 ? ` (${filters.length})` : ''}</summary>
        <FilterEditor filters={filters} suggestions={suggestions} onChange={setFilters} />
      </details>
      <p className="muted small">
        {describeRange(range)}, one point per {bucket}
        {groupBy ? `, grouped by ${groupBy} (top 50 and other)` : ''}.
      </p>
      <div className="charts">
        {CHARTS.map((spec) => (
          <ChartCard
            key={spec.id}
            spec={spec}
            target={target}
            range={range}
            bounds={bounds}
            bucket={bucket}
            groupBy={groupBy || undefined}
            filters={filters}
          />
        ))}
      </div>
    </>
  );
}

function ChartCard({
  spec,
  target,
  range,
  bounds,
  bucket,
  groupBy,
  filters,
}: {
  spec: ChartSpec;
  target: DataTarget;
  range: TimeRangeValue;
  bounds: { from: number; to: number };
  bucket: ChartBucket;
  groupBy: string | undefined;
  filters: EventFilter[];
}) {
  const { api } = useApp();
  // Grouped, a percentile chart shows p95 only: one line per group.
  const aggregations = useMemo(
    () => (groupBy && spec.aggregations.length > 1 ? spec.aggregations.slice(-1) : spec.aggregations),
    [groupBy, spec],
  );
  const requests: ChartRequest[] = aggregations.map(({ aggregation }) => ({
    metric: spec.metric,
    aggregation,
    bucket,
    groupBy,
    filters: [...(spec.filters ?? []), ...filters],
    dateRange: toDateRange(range),
  }));
  const chart = useQuery({
    queryKey: ['chart', target.dataPlaneId, target.projectId, requests],
    queryFn: () => Promise.all(requests.map((request) => api.chart(target, request))),
    placeholderData: keepPreviousData,
  });
  const drawn = useMemo(() => {
    if (!chart.data) return undefined;
    let x: number[] = [];
    const series: Series[] = [];
    let total = 0;
    chart.data.forEach((answer, index) => {
      const label = aggregations[index]?.label ?? spec.title;
      const laid = toSeries(answer.events, { bucket, ...bounds, fill: addsUp(spec) ? 0 : null, label });
      if (index === 0) {
        x = laid.x;
        total = answer.totalEvents;
      }
      for (const entry of laid.series) {
        series.push({
          label: groupBy && aggregations.length === 1 ? entry.label : label,
          values: entry.values,
        });
      }
    });
    const sum = addsUp(spec)
      ? series.reduce((acc, entry) => acc + entry.values.reduce<number>((a, value) => a + (value ?? 0), 0), 0)
      : undefined;
    return { x, series, total, sum };
  }, [chart.data, aggregations, bucket, bounds, spec, groupBy]);
  const titleId = `chart-${spec.id}`;
  return (
    <figure className="card chart-card" aria-labelledby={titleId}>
      <figcaption id={titleId}>
        <strong>{spec.title}</strong>
        {groupBy && spec.aggregations.length > 1 ? ' (p95)' : ''}
        {drawn?.sum !== undefined ? (
          <span className="chart-total" data-testid={`total-${spec.id}`}>
            {' '}
            {spec.format(drawn.sum)}
          </span>
        ) : null}
        {drawn ? <span className="muted small"> · {formatCount(drawn.total)} events charted</span> : null}{' '}
        <Link
          className="small"
          to="/projects/$projectId/alerts"
          params={{ projectId: target.projectId }}
          search={{ tab: 'monitors', monitor: 'new', event_type: 'model', ...monitorOf(spec) }}
          aria-label={`Create a monitor of ${spec.title}`}
        >
          Monitor this
        </Link>
      </figcaption>
      <ErrorMessage error={chart.error} />
      {chart.isLoading ? <p role="status">Loading…</p> : null}
      {drawn ? <TimeChart x={drawn.x} series={drawn.series} format={spec.format} /> : null}
    </figure>
  );
}
