/**
 * Whole visible events (every column, newest version, tombstones applied) picked by a prefilter
 * that holds for every version of an event (see visibleEventsPrelude): by session, or by a list of
 * event ids. Reads by id are how wide rows are fetched once a narrow query has chosen them.
 */
import type { Tenant } from '../events/event';
import { runWithConcurrency } from '../run-with-concurrency';
import type { QueryEngine, StatementName } from './engine';
import { runStatement } from './run-statement';
import { join, param, type Sql, sql } from './sql';
import { rowToStoredEvent } from './stored-event';
import type { DateRange, ReadContext, StoredEvent } from './types';
import { dateRangePrefilter, visibleEventsPrelude } from './visible-events';

/** Ids per statement, to keep statements (and Athena's parameter list) small. */
const IDS_PER_STATEMENT = 500;
/** Statements in flight at once: a large page is a few rounds, well inside Athena's query quotas. */
const STATEMENTS_AT_ONCE = 4;

export async function visibleRows(
  engine: QueryEngine,
  name: StatementName,
  tenant: Tenant,
  prefilters: readonly Sql[],
  context: ReadContext = {},
): Promise<StoredEvent[]> {
  const statement = sql`${visibleEventsPrelude(tenant, prefilters)}
SELECT * FROM visible ORDER BY start_time, event_id`;
  const rows = await runStatement(engine, name, statement, context);
  return rows.map(rowToStoredEvent);
}

/**
 * The visible events with these ids (missing ids are left out), in no particular order. With
 * `startedWithin`, only events whose start_time is in the range are looked for, and only in its days.
 */
export async function visibleRowsByIds(
  engine: QueryEngine,
  tenant: Tenant,
  eventIds: readonly string[],
  startedWithin?: DateRange,
  context: ReadContext = {},
): Promise<StoredEvent[]> {
  const within: Sql[] = startedWithin === undefined ? [] : dateRangePrefilter(startedWithin);
  const unique = [...new Set(eventIds)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
    chunks.push(unique.slice(start, start + IDS_PER_STATEMENT));
  }
  const found: StoredEvent[] = [];
  await runWithConcurrency(chunks, STATEMENTS_AT_ONCE, async (ids) => {
    found.push(
      ...(await visibleRows(
        engine,
        'rows-by-ids',
        tenant,
        [sql`event_id IN (${join(ids.map(param), ', ')})`, ...within],
        context,
      )),
    );
  });
  return found;
}
