/**
 * What changed since compaction last ran, so that a run reads what changed instead of listing the
 * whole store. The writer leaves one change marker per batch, `compaction/changed/<batchId>.json`:
 * the events partitions it wrote files into and the deletions it stored. Compaction reads the
 * markers, compacts what they name, and deletes a marker once everything in it is done.
 *
 * The marker is written after the batch's files and before the batch is acknowledged: a crash in
 * between leaves files without a marker, but the batch is then delivered again and its retry writes
 * the files and the marker again.
 */
import type { WaggleTombstone } from '../events/event';
import type { ObjectStore } from '../ports';
import { EVENTS_PREFIX } from './layout';

export const COMPACTION_PREFIX = 'compaction/';
export const CHANGE_MARKERS_PREFIX = `${COMPACTION_PREFIX}changed/`;

/** A stored deletion, as compaction needs it to find and rewrite the hours that hold its target. */
export interface MarkedDeletion {
  /** The project id as it appears in keys (URI-encoded). */
  project: string;
  target: WaggleTombstone['target'];
  id: string;
  deletedAt: number;
}

export interface ChangeMarker {
  v: 1;
  /** Events hour partitions (`events/project_id=.../dt=.../hour=.../`) that got new files. */
  partitions: string[];
  deletions: MarkedDeletion[];
}

export function changeMarkerKey(batchId: string): string {
  return `${CHANGE_MARKERS_PREFIX}${batchId}.json`;
}

export function parseChangeMarker(bytes: Uint8Array): ChangeMarker {
  const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<ChangeMarker>;
  if (value.v !== 1 || !Array.isArray(value.partitions) || !Array.isArray(value.deletions)) {
    throw new Error('not a compaction change marker (v 1 with partitions and deletions)');
  }
  return value as ChangeMarker;
}

/**
 * Tracks what one writer batch stores: wrap the batch's object store with `store`, tell it the
 * deletions whose files were stored, and `record` the marker at the end.
 */
export class BatchChanges {
  private readonly partitions = new Set<string>();
  private readonly deletions: MarkedDeletion[] = [];
  readonly store: ObjectStore;

  constructor(inner: ObjectStore) {
    this.store = {
      put: async (key, body, options) => {
        await inner.put(key, body, options);
        if (key.startsWith(EVENTS_PREFIX) && key.endsWith('.parquet')) {
          this.partitions.add(key.slice(0, key.lastIndexOf('/') + 1));
        }
      },
      get: (key) => inner.get(key),
      list: (prefix) => inner.list(prefix),
    };
  }

  deleted(tombstones: readonly WaggleTombstone[]): void {
    for (const tombstone of tombstones) {
      this.deletions.push({
        project: encodeURIComponent(tombstone.project_id),
        target: tombstone.target,
        id: tombstone.id,
        deletedAt: tombstone.deleted_at,
      });
    }
  }

  /** Writes the batch's marker, if it changed anything compaction cares about. */
  async record(store: ObjectStore, batchId: string): Promise<void> {
    if (this.partitions.size === 0 && this.deletions.length === 0) return;
    const marker: ChangeMarker = { v: 1, partitions: [...this.partitions].sort(), deletions: this.deletions };
    await store.put(changeMarkerKey(batchId), Buffer.from(JSON.stringify(marker)), {
      contentType: 'application/json',
    });
  }
}
