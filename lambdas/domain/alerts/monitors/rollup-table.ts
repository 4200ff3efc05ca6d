/**
 * The rollups table (rollup.ts's rows as Parquet; `minute_rollups` in Athena and DuckDB, since
 * session search names a CTE `rollups`), beside events and scores:
 *
 *   rollups/project_id=<p>/dt=<YYYY-MM-DD of the minute>/<batch id>.parquet
 *
 * The writer stores one file per partition of each batch's new events; a retried batch rewrites its
 * file under the same key, and a message the writer fails is rolled up by the batch that stores it
 * (write-batch.ts). Sketches and per-metric figures are JSON text (a few KB a row at most).
 */
import { type Column, OWNER_COLUMNS } from '../../store/columns';
import { hourPartitionOf } from '../../store/layout';
import type { ParquetRow } from '../../store/parquet-files';
import { type FieldStats, ROLLUP_FIELDS, type RollupField, type RollupRow } from './rollup';
import { readSketch } from './sketch';

export const ROLLUPS_PREFIX = 'rollups/';

const statsColumns = (field: RollupField) =>
  [
    { name: `${field}_count`, type: 'bigint', description: `Events with a ${field}` },
    { name: `${field}_sum`, type: 'double', description: `Sum of ${field}` },
    { name: `${field}_min`, type: 'double', description: `Least ${field}` },
    { name: `${field}_max`, type: 'double', description: `Greatest ${field}` },
    { name: `${field}_sketch`, type: 'string', description: `JSON quantile sketch of ${field} (sketch.ts)` },
  ] as const;

export const ROLLUP_COLUMNS = [
  { name: 'minute', type: 'bigint', description: "Epoch milliseconds: the minute of the events' start_time" },
  { name: 'event_type', type: 'string', description: 'session | model | tool | chain' },
  { name: 'event_name', type: 'string', description: 'Event name (NULL when none)' },
  { name: 'source', type: 'string', description: 'Source (NULL when none)' },
  { name: 'model', type: 'string', description: 'Model (NULL when none)' },
  { name: 'has_error', type: 'boolean', description: 'Whether these events have an error' },
  { name: 'event_count', type: 'bigint', description: 'Events' },
  { name: 'error_count', type: 'bigint', description: 'Events with an error' },
  ...statsColumns('duration'),
  ...statsColumns('cost'),
  ...statsColumns('tokens'),
  {
    name: 'metrics',
    type: 'string',
    description: 'JSON: metric name -> {count, sum, min, max, sketch} of its numeric values',
  },
  ...OWNER_COLUMNS,
] as const satisfies readonly Column[];

export function rollupPartitionPrefix(row: Pick<RollupRow, 'project_id' | 'minute'>): string {
  const { dt } = hourPartitionOf(row.project_id, row.minute);
  return `${ROLLUPS_PREFIX}project_id=${encodeURIComponent(row.project_id)}/dt=${dt}/`;
}

export function rollupParquetRow(row: RollupRow): ParquetRow {
  const out: ParquetRow = {
    minute: row.minute,
    event_type: row.event_type,
    event_name: row.event_name,
    source: row.source,
    model: row.model,
    has_error: row.has_error,
    event_count: row.count,
    error_count: row.errors,
    metrics: JSON.stringify(row.metrics),
    org_id: row.org_id,
    workspace_id: row.workspace_id,
  };
  for (const field of Object.keys(ROLLUP_FIELDS) as RollupField[]) {
    const stats = row[field];
    out[`${field}_count`] = stats.count;
    out[`${field}_sum`] = stats.sum;
    out[`${field}_min`] = stats.min;
    out[`${field}_max`] = stats.max;
    out[`${field}_sketch`] = JSON.stringify(stats.sketch);
  }
  return out;
}

function figure(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  return 0;
}

function optionalFigure(value: unknown): number | null {
  return value === null || value === undefined ? null : figure(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A row of the rollup statement back as a RollupRow (the columns it selected; the rest empty). */
export function rollupFromResult(result: Record<string, unknown>, projectId: string): RollupRow {
  const stats = (field: RollupField): FieldStats => ({
    count: figure(result[`${field}_count`]),
    sum: figure(result[`${field}_sum`]),
    min: optionalFigure(result[`${field}_min`]),
    max: optionalFigure(result[`${field}_max`]),
    sketch: readSketch(result[`${field}_sketch`]),
  });
  const metrics: Record<string, FieldStats> = {};
  if (typeof result.metrics === 'string' && result.metrics !== '') {
    const parsed = JSON.parse(result.metrics) as Record<string, Record<string, unknown>>;
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== 'object' || value === null) continue;
      Object.defineProperty(metrics, name, {
        enumerable: true,
        writable: true,
        value: {
          count: figure(value.count),
          sum: figure(value.sum),
          min: optionalFigure(value.min),
          max: optionalFigure(value.max),
          sketch: readSketch(JSON.stringify(value.sketch ?? null)),
        },
      });
    }
  }
  return {
    project_id: projectId,
    org_id: text(result.org_id) ?? '',
    workspace_id: text(result.workspace_id) ?? '',
    minute: figure(result.minute),
    event_type: text(result.event_type) ?? '',
    event_name: text(result.event_name),
    source: text(result.source),
    model: text(result.model),
    has_error: result.has_error === true,
    count: figure(result.event_count),
    errors: figure(result.error_count),
    duration: stats('duration'),
    cost: stats('cost'),
    tokens: stats('tokens'),
    metrics,
  };
}
