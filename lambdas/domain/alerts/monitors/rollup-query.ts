/**
 * The one rollup statement of a group of monitors that share a query (project, event type, filters,
 * field, window): the rollup rows of the window's minutes (and the previous window's, for drift),
 * narrowed by the filters, with only the columns the field needs. Bounded to the days those minutes
 * fall on (`dt >= ? AND dt <= ?`: partition projection prunes to them), so a monitor never reads
 * more than its window's partitions. Rows are merged in code (rollup.ts), the same code the
 * property tests hold to the raw events.
 */
import type { EventType } from '../../events/event';
import type { QueryEngine } from '../../query/engine';
import { runStatement } from '../../query/run-statement';
import { and, param, raw, type Sql, sql } from '../../query/sql';
import { hourPartitionOf } from '../../store/layout';
import type { RollupFilter } from './definition';
import { MINUTE_MS, type MonitorField, type RollupRow } from './rollup';
import { rollupFromResult } from './rollup-table';

export interface RollupQuery {
  project_id: string;
  event_type: EventType;
  filters: readonly RollupFilter[];
  field: MonitorField;
  /** Whether a percentile needs the sketches (the largest column; left out otherwise). */
  withSketch: boolean;
  /** Epoch ms: the first and last minute read (inclusive, minute starts). */
  fromMinute: number;
  toMinute: number;
}

function filterSql(filter: RollupFilter): Sql {
  if (filter.field === 'error')
    return raw(filter.operator === 'exists' ? 'has_error = TRUE' : 'has_error = FALSE');
  // Allow-listed column names only (definition.ts narrows fields to these three).
  const column = raw(filter.field);
  return filter.operator === 'is'
    ? sql`${column} = ${param(filter.value)}`
    : sql`(${column} IS NULL OR ${column} <> ${param(filter.value)})`;
}

function columnsFor(field: MonitorField, withSketch: boolean): string {
  const base = 'minute, event_type, event_name, source, model, has_error, event_count, error_count';
  const parts = withSketch ? ['count', 'sum', 'min', 'max', 'sketch'] : ['count', 'sum', 'min', 'max'];
  if (field.kind === 'field') return `${base}, ${parts.map((part) => `${field.field}_${part}`).join(', ')}`;
  if (field.kind === 'metric') return `${base}, metrics`;
  return base;
}

export function rollupStatement(query: RollupQuery): Sql {
  const from = hourPartitionOf(query.project_id, query.fromMinute).dt;
  const to = hourPartitionOf(query.project_id, query.toMinute).dt;
  const conditions: Sql[] = [
    sql`project_id = ${param(query.project_id)}`,
    sql`dt >= ${param(from)}`,
    sql`dt <= ${param(to)}`,
    sql`minute >= ${param(query.fromMinute)}`,
    sql`minute <= ${param(query.toMinute)}`,
    sql`event_type = ${param(query.event_type)}`,
    ...query.filters.map(filterSql),
  ];
  return sql`SELECT ${raw(columnsFor(query.field, query.withSketch))}
FROM minute_rollups
WHERE ${and(conditions)}`;
}

/**
 * Reads a group's rollup rows through the query engine (Athena, or DuckDB locally), each parsed only
 * as the evaluator merges it: parsed, a row with its sketch takes several times its text.
 */
export function engineRollupReader(engine: QueryEngine, deadline?: () => number) {
  return async (query: RollupQuery): Promise<Iterable<RollupRow>> => {
    const rows = await runStatement(
      engine,
      'monitor-rollups',
      rollupStatement(query),
      deadline ? { deadline: deadline() } : {},
    );
    return (function* parse() {
      for (const row of rows) yield rollupFromResult(row, query.project_id);
    })();
  };
}

/** Whether a rollup row passes the filters (what the statement's WHERE does, for in-memory readers). */
export function rowMatches(row: RollupRow, query: Omit<RollupQuery, 'field'>): boolean {
  if (row.project_id !== query.project_id || row.event_type !== query.event_type) return false;
  if (row.minute < query.fromMinute || row.minute > query.toMinute) return false;
  return query.filters.every((filter) => {
    if (filter.field === 'error') return row.has_error === (filter.operator === 'exists');
    const value = row[filter.field];
    return filter.operator === 'is' ? value === filter.value : value !== filter.value;
  });
}

/** The minutes a window covers at `now`: the current (partial) minute and the W − 1 before it. */
export function windowRange(now: number, minutes: number, periodsBack = 0): { from: number; to: number } {
  const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const to = current - periodsBack * minutes * MINUTE_MS;
  return { from: to - (minutes - 1) * MINUTE_MS, to };
}
