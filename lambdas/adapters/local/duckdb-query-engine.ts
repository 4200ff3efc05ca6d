/**
 * QueryEngine on DuckDB over the local event store folder: the same Parquet files and SQL as Athena.
 * `events`, `tombstones`, `locator`, `event_schemas` and `scores` are views over read_parquet of the store's Hive partitions; until the
 * writer has produced a first file they are empty relations with the right columns, so reads of a
 * fresh store return nothing instead of failing.
 *
 * Every statement is first held to Athena's rules (domain/query/athena-rules.ts), so a statement
 * Athena would refuse fails here too, as an AthenaRuleError (a bug in the query layer: a 500). A
 * statement still running at the read's deadline is interrupted (DeadlineExceededError).
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ROLLUP_COLUMNS, ROLLUPS_PREFIX } from '../../domain/alerts/monitors/rollup-table';
import { assertAthenaRules } from '../../domain/query/athena-rules';
import { DeadlineExceededError, remainingMs } from '../../domain/query/deadline';
import type { QueryEngine, QueryOptions, SqlParam } from '../../domain/query/engine';
import { type Column, EVENT_COLUMNS, PARTITION_COLUMNS, TOMBSTONE_COLUMNS } from '../../domain/store/columns';
import { EVENT_SCHEMA_COLUMNS, EVENT_SCHEMAS_PREFIX } from '../../domain/store/event-schema';
import { EVENTS_PREFIX, TOMBSTONES_PREFIX } from '../../domain/store/layout';
import { LOCATOR_COLUMNS, LOCATOR_PREFIX } from '../../domain/store/locator';
import { SCORE_COLUMNS, SCORES_PREFIX } from '../../domain/store/scores';

export interface DuckDbQueryEngineOptions {
  /** The local event store's root folder (the FileObjectStore root). */
  storeRoot: string;
}

export interface DuckDbQueryEngine extends QueryEngine {
  close(): void;
}

interface TableSource {
  name: 'events' | 'tombstones' | 'locator' | 'event_schemas' | 'scores' | 'minute_rollups';
  folder: string;
  columns: readonly Column[];
  /** Hive partition columns of its paths. */
  partitions: readonly Column[];
}

const PROJECT_PARTITION = PARTITION_COLUMNS.filter((column) => column.name === 'project_id');
const DAY_PARTITION = PARTITION_COLUMNS.filter((column) => column.name !== 'hour');

const DUCKDB_TYPES: Record<Column['type'], string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};

export async function createDuckDbQueryEngine(options: DuckDbQueryEngineOptions): Promise<DuckDbQueryEngine> {
  const root = resolve(options.storeRoot);
  const instance = await DuckDBInstance.create(':memory:');
  const setup = await instance.connect();
  // Footers of files already read are reused across queries (keyed by file and modification time).
  await setup.run('SET parquet_metadata_cache = true');
  const tables: TableSource[] = [
    {
      name: 'events',
      folder: join(root, EVENTS_PREFIX),
      columns: EVENT_COLUMNS,
      partitions: PARTITION_COLUMNS,
    },
    {
      name: 'tombstones',
      folder: join(root, TOMBSTONES_PREFIX),
      columns: TOMBSTONE_COLUMNS,
      partitions: PARTITION_COLUMNS,
    },
    {
      name: 'locator',
      folder: join(root, LOCATOR_PREFIX),
      columns: LOCATOR_COLUMNS,
      partitions: PROJECT_PARTITION,
    },
    {
      name: 'event_schemas',
      folder: join(root, EVENT_SCHEMAS_PREFIX),
      columns: EVENT_SCHEMA_COLUMNS,
      partitions: PROJECT_PARTITION,
    },
    {
      name: 'scores',
      folder: join(root, SCORES_PREFIX),
      columns: SCORE_COLUMNS,
      partitions: DAY_PARTITION,
    },
    {
      name: 'minute_rollups',
      folder: join(root, ROLLUPS_PREFIX),
      columns: ROLLUP_COLUMNS,
      partitions: DAY_PARTITION,
    },
  ];
  const backedByFiles = new Set<string>();

  // A view switches from the empty relation to the files once the first file exists; files never
  // all disappear again (compaction writes the new file before deleting the old ones).
  const refreshViews = async () => {
    for (const table of tables) {
      if (backedByFiles.has(table.name)) continue;
      const hasFiles = await containsParquet(table.folder);
      await setup.run(hasFiles ? parquetView(table) : emptyView(table));
      if (hasFiles) backedByFiles.add(table.name);
    }
  };
  await refreshViews();

  return {
    dialect: 'duckdb',
    async query(sql: string, params: readonly SqlParam[], options?: QueryOptions) {
      assertAthenaRules(sql, params, options?.statement);
      if (backedByFiles.size < tables.length) await refreshViews();
      const connection = await instance.connect();
      let interrupted = false;
      const timer =
        options?.deadline === undefined
          ? undefined
          : setTimeout(() => {
              interrupted = true;
              connection.interrupt();
            }, remainingMs(options.deadline));
      try {
        const reader = await connection.runAndReadAll(sql, [...params]);
        return reader.getRowObjects().map(toPlainRow);
      } catch (error) {
        if (interrupted)
          throw new DeadlineExceededError(
            `${options?.statement ?? 'statement'} was interrupted at the read's deadline`,
          );
        throw error;
      } finally {
        clearTimeout(timer);
        connection.closeSync();
      }
    },
    close() {
      setup.closeSync();
      instance.closeSync();
    },
  };
}

function parquetView(table: TableSource): string {
  const glob = sqlString(`${table.folder}**/*.parquet`);
  const partitionTypes = table.partitions.map((column) => `'${column.name}': VARCHAR`).join(', ');
  return `CREATE OR REPLACE VIEW ${table.name} AS SELECT * FROM read_parquet(${glob}, hive_partitioning = true, union_by_name = true, hive_types = {${partitionTypes}})`;
}

function emptyView(table: TableSource): string {
  const columns = [...table.columns, ...table.partitions]
    .map((column) => `CAST(NULL AS ${DUCKDB_TYPES[column.type]}) AS ${column.name}`)
    .join(', ');
  return `CREATE OR REPLACE VIEW ${table.name} AS SELECT ${columns} WHERE false`;
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

async function containsParquet(folder: string): Promise<boolean> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith('.parquet')) return true;
    if (entry.isDirectory() && (await containsParquet(join(folder, entry.name)))) return true;
  }
  return false;
}

function toPlainRow(row: Record<string, unknown>): Record<string, unknown> {
  const plain: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) plain[key] = toPlainValue(value);
  return plain;
}

/** Integers as numbers when safe (else text), NULL as null, anything exotic as its text. */
function toPlainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return String(value);
  return value;
}
