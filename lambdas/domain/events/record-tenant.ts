import type { EventRecord, Tenant } from './event';

/** The tenant a queue record belongs to, whatever its kind. */
export function recordTenant(record: EventRecord): Tenant {
  if (record.kind === 'event') return record.event;
  if (record.kind === 'update') return record.update;
  if (record.kind === 'score') return record.score;
  return record.tombstone;
}
