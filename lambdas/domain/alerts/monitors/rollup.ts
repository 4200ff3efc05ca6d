/**
 * Per-minute rollups of stored events, the only thing monitors read (never the events): one row
 * per (project, minute of start_time, event_type, event_name, source, model, error or not) with the
 * event count, the error count, and for duration, cost, total_tokens and each numeric metric the
 * count, sum, min, max and a quantile sketch (sketch.ts). Rows of any set of minutes and dimensions
 * merge into the same figures as the raw events would give: sums add, mins and maxes compare,
 * sketches add their bucket counts.
 */
import type { WaggleEvent } from '../../events/event';
import { addToSketch, emptySketch, mergeSketch, type Sketch, sketchQuantile } from './sketch';

export const MINUTE_MS = 60_000;

/** The event fields a monitor can aggregate besides metrics, and the event column each reads. */
export const ROLLUP_FIELDS = { duration: 'duration', cost: 'cost', tokens: 'total_tokens' } as const;
export type RollupField = keyof typeof ROLLUP_FIELDS;

/** Dimensions a rollup row is keyed by besides project, minute and event type. */
export const ROLLUP_DIMENSIONS = ['event_name', 'source', 'model'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

/**
 * Bounds that keep one row small (a few KB): metric names past the first MAX_METRICS_PER_ROW of a
 * row, or longer than MAX_METRIC_NAME_CHARS, are not rolled up (documented in docs/alerts.md).
 */
export const MAX_METRICS_PER_ROW = 50;
export const MAX_METRIC_NAME_CHARS = 100;
/** Dimension values longer than this are cut (names, sources and models are short in practice). */
export const MAX_DIMENSION_CHARS = 256;

export interface FieldStats {
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  sketch: Sketch;
}

export interface RollupRow {
  project_id: string;
  org_id: string;
  workspace_id: string;
  /** Epoch ms of the minute's start (UTC). */
  minute: number;
  event_type: string;
  event_name: string | null;
  source: string | null;
  model: string | null;
  has_error: boolean;
  count: number;
  errors: number;
  duration: FieldStats;
  cost: FieldStats;
  tokens: FieldStats;
  metrics: Record<string, FieldStats>;
}

export function emptyStats(): FieldStats {
  return { count: 0, sum: 0, min: null, max: null, sketch: emptySketch() };
}

export function addValue(stats: FieldStats, value: number): void {
  stats.count++;
  stats.sum += value;
  stats.min = stats.min === null ? value : Math.min(stats.min, value);
  stats.max = stats.max === null ? value : Math.max(stats.max, value);
  addToSketch(stats.sketch, value);
}

export function mergeStats(into: FieldStats, other: FieldStats): void {
  into.count += other.count;
  into.sum += other.sum;
  if (other.min !== null) into.min = into.min === null ? other.min : Math.min(into.min, other.min);
  if (other.max !== null) into.max = into.max === null ? other.max : Math.max(into.max, other.max);
  mergeSketch(into.sketch, other.sketch);
}

function dimension(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value.length > MAX_DIMENSION_CHARS ? value.slice(0, MAX_DIMENSION_CHARS) : value;
}

/** A metric's value as a number: numbers as they are, booleans as 1 and 0; anything else none. */
export function metricNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/**
 * A stored event's metrics set by a later update (an evaluator's score, HoneyHive's PUT /events): rolled
 * up into the row of the event's minute and dimensions without counting the event again.
 */
export interface MetricsUpdate {
  /** The event as updated (its dimensions; its own metrics were rolled up when it was new). */
  event: WaggleEvent;
  /** The metrics the update set. */
  metrics: Record<string, unknown>;
}

/** The rollup rows of a set of new events (an update is not a second event) and of metrics updates. */
export function rollupsOf(events: Iterable<WaggleEvent>, updates: Iterable<MetricsUpdate> = []): RollupRow[] {
  const rows = new Map<string, RollupRow>();
  for (const event of events) {
    const row = rowOf(rows, event);
    row.count++;
    if (row.has_error) row.errors++;
    for (const [field, column] of Object.entries(ROLLUP_FIELDS) as [RollupField, string][]) {
      const value = (event as unknown as Record<string, unknown>)[column];
      if (typeof value === 'number' && Number.isFinite(value)) addValue(row[field], value);
    }
    addMetrics(row, event.metrics ?? {});
  }
  for (const update of updates) addMetrics(rowOf(rows, update.event), update.metrics);
  return [...rows.values()];
}

/** The row of an event's minute and dimensions, created empty the first time. */
function rowOf(rows: Map<string, RollupRow>, event: WaggleEvent): RollupRow {
  const minute = Math.floor(event.start_time / MINUTE_MS) * MINUTE_MS;
  const hasError = event.error !== null && event.error !== '';
  const key = JSON.stringify([
    event.project_id,
    minute,
    event.event_type,
    dimension(event.event_name),
    dimension(event.source),
    dimension(event.model),
    hasError,
  ]);
  let row = rows.get(key);
  if (row === undefined) {
    row = {
      project_id: event.project_id,
      org_id: event.org_id,
      workspace_id: event.workspace_id,
      minute,
      event_type: event.event_type,
      event_name: dimension(event.event_name),
      source: dimension(event.source),
      model: dimension(event.model),
      has_error: hasError,
      count: 0,
      errors: 0,
      duration: emptyStats(),
      cost: emptyStats(),
      tokens: emptyStats(),
      metrics: {},
    };
    rows.set(key, row);
  }
  return row;
}

function addMetrics(row: RollupRow, metrics: Record<string, unknown>): void {
  for (const [name, raw] of Object.entries(metrics)) {
    const value = metricNumber(raw);
    if (value === undefined || name.length > MAX_METRIC_NAME_CHARS) continue;
    let stats = Object.hasOwn(row.metrics, name) ? row.metrics[name] : undefined;
    if (stats === undefined) {
      if (Object.keys(row.metrics).length >= MAX_METRICS_PER_ROW) continue;
      stats = emptyStats();
      Object.defineProperty(row.metrics, name, { value: stats, enumerable: true, writable: true });
    }
    addValue(stats, value);
  }
}

/** What a monitor aggregates: an event field, errors, or a metric by name. */
export type MonitorField =
  | { kind: 'field'; field: RollupField }
  | { kind: 'errors' }
  | { kind: 'metric'; name: string };

export const AGGREGATIONS = ['count', 'sum', 'avg', 'min', 'max', 'median', 'p90', 'p95', 'p99'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

const QUANTILES: Partial<Record<Aggregation, number>> = { median: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

/** The stats of one field over a set of rows (already narrowed to the monitor's dimensions). */
export function statsOf(rows: Iterable<RollupRow>, field: MonitorField): FieldStats {
  const total = emptyStats();
  for (const row of rows) addRowStats(total, row, field);
  return total;
}

/** Adds one row's stats of a field to `total` (rows merged as they are read, never all held). */
export function addRowStats(total: FieldStats, row: RollupRow, field: MonitorField): void {
  if (field.kind === 'errors') {
    // Each event is 1 (error) or 0: count is the errors, sum the same, avg the error rate.
    mergeStats(total, {
      count: row.count,
      sum: row.errors,
      min: row.count === 0 ? null : row.errors === row.count ? 1 : 0,
      max: row.count === 0 ? null : row.errors > 0 ? 1 : 0,
      sketch: emptySketch(),
    });
  } else if (field.kind === 'field') mergeStats(total, row[field.field]);
  else {
    const stats = Object.hasOwn(row.metrics, field.name) ? row.metrics[field.name] : undefined;
    if (stats) mergeStats(total, stats);
  }
}

/**
 * The aggregate of the stats; undefined when there is nothing to aggregate (no data). A count is 0
 * with no data: "no errors" is a value. For `errors`, count is the number of errors.
 */
export function aggregate(
  stats: FieldStats,
  aggregation: Aggregation,
  field: MonitorField,
): number | undefined {
  if (aggregation === 'count') return field.kind === 'errors' ? stats.sum : stats.count;
  if (stats.count === 0) return undefined;
  switch (aggregation) {
    case 'sum':
      return stats.sum;
    case 'avg':
      return stats.sum / stats.count;
    case 'min':
      return stats.min ?? undefined;
    case 'max':
      return stats.max ?? undefined;
    default: {
      const quantile = sketchQuantile(stats.sketch, QUANTILES[aggregation] ?? 0.5);
      if (quantile === undefined) return undefined;
      // The sketch's representative value may lie a little outside the values seen.
      return Math.min(stats.max ?? quantile, Math.max(stats.min ?? quantile, quantile));
    }
  }
}
