/**
 * Which events a tombstone hides: those of its event id (or session id) that started no later than
 * DELETION_REACH_MS after the deletion. Reads and compaction apply the same rule, so a read over
 * [from, to] needs only the tombstones written from `from - DELETION_REACH_MS` on, and its
 * tombstone scan is bounded like its event scan.
 *
 * Why two days: an event is readable only once its day is projected (projection-window.ts: up to
 * the end of tomorrow, UTC), that is when it starts less than 48 hours after now. So a deletion
 * issued while the event can be seen is at most 48 hours before its start and always hides it. The
 * same margin covers clients whose clocks run ahead (time-zone mistakes are at most 14 hours) and
 * events deleted while still on their way to the writer (they started before the DELETE was sent).
 * What it does not hide: events of a deleted session (or a reused id) that start more than two days
 * after the deletion: new activity, which shows.
 */
import { DAY_MS, PROJECTED_DAYS_AHEAD } from './projection-window';

export const DELETION_REACH_MS = (PROJECTED_DAYS_AHEAD + 1) * DAY_MS;

/** Whether a tombstone written at `deletedAt` hides an event version that started at `startTime`. */
export function tombstoneHides(startTime: number, deletedAt: number): boolean {
  return startTime <= deletedAt + DELETION_REACH_MS;
}
