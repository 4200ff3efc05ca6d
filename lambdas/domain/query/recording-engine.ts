/**
 * A QueryEngine that runs nothing: it records each statement it is given and answers with rows of
 * the right shape, so that a read runs through its whole path without a database. Query plans
 * (`npm run query:plan`) and the Athena contract tests use it to see every statement a read sends.
 *
 * The answers take every read down its longest path: an export page of two events (one whose
 * session event the page saw, one whose it did not), a chart with no points, no session found by
 * session id (so `GET /v1/events/{id}` goes on to look the id up as an event), and one event by id.
 */
import type { QueryEngine, QueryOptions, SqlDialect, SqlParam, StatementName } from './engine';
import { EVENT_FIELD_NAMES } from './fields';

export interface RecordedStatement {
  statement: StatementName | 'unnamed';
  sql: string;
  params: SqlParam[];
  deadline?: number;
}

export interface RecordingEngine extends QueryEngine {
  readonly statements: RecordedStatement[];
}

export function createRecordingEngine(
  dialect: SqlDialect = 'athena',
  now: number = Date.now(),
): RecordingEngine {
  const statements: RecordedStatement[] = [];
  return {
    dialect,
    statements,
    async query(sql: string, params: readonly SqlParam[], options?: QueryOptions) {
      statements.push({
        statement: options?.statement ?? 'unnamed',
        sql,
        params: [...params],
        ...(options?.deadline === undefined ? {} : { deadline: options.deadline }),
      });
      return plausibleRows(options?.statement, now);
    },
  };
}

function plausibleRows(statement: StatementName | undefined, now: number): Record<string, unknown>[] {
  switch (statement) {
    case 'export-page':
      return [
        {
          event_id: 'e-1',
          session_id: 's-1',
          start_time: now,
          session_start_time: now,
          linked_children: '[]',
        },
        {
          event_id: 'e-2',
          session_id: 's-2',
          start_time: now,
          session_start_time: null,
          linked_children: '[]',
        },
      ];
    case 'export-count':
      return [{ total: 2 }];
    case 'rows-by-id':
    case 'rows-by-ids':
      return [eventRow('e-1', 's-1', now)];
    default:
      return [];
  }
}

function eventRow(eventId: string, sessionId: string, now: number): Record<string, unknown> {
  const row: Record<string, unknown> = Object.fromEntries(EVENT_FIELD_NAMES.map((name) => [name, null]));
  return {
    ...row,
    event_id: eventId,
    session_id: sessionId,
    version: 1,
    event_type: 'model',
    event_name: 'chat',
    source: 'plan',
    start_time: now,
    end_time: now,
    duration: 0,
    ingested_at: now,
    deleted: false,
  };
}
