/**
 * The query engine port: Athena in AWS, DuckDB locally, over the same Parquet files. SQL is built by
 * the query layer from an allow-list; user values only ever travel as parameters.
 */
export type SqlParam = string | number | boolean | null;

export type SqlDialect = 'duckdb' | 'athena';

export interface QueryEngine {
  readonly dialect: SqlDialect;
  /**
   * Runs one statement with positional `?` parameters and returns every row as a plain object
   * (column name -> value; integers as number when safe, else string; NULL as null).
   */
  query(sql: string, params: readonly SqlParam[]): Promise<Record<string, unknown>[]>;
}
