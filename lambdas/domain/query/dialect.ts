/**
 * The few places where DuckDB and Athena (Trino) SQL differ, behind one small object. Everything
 * else the query layer writes is plain SQL both engines accept (`?` parameters, window functions,
 * IS DISTINCT FROM, strpos, try_cast).
 *
 * JSON paths are written into the SQL as string literals, not parameters: a chart selects and
 * groups by them, and Athena takes `?` only in WHERE (athena-rules.ts). That is safe because a path
 * is built only from allow-listed segments (fields.ts: letters, digits, `_`, `-`), checked again here.
 */
import type { SqlDialect } from './engine';
import { PATH_SEGMENT } from './fields';
import { raw, type Sql, sql } from './sql';
import type { ChartBucket } from './types';

export interface Dialect {
  readonly name: SqlDialect;
  /** The scalar at a JSON path as text (NULL when missing or not a scalar). Path segments are pre-validated. */
  jsonText(column: Sql, path: readonly string[]): Sql;
  /** TRUE when the JSON path is present and not JSON null. */
  jsonPresent(column: Sql, path: readonly string[]): Sql;
  /** A number from any expression, NULL when it is not one. */
  toDouble(expression: Sql): Sql;
  /** Start of the UTC time bucket holding an epoch-ms expression, as epoch ms. */
  bucketStart(epochMs: Sql, bucket: ChartBucket): Sql;
  /** Continuous percentile (DuckDB exact, Athena approximate); fraction is the query layer's own constant. */
  percentile(expression: Sql, fraction: number): Sql;
  /** A JSON array text of the aggregated values. */
  jsonArrayAgg(expression: Sql): Sql;
}

export const DUCKDB_DIALECT: Dialect = {
  name: 'duckdb',
  // json_extract_string gives an object or array as its JSON text; Athena's json_extract_scalar
  // gives NULL, and so must this, or a filter would match locally what it cannot match on AWS.
  jsonText: (column, path) => {
    const at = pathLiteral(duckDbPath(path));
    return sql`CASE WHEN json_type(${column}, ${at}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${column}, ${at}) END`;
  },
  jsonPresent: (column, path) =>
    sql`coalesce(json_type(${column}, ${pathLiteral(duckDbPath(path))}), 'NULL') <> 'NULL'`,
  toDouble: (expression) => sql`try_cast(${expression} AS DOUBLE)`,
  bucketStart: (epochMs, bucket) =>
    sql`epoch_ms(date_trunc(${raw(`'${bucket}'`)}, make_timestamp(CAST(${epochMs} AS BIGINT) * 1000)))`,
  percentile: (expression, fraction) => sql`quantile_cont(${expression}, ${raw(fractionText(fraction))})`,
  jsonArrayAgg: (expression) => sql`to_json(array_agg(${expression}))`,
};

export const ATHENA_DIALECT: Dialect = {
  name: 'athena',
  jsonText: (column, path) => sql`json_extract_scalar(${column}, ${pathLiteral(trinoPath(path))})`,
  jsonPresent: (column, path) =>
    sql`coalesce(json_format(json_extract(${column}, ${pathLiteral(trinoPath(path))})), 'null') <> 'null'`,
  toDouble: (expression) => sql`try_cast(${expression} AS DOUBLE)`,
  bucketStart: (epochMs, bucket) =>
    sql`CAST(to_unixtime(date_trunc(${raw(`'${bucket}'`)}, from_unixtime(${epochMs} / 1000.0))) * 1000 AS BIGINT)`,
  percentile: (expression, fraction) => sql`approx_percentile(${expression}, ${raw(fractionText(fraction))})`,
  jsonArrayAgg: (expression) => sql`json_format(CAST(array_agg(${expression}) AS JSON))`,
};

export function dialectFor(name: SqlDialect): Dialect {
  return name === 'duckdb' ? DUCKDB_DIALECT : ATHENA_DIALECT;
}

/** DuckDB JSON path with quoted keys: `$."a"."b-c"`. */
function duckDbPath(path: readonly string[]): string {
  return `$${path.map((segment) => `."${checkedSegment(segment)}"`).join('')}`;
}

/** Trino JSON path in bracket notation: `$["a"]["b-c"]`. */
function trinoPath(path: readonly string[]): string {
  return `$${path.map((segment) => `["${checkedSegment(segment)}"]`).join('')}`;
}

/** resolveField has already refused any other segment; reaching here with one is a bug, not a 400. */
function checkedSegment(segment: string): string {
  if (!PATH_SEGMENT.test(segment))
    throw new Error(`JSON path segment outside the allow-list: ${JSON.stringify(segment)}`);
  return segment;
}

/** A path of checked segments holds no quote, so it is a literal as it stands. */
function pathLiteral(path: string): Sql {
  return raw(`'${path}'`);
}

function fractionText(fraction: number): string {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`percentile fraction out of range: ${fraction}`);
  return String(fraction);
}
