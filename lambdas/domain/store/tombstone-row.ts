/** A deletion as its stored row (TOMBSTONE_COLUMNS; project_id is the partition, not a column). */
import type { WaggleTombstone } from '../events/event';
import type { TOMBSTONE_COLUMNS } from './columns';

export type TombstoneRow = {
  [C in (typeof TOMBSTONE_COLUMNS)[number] as C['name']]: C['type'] extends 'string' ? string : number;
};

export function tombstoneToRow(tombstone: WaggleTombstone): TombstoneRow {
  return {
    target: tombstone.target,
    id: tombstone.id,
    org_id: tombstone.org_id,
    workspace_id: tombstone.workspace_id,
    deleted_at: tombstone.deleted_at,
  };
}
