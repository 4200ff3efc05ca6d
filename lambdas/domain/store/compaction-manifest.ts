/**
 * The compaction manifest: per project, the hour partitions compaction has compacted and when.
 * A deletion may hide events in any earlier hour; the manifest is where compaction finds the
 * hours to check for a deleted id without listing the project's whole history in the store.
 * One object per project, `compaction/manifest/project_id=<id as in keys>.json`, written only by
 * the compaction job (one run at a time: its schedule never overlaps itself).
 */
import type { ObjectStore } from '../ports';
import { COMPACTION_PREFIX } from './compaction-changes';
import { EVENTS_PREFIX } from './layout';

const MANIFESTS_PREFIX = `${COMPACTION_PREFIX}manifest/`;
const PARTITION = /^events\/project_id=[^/]+\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/$/;

export interface ProjectManifest {
  v: 1;
  /** Partition prefix -> epoch ms of its last compaction (or of the last check that found no deleted id). */
  partitions: Record<string, number>;
}

export function manifestKey(encodedProjectId: string): string {
  return `${MANIFESTS_PREFIX}project_id=${encodedProjectId}.json`;
}

/**
 * The project's manifest. When there is none yet (a store compacted before manifests existed),
 * it is built once from a listing of the project's partitions, each marked compacted at 0 so that
 * the first deletion checks it.
 */
export async function readManifest(store: ObjectStore, encodedProjectId: string): Promise<ProjectManifest> {
  const bytes = await store.get(manifestKey(encodedProjectId));
  if (bytes !== undefined) {
    const value = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<ProjectManifest>;
    if (value.v !== 1 || typeof value.partitions !== 'object' || value.partitions === null) {
      throw new Error(`${manifestKey(encodedProjectId)} is not a compaction manifest`);
    }
    return value as ProjectManifest;
  }
  const partitions: Record<string, number> = {};
  for await (const key of store.list(`${EVENTS_PREFIX}project_id=${encodedProjectId}/`)) {
    const prefix = key.slice(0, key.lastIndexOf('/') + 1);
    if (PARTITION.test(prefix)) partitions[prefix] = 0;
  }
  return { v: 1, partitions };
}

export async function writeManifest(
  store: ObjectStore,
  encodedProjectId: string,
  manifest: ProjectManifest,
): Promise<void> {
  await store.put(manifestKey(encodedProjectId), Buffer.from(JSON.stringify(manifest)), {
    contentType: 'application/json',
  });
}
