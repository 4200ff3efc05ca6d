/**
 * Whole visible events (every column, newest version, tombstones applied) picked by a scan whose
 * conditions hold for every version of an event (see EventScan): by session, or by a list of
 * event ids. Reads by id are how wide rows are fetched once a narrow query has chosen them.
 */
import type { Tenant } from '../events/event';
import { runWithConcurrency } from '../run-with-concurrency';
import type { QueryEngine, StatementName } from './engine';
import { locate } from './locate';
import { runStatement } from './run-statement';
import { join, param, sql } from './sql';
import { rowToStoredEvent } from './stored-event';
import type { DateRange, ReadContext, StoredEvent } from './types';
import { type EventScan, scanLocated, scanRange, visibleEventsPrelude } from './visible-events';

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

/** Where to look for events by id: within a range's days, or wherever the id locator says. */
export interface IdLookup {
  /** Only events that started in the range, read from its days (no locator needed). */
  range?: DateRange;
  /** The read's clock: the read horizon and the tombstones' upper bound. */
  now: number;
  /** Whether events past the read horizon are left out (reads); the writer's lookups pass false. */
  horizon?: boolean;
}

/**
 * The visible events with these ids (missing ids are left out), in no particular order. With
 * `lookup.range`, only events whose start_time is in the range are looked for, only in its days,
 * against only the tombstones that can hide them; without, in the days the id locator names
 * (locate.ts), and ids it does not know are not read at all.
 */
export async function visibleRowsByIds(
  engine: QueryEngine,
  tenant: Tenant,
  eventIds: readonly string[],
  lookup: IdLookup,
  context: ReadContext = {},
): Promise<StoredEvent[]> {
  const unique = [...new Set(eventIds)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += IDS_PER_STATEMENT) {
    chunks.push(unique.slice(start, start + IDS_PER_STATEMENT));
  }
  const found: StoredEvent[] = [];
  await runWithConcurrency(chunks, STATEMENTS_AT_ONCE, async (chunk) => {
    const ids = sql`event_id IN (${join(chunk.map(param), ', ')})`;
    let scan: EventScan;
    if (lookup.range !== undefined) {
      const within = scanRange(lookup.range, lookup.now);
      scan = { events: [ids, ...within.events], tombstones: within.tombstones };
    } else {
      const located = await locate(engine, tenant, { events: chunk }, context);
      const days = located.daysOfEvents(chunk);
      if (days.length === 0) return;
      scan = scanLocated([ids], days, lookup.now, lookup.horizon ?? true);
    }
    found.push(...(await visibleRows(engine, 'rows-by-ids', tenant, scan, context)));
  });
  return found;
}
