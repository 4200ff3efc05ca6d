/**
 * QueryEngine on Athena: StartQueryExecution with execution parameters in the workgroup's Glue
 * database (whose `events` and `tombstones` tables the SQL names), polling GetQueryExecution with
 * backoff until the query ends, then paging GetQueryResults into plain rows.
 */
import {
  type AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { QueryEngine, SqlParam } from '../../domain/query/engine';

export interface AthenaQueryEngineOptions {
  workGroup: string;
  database: string;
  /** First wait between status polls; doubles up to MAX_POLL_INTERVAL_MS. */
  pollIntervalMs?: number;
  /** The query is stopped and the call fails after this long. */
  timeoutMs?: number;
}

export class AthenaQueryError extends Error {
  override readonly name = 'AthenaQueryError';
}

const MAX_POLL_INTERVAL_MS = 2000;
const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'integer', 'int', 'bigint']);
const DECIMAL_TYPES = new Set(['double', 'float', 'real', 'decimal']);

export class AthenaQueryEngine implements QueryEngine {
  readonly dialect = 'athena';
  private readonly pollIntervalMs: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: AthenaClient,
    private readonly options: AthenaQueryEngineOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.timeoutMs = options.timeoutMs ?? 25_000;
  }

  async query(sql: string, params: readonly SqlParam[]): Promise<Record<string, unknown>[]> {
    const started = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Database: this.options.database },
        // Athena splices each parameter into the statement as literal text.
        ...(params.length > 0 ? { ExecutionParameters: params.map(sqlLiteral) } : {}),
      }),
    );
    const queryId = started.QueryExecutionId;
    if (!queryId) throw new AthenaQueryError('Athena did not return a query execution id');
    await this.waitForSuccess(queryId);
    return this.readResults(queryId);
  }

  private async waitForSuccess(queryId: string): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let interval = this.pollIntervalMs;
    for (;;) {
      const { QueryExecution } = await this.client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
      );
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') return;
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = QueryExecution?.Status?.StateChangeReason ?? 'no reason given';
        throw new AthenaQueryError(`Athena query ${queryId} ${state}: ${reason}`);
      }
      if (Date.now() + interval > deadline) {
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
        throw new AthenaQueryError(`Athena query ${queryId} timed out after ${this.timeoutMs} ms`);
      }
      await sleep(interval);
      interval = Math.min(interval * 2, MAX_POLL_INTERVAL_MS);
    }
  }

  private async readResults(queryId: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let nextToken: string | undefined;
    let columns: ColumnInfo[] | undefined;
    let firstPage = true;
    do {
      const page = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: queryId, NextToken: nextToken }),
      );
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      const pageRows = page.ResultSet?.Rows ?? [];
      // The first row of the first page repeats the column names.
      for (const row of firstPage ? pageRows.slice(1) : pageRows) rows.push(toRecord(row, columns));
      firstPage = false;
      nextToken = page.NextToken;
    } while (nextToken);
    return rows;
  }
}

/** A parameter as the SQL literal Athena splices in: quoted strings, plain numbers, true/false, NULL. */
export function sqlLiteral(value: SqlParam): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AthenaQueryError(`cannot send ${value} to Athena`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

function toRecord(row: Row, columns: readonly ColumnInfo[]): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  columns.forEach((column, index) => {
    record[column.Name ?? `_col${index}`] = fromText(row.Data?.[index]?.VarCharValue, column.Type);
  });
  return record;
}

/** Athena returns every value as text; the column metadata says what it was. */
function fromText(text: string | undefined, type: string | undefined): unknown {
  if (text === undefined) return null;
  const base = (type ?? 'varchar').toLowerCase().replace(/\(.*$/, '');
  if (INTEGER_TYPES.has(base)) {
    const number = Number(text);
    return Number.isSafeInteger(number) ? number : text;
  }
  if (DECIMAL_TYPES.has(base)) return Number(text);
  if (base === 'boolean') return text === 'true';
  return text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
