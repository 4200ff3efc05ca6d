/**
 * QueryEngine on Athena: StartQueryExecution with execution parameters in the workgroup's Glue
 * database (whose `events` and `tombstones` tables the SQL names), polling GetQueryExecution with
 * backoff until the query ends, then paging GetQueryResults into plain rows. Statements are checked
 * against Athena's rules (domain/query/athena-rules.ts) before they are sent, and run within the
 * read's deadline when it has one.
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
import { assertAthenaRules, athenaLiteral } from '../../domain/query/athena-rules';
import { DeadlineExceededError } from '../../domain/query/deadline';
import type { QueryEngine, QueryOptions, SqlParam } from '../../domain/query/engine';

interface AthenaQueryEngineOptions {
  workGroup: string;
  database: string;
  /** First wait between status polls; doubles up to MAX_POLL_INTERVAL_MS. */
  pollIntervalMs?: number;
  /** Without a deadline from the read, the query is stopped and the call fails after this long. */
  timeoutMs?: number;
}

class AthenaQueryError extends Error {
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

  async query(
    sql: string,
    params: readonly SqlParam[],
    options?: QueryOptions,
  ): Promise<Record<string, unknown>[]> {
    assertAthenaRules(sql, params, options?.statement);
    const deadline = options?.deadline ?? Date.now() + this.timeoutMs;
    const started = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: this.options.workGroup,
        QueryExecutionContext: { Database: this.options.database },
        // Athena splices each parameter into the statement as literal text.
        ...(params.length > 0 ? { ExecutionParameters: params.map(athenaLiteral) } : {}),
      }),
    );
    const queryId = started.QueryExecutionId;
    if (!queryId) throw new AthenaQueryError('Athena did not return a query execution id');
    await this.waitForSuccess(queryId, deadline, options?.deadline !== undefined);
    return this.readResults(queryId);
  }

  private async waitForSuccess(queryId: string, deadline: number, readDeadline: boolean): Promise<void> {
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
      const left = deadline - Date.now();
      if (left <= 0) {
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
        if (readDeadline)
          throw new DeadlineExceededError(`Athena query ${queryId} was stopped at the read's deadline`);
        throw new AthenaQueryError(`Athena query ${queryId} timed out after ${this.timeoutMs} ms`);
      }
      // The last wait ends at the deadline, not a poll interval past it.
      await sleep(Math.min(interval, left));
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

/** A parameter as the SQL literal Athena splices in (the rules module owns the rendering). */
export const sqlLiteral = athenaLiteral;

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
