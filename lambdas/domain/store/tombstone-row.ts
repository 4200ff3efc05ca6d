/** A deletion as its stored row (TOMBSTONE_COLUMNS; project_id is the partition, not a column). */
import type { WaggleTombstone } from '../events/event';
import type { RowValues, TOMBSTONE_COLUMNS } from './columns';

export type TombstoneRow = {
  [C in (typeof TOMBSTONE_COLUMNS)[number] as C['name']]: C['type'] extends 'string' ? string : number;
};

/** A deletion's stored row as values in TOMBSTONE_COLUMNS order. */
export function tombstoneRowValues(tombstone: WaggleTombstone): RowValues<typeof TOMBSTONE_COLUMNS> {
  return [tombstone.target, tombstone.id, tombstone.org_id, tombstone.workspace_id, tombstone.deleted_at];
}
