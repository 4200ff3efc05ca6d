/** Converts between a deletion and its stored row (TOMBSTONE_COLUMNS; project_id is the partition). */
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

export function rowToTombstone(row: TombstoneRow & { project_id: string }): WaggleTombstone {
  if (row.target !== 'event' && row.target !== 'session') {
    throw new Error(`Stored tombstone has an unknown target ${JSON.stringify(row.target)}`);
  }
  return {
    target: row.target,
    id: row.id,
    org_id: row.org_id,
    workspace_id: row.workspace_id,
    project_id: row.project_id,
    deleted_at: row.deleted_at,
  };
}
