/**
 * The window a read covers when the client gives no dateRange: the last DEFAULT_READ_WINDOW_DAYS
 * days up to the read horizon (the end of tomorrow, UTC, as far as Athena's projection reaches).
 * Without it such a read would make Athena enumerate every projected hour partition of both tables
 * (about 236,000 each since 2000), which takes minutes, costs dollars and never fits API Gateway's
 * 29 s. HoneyHive's own UI reads recent windows too; a client that wants older events names a range.
 */
import { ValidationError } from '../errors';
import { DAY_MS, readHorizon } from '../store/projection-window';
import type { DateRange } from './types';

/** When a read runs, and the window it defaults to (set per deployment). */
export interface ReadTime {
  now: number;
  /** Days of the window a read without a dateRange covers; DEFAULT_READ_WINDOW_DAYS if absent. */
  defaultWindowDays?: number;
}

/** 30 days: a month of recent activity, 1,488 hour partitions at most, within the 27 s read budget. */
export const DEFAULT_READ_WINDOW_DAYS = 30;
/** A deployment may choose 1 to 366 days (a year of hours is still under 9,000 partitions). */
export const MAX_READ_WINDOW_DAYS = 366;

export function defaultReadWindow(now: number, days: number = DEFAULT_READ_WINDOW_DAYS): DateRange {
  return { from: now - days * DAY_MS, to: readHorizon(now) };
}

/** The client's range, checked, or the default window. */
export function readWindow(range: DateRange | undefined, time: ReadTime): DateRange {
  if (range === undefined) return defaultReadWindow(time.now, time.defaultWindowDays);
  if (!Number.isFinite(range.from) || !Number.isFinite(range.to) || range.from > range.to)
    throw new ValidationError('dateRange must have $gte <= $lte');
  return range;
}

export function checkReadWindowDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_READ_WINDOW_DAYS)
    throw new Error(`the default read window must be 1 to ${MAX_READ_WINDOW_DAYS} days, got ${days}`);
  return days;
}
