/**
 * Whole visible events (every column, newest version, tombstones applied) picked by a scan whose
 * conditions hold for every version of an event (see EventScan): by session, or by a list of
 * event ids. Reads by id are how wide rows are fetched once a narrow query has chosen them.
 */
import type { Tenant } from '../events/event';
import { runWithConcurrency } from '../run-with-concurrency';
import type { QueryEngine, StatementName } from './engine';
import { runStatement } from './run-statement';
import { join, param, type Sql, sql } from './sql';
import { rowToStoredEvent } from './stored-event';
import type { DateRange, ReadContext, StoredEvent } from './types';
import { type EventScan, scanAnywhere, scanRange, visibleEventsPrelude } from './visible-events';

/** Ids per statement, to keep statements (and Athena's parameter list) small. */
const IDS_PER_STATEMENT = 500;
/** Statements in flight at once: a large page is a few rounds, well inside Athena's query quotas. */
const STATEMENTS_AT_ONCE = 4;

export async function visibleRows(
  engine: QueryEngine,
  name: StatementName,
  tenant: Tenant,
  scan: EventScan,
  context: ReadContext = {},
): Promise<StoredEvent[]> {
  const statement = sql`${visibleEventsPrelude(tenant, scan)}
SELECT * FROM visible ORDER BY start_time, event_id`;
  const rows = await runStatement(engine, name, statement, context);
  return rows.map(rowToStoredEvent);
}

/**
 * The visible events with these ids (missing ids are left out), in no particular order. With
 * `startedWithin.range`, only events whose start_time is in the range are looked for, only in its
 * days, against only the tombstones that can hide them; without, everywhere (an id lookup,
 * unbounded until an id locator exists), up to the read horizon of `startedWithin.now` if given.
 */
export async function visibleRowsByIds(
  engine: QueryEngine,
  tenant: Tenant,
  eventIds: readonly string[],
  startedWithin?: { range?: DateRange; now: number },
  context: ReadContext = {},
): Promise<StoredEvent[]> {
  const scanIds = (ids: Sql): EventScan => {
    if (startedWithin?.range === undefined) return scanAnywhere([ids], startedWithin?.now);
    const within = scanRange(startedWithin.range, startedWithin.now);
    return { events: [ids, ...within.events], tombstones: within.tombstones };
  };
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
        scanIds(sql`event_id IN (${join(ids.map(param), ', ')})`),
        context,
      )),
    );
  });
  return found;
}
