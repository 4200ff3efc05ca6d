/**
 * The days the Glue tables project (lib/data-plane/event-tables.ts): `projection.dt.range` is
 * `<dataStartDate>,NOW+1DAYS`. Athena enumerates only those days, so an event is readable on Athena
 * only while its day is at most one day after today (UTC). The query layer holds DuckDB to the same
 * horizon, so both engines show the same events.
 */
import { clampEpochMs, hourPartitionOf } from './layout';

export const DAY_MS = 86_400_000;

/** Days past today (UTC) the tables project: a little past NOW, for clocks that run ahead. */
export const PROJECTED_DAYS_AHEAD = 1;

/**
 * The first projected day when a deployment names no `dataStartDate`: the writer's earliest
 * partition (clampEpochMs stores older times there), so every stored row is inside the projection.
 */
export const DEFAULT_DATA_START_DATE = '2000-01-01';

/** `projection.dt.range` of the events and tombstones tables (Athena's relative-date syntax). */
export function projectedDayRange(dataStartDate: string): string {
  return `${dataStartDate},NOW+${PROJECTED_DAYS_AHEAD}DAYS`;
}

/** The last instant (epoch ms) a read can see at `now`: the end of the last projected day. */
export function readHorizon(now: number): number {
  return (Math.floor(now / DAY_MS) + PROJECTED_DAYS_AHEAD + 1) * DAY_MS - 1;
}

/** The UTC day (YYYY-MM-DD) of the partition a time is stored in (clamped as the writer clamps it). */
export function partitionDay(epochMs: number): string {
  return hourPartitionOf('', clampEpochMs(epochMs)).dt;
}
