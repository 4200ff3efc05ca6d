/**
 * The id locator: where (which days) the rows of an event id or a session id lie. The events table
 * is partitioned by start time, and an id says nothing about time; without the locator, a lookup by
 * id makes Athena enumerate every projected day (partition-bounds.ts). With it, a lookup reads the
 * project's one locator partition first and then only the days it names.
 *
 *   locator/project_id=<p>/t<tier>-<name>.parquet   rows (kind, id, session_id, dt), sorted by id
 *
 * Each writer batch writes one tier-0 file per project *before* the batch's event files (a locator
 * row for a day without the event only costs a wasted read; an event without a locator row would be
 * invisible by id). Compaction merges a project's files tier by tier (locator-merge.ts), so a lookup
 * opens a bounded number of files; rows are sorted by id so that engines skip the row groups whose
 * min/max exclude the id. Rows only grow: a located day that no longer holds the id (compacted away,
 * deleted) is read and found empty, which is correct.
 */
import type { WaggleEvent } from '../events/event';
import type { Column } from './columns';
import { hourPartitionOf } from './layout';
import type { ParquetRow } from './parquet-files';

export const LOCATOR_PREFIX = 'locator/';

/** `event`: an event id's day (and its session); `session`: a day holding events of the session. */
export type LocatorKind = 'event' | 'session';

export const LOCATOR_COLUMNS = [
  {
    name: 'kind',
    type: 'string',
    description: "'event' (id is an event id) or 'session' (id is a session id)",
  },
  { name: 'id', type: 'string', description: 'Event id or session id; files are sorted by it' },
  {
    name: 'session_id',
    type: 'string',
    description: "The event's session (kind 'event'); NULL for kind 'session'",
  },
  { name: 'dt', type: 'string', description: 'UTC day (YYYY-MM-DD) of an events partition holding the id' },
] as const satisfies readonly Column[];

export interface LocatorRow {
  kind: LocatorKind;
  id: string;
  session_id: string | null;
  dt: string;
}

/** The locator rows of a set of events, one per (kind, id, day), sorted by id: what a file holds. */
export function locatorRows(
  events: Iterable<Pick<WaggleEvent, 'event_id' | 'session_id' | 'start_time'>>,
): LocatorRow[] {
  const rows = new Map<string, LocatorRow>();
  const add = (row: LocatorRow) => rows.set(rowKey(row), row);
  for (const event of events) {
    const dt = hourPartitionOf('', event.start_time).dt;
    add({ kind: 'event', id: event.event_id, session_id: event.session_id, dt });
    add({ kind: 'session', id: event.session_id, session_id: null, dt });
  }
  return sortLocatorRows([...rows.values()]);
}

/** Distinct rows, sorted by id (then kind, day): the order every locator file keeps. */
export function mergeLocatorRows(groups: Iterable<readonly LocatorRow[]>): LocatorRow[] {
  const rows = new Map<string, LocatorRow>();
  for (const group of groups) for (const row of group) rows.set(rowKey(row), row);
  return sortLocatorRows([...rows.values()]);
}

export function locatorPartition(encodedProjectId: string): string {
  return `${LOCATOR_PREFIX}project_id=${encodedProjectId}/`;
}

/** A file's key: its tier and a name unique to whoever writes it (a batch id, a merge). */
export function locatorFileKey(encodedProjectId: string, tier: number, name: string): string {
  return `${locatorPartition(encodedProjectId)}t${tier}-${name}.parquet`;
}

/** The tier of a locator file from its key; undefined for anything else. */
export function locatorTier(key: string): number | undefined {
  const match = /\/t(\d{1,2})-[^/]+\.parquet$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** Rows as the Parquet writer takes them. */
export function locatorParquetRows(rows: readonly LocatorRow[]): ParquetRow[] {
  return rows as unknown as ParquetRow[];
}

/** Rows read back from a locator file (anything else in it is ignored). */
export function toLocatorRows(rows: readonly ParquetRow[]): LocatorRow[] {
  return rows.flatMap((row) =>
    (row.kind === 'event' || row.kind === 'session') &&
    typeof row.id === 'string' &&
    typeof row.dt === 'string'
      ? [
          {
            kind: row.kind,
            id: row.id,
            session_id: typeof row.session_id === 'string' ? row.session_id : null,
            dt: row.dt,
          },
        ]
      : [],
  );
}

function rowKey(row: LocatorRow): string {
  return `${row.kind}\u0000${row.id}\u0000${row.dt}\u0000${row.session_id ?? ''}`;
}

function sortLocatorRows(rows: LocatorRow[]): LocatorRow[] {
  return rows.sort((a, b) => compare(a.id, b.id) || compare(a.kind, b.kind) || compare(a.dt, b.dt));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
