/**
 * `GET /v1/events/chart` query parameters -> ChartQuery. The spec's aliases are folded here
 * (`average`/`mean` -> avg, `median` -> p50, `1h`/`hours` -> hour, ...), with its defaults: metric
 * `duration`, aggregation average, bucket hour.
 */
import type { Principal } from '../auth/principal';
import { invalidField } from '../honeyhive/fields';
import {
  CHART_AGGREGATIONS,
  CHART_BUCKETS,
  type ChartAggregation,
  type ChartBucket,
  type ChartQuery,
  type DateRange,
  MAX_CHART_BUCKETS,
} from '../query/types';
import { parseDateRange } from './date-range';
import { assertNoEvaluationFilter } from './export-request';
import { parseFieldRef } from './field-paths';
import { parseFilters } from './filters';
import { parseFlag } from './paging';
import { assertKeyProject } from './project-scope';
import type { QueryParameters } from './query-string';

const AGGREGATION_ALIASES: Record<string, ChartAggregation> = {
  average: 'avg',
  mean: 'avg',
  median: 'p50',
};

const BUCKET_ALIASES: Record<string, ChartBucket> = {
  minutes: 'minute',
  '1m': 'minute',
  hours: 'hour',
  '1h': 'hour',
  days: 'day',
  '1d': 'day',
  weeks: 'week',
  '1w': 'week',
  months: 'month',
  '1M': 'month',
};

const BUCKET_MS: Record<ChartBucket, number> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  month: 2_592_000_000,
};

/** Nested sections whose values may be charted as numbers. */
const NUMERIC_SECTIONS = ['metrics.', 'metadata.'];

export function parseChartQuery(params: QueryParameters, principal: Principal, now: number): ChartQuery {
  assertKeyProject(params.project, principal);
  assertNoEvaluationFilter(params.evaluation_id);
  if (parseFlag(params.only_experiments, 'only_experiments') === true) {
    throw invalidField(
      'only_experiments',
      'is not supported yet: experiment runs are not stored by this data plane',
    );
  }
  const aggregation = parseAggregation(params.aggregation);
  const bucket = parseBucket(params.bucket);
  const dateRange = parseDateRange(params.dateRange, now);
  if (dateRange) assertBucketCount(dateRange, bucket);
  const groupBy = isAbsent(params.groupBy) ? undefined : parseFieldRef(params.groupBy, 'groupBy').path;
  return {
    metric: parseMetric(params.metric),
    aggregation,
    bucket,
    ...(groupBy === undefined ? {} : { groupBy }),
    filters: parseFilters(params.filters),
    ...(dateRange ? { dateRange } : {}),
  };
}

function parseMetric(value: unknown): string {
  if (isAbsent(value)) return 'duration';
  const field = parseFieldRef(value, 'metric');
  const numeric = field.nested
    ? NUMERIC_SECTIONS.some((prefix) => field.path.startsWith(prefix))
    : field.columnType === 'number';
  if (!numeric) {
    throw invalidField(
      'metric',
      `"${field.path}" is not numeric: use duration, cost, prompt_tokens, completion_tokens, total_tokens or a metrics.* / metadata.* path`,
    );
  }
  return field.path;
}

function parseAggregation(value: unknown): ChartAggregation {
  if (isAbsent(value)) return 'avg';
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  const aggregation = AGGREGATION_ALIASES[text] ?? CHART_AGGREGATIONS.find((name) => name === text);
  if (aggregation === undefined) {
    throw invalidField(
      'aggregation',
      `must be one of: ${[...CHART_AGGREGATIONS, ...Object.keys(AGGREGATION_ALIASES)].join(', ')}`,
    );
  }
  return aggregation;
}

function parseBucket(value: unknown): ChartBucket {
  if (isAbsent(value)) return 'hour';
  // `1M` (month) and `1m` (minute) differ only in case, so only the long names are case-folded.
  const text = typeof value === 'string' ? value.trim() : '';
  const bucket =
    BUCKET_ALIASES[text] ??
    BUCKET_ALIASES[text.toLowerCase()] ??
    CHART_BUCKETS.find((name) => name === text.toLowerCase());
  if (bucket === undefined || (text.length <= 2 && BUCKET_ALIASES[text] === undefined)) {
    throw invalidField(
      'bucket',
      `must be one of: ${[...CHART_BUCKETS, ...Object.keys(BUCKET_ALIASES)].join(', ')}`,
    );
  }
  return bucket;
}

/** Refused before running: the query layer also refuses data that spans more when no dateRange is given. */
function assertBucketCount(range: DateRange, bucket: ChartBucket): void {
  // Buckets the inclusive range touches (a month counts as 30 days here: a bound, not a calendar).
  const size = BUCKET_MS[bucket];
  const buckets = Math.floor(range.to / size) - Math.floor(range.from / size) + 1;
  if (buckets > MAX_CHART_BUCKETS) {
    throw invalidField(
      'bucket',
      `"${bucket}" splits the dateRange into ${buckets} buckets; at most ${MAX_CHART_BUCKETS}: use a wider bucket or a shorter range`,
    );
  }
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
