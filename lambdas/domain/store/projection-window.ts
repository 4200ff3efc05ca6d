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

/**
 * What is wrong with a deployment's `dataStartDate`, if anything: it must be a real calendar day
 * (YYYY-MM-DD), no earlier than the writer's earliest partition, and not after today (a start in
 * the future would hide every event until then).
 */
export function dataStartDateProblem(day: string, now: number): string | undefined {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== day)
    return `must be a date YYYY-MM-DD, got "${day}"`;
  if (day < DEFAULT_DATA_START_DATE) return `must be ${DEFAULT_DATA_START_DATE} or later, got "${day}"`;
  if (parsed > now) return `must not be in the future, got "${day}"`;
  return undefined;
}

/** The last instant (epoch ms) a read can see at `now`: the end of the last projected day. */
export function readHorizon(now: number): number {
  return (Math.floor(now / DAY_MS) + PROJECTED_DAYS_AHEAD + 1) * DAY_MS - 1;
}

/** The UTC day (YYYY-MM-DD) of the partition a time is stored in (clamped as the writer clamps it). */
export function partitionDay(epochMs: number): string {
  return hourPartitionOf('', clampEpochMs(epochMs)).dt;
}
