/**
 * Deletions are records on the events queue, like every other write: the writer stores the
 * tombstone and from then on every read hides the event (or the whole session) and compaction drops
 * it. Queuing rather than deleting in place keeps one writer per store and makes a DELETE cheap,
 * idempotent, and effective even for events still on their way through the queue.
 */
import type { Principal } from '../auth/principal';
import type { EventRecord, WaggleTombstone } from '../events/event';
import { requireIdValue } from '../honeyhive/fields';
import { tenantOf } from './project-scope';

export function tombstoneRecord(
  principal: Principal,
  target: WaggleTombstone['target'],
  id: string,
  deletedAt: number,
): EventRecord {
  return { kind: 'tombstone', tombstone: { ...tenantOf(principal), target, id, deleted_at: deletedAt } };
}

/** A path id (event or session): non-empty and at most the ingest side's id length. */
export function parsePathId(value: string | undefined, name: string): string {
  return requireIdValue(value ?? '', name);
}
