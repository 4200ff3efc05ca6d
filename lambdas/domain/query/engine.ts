/**
 * The query engine port: Athena in AWS, DuckDB locally, over the same Parquet files. SQL is built by
 * the query layer from an allow-list; user values only ever travel as parameters.
 */
export type SqlParam = string | number | boolean | null;

export type SqlDialect = 'duckdb' | 'athena';

/**
 * Every statement the query layer runs, by name: query plans list them, the Athena rules' known
 * exceptions name them, and a recording engine answers each with rows of the right shape.
 */
export const STATEMENT_NAMES = [
  'export-page',
  'export-count',
  'chart',
  'rows-by-session',
  'rows-by-ids',
  'locate',
  'session-days',
  'session-search',
  'session-search-count',
  'event-schema',
  'score-history',
  'run-events',
  'run-verdicts',
  'monitor-rollups',
] as const;
export type StatementName = (typeof STATEMENT_NAMES)[number];

export interface QueryOptions {
  readonly statement: StatementName;
  /**
   * Epoch ms by which the statement must have finished (the request's deadline). Past it the
   * engine stops the statement and throws DeadlineExceededError; absent, the engine's own default.
   */
  readonly deadline?: number;
}

export interface QueryEngine {
  readonly dialect: SqlDialect;
  /**
   * Runs one statement with positional `?` parameters and returns every row as a plain object
   * (column name -> value; integers as number when safe, else string; NULL as null).
   */
  query(sql: string, params: readonly SqlParam[], options?: QueryOptions): Promise<Record<string, unknown>[]>;
}
