/**
 * A QueryEngine that runs nothing: it records each statement it is given and answers with rows of
 * the right shape, so that a read runs through its whole path without a database. Query plans
 * (`npm run query:plan`) and the Athena contract tests use it to see every statement a read sends.
 *
 * The answers take every read down its longest path: an export page of two events (one whose
 * session event the page saw, one whose it did not), a chart with no points, every id the locator
 * is asked for located today (so each lookup goes on to read its rows), session events located
 * today and yesterday, and one event by id.
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
      return plausibleRows(options?.statement, now, params);
    },
  };
}

function plausibleRows(
  statement: StatementName | undefined,
  now: number,
  params: readonly SqlParam[],
): Record<string, unknown>[] {
  const today = new Date(now).toISOString().slice(0, 10);
  switch (statement) {
    case 'locate':
      // Every string asked about (the project id too, harmlessly) as an event and a session of today.
      return params.flatMap((value) =>
        typeof value === 'string'
          ? [
              { kind: 'event', id: value, session_id: value, dt: today },
              { kind: 'session', id: value, session_id: null, dt: today },
            ]
          : [],
      );
    case 'session-days':
      return [{ dt: new Date(now - 86_400_000).toISOString().slice(0, 10) }, { dt: today }];
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
    case 'session-search':
      return [
        {
          session_id: 's-1',
          event_name: 'session',
          source: 'plan',
          user_properties: '{}',
          metadata: '{}',
          start_time: now,
          end_time: now,
          duration: 0,
          num_events: 1,
          cost: 0,
          total_tokens: 0,
          errors: 0,
        },
      ];
    case 'session-search-count':
      return [{ total: 1 }];
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
