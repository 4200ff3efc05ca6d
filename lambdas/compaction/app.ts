/**
 * The compaction job's logic (run on a schedule). Its work follows what changed, not the store's
 * history: it reads the writer's change markers (compaction-changes.ts) and compacts the closed
 * hours they name; for the deletions they name, it asks the project's id locator (locator-lookup.ts)
 * which days hold the deleted ids, checks the project's compacted hours of those days (from the
 * compaction manifest, compaction-manifest.ts) for them, reading only the id columns, and rewrites
 * only the hours that hold one. A marker is deleted once all it names is done; what is left (open
 * hours, failures, no time left) is picked up by the next run. No AWS imports.
 */
import type { DeletableObjectStore } from '../domain/ports';
import {
  type CompactResult,
  compactPartition,
  isClosed,
  parsePartition,
  partitionHoldsAny,
} from '../domain/store/compact';
import {
  CHANGE_MARKERS_PREFIX,
  type ChangeMarker,
  type MarkedDeletion,
  parseChangeMarker,
} from '../domain/store/compaction-changes';
import { type ProjectManifest, readManifest, writeManifest } from '../domain/store/compaction-manifest';
import { DELETION_REACH_MS } from '../domain/store/deletion-reach';
import { mergeEventSchemas } from '../domain/store/event-schema-merge';
import { type LocatedDays, locatedDays } from '../domain/store/locator-lookup';
import { type LocatorMergeResult, mergeLocator } from '../domain/store/locator-merge';
import type { ParquetWriteTuning } from '../domain/store/parquet-files';

export interface CompactionJobOptions {
  clock?: () => number;
  /** How long after an hour ends it counts as closed. Default 1 hour (late and retried events). */
  closedAfterMs?: number;
  parquet?: ParquetWriteTuning;
  /** Most Parquet bytes compacted together; larger hours go in chunks (see compactPartition). */
  maxInputBytes?: number;
  onCompacted?: (result: CompactResult) => void;
  onLocatorMerged?: (result: LocatorMergeResult) => void;
  onFailure?: (partition: string, error: unknown) => void;
}

export interface CompactionRun {
  /** Milliseconds left in this invocation; the job stops starting partitions below minRemainingMs. */
  remainingMs?: () => number;
  /** Default 120 s: room to finish the partition in hand. */
  minRemainingMs?: number;
}

export interface CompactionSummary {
  /** Change markers read (one per writer batch since they were last cleared). */
  markers: number;
  due: number;
  compacted: number;
  failed: number;
  /**
   * Compacted hours whose id columns were read for deleted ids: those on the days the id locator
   * names for them (every reached hour for a project without locator files).
   */
  checked: number;
  /** Due partitions compacted in more than one chunk (more bytes than one compaction holds). */
  chunked: number;
  /** Due partitions not started for lack of time. */
  deferred: number;
  /** Id locator files merged into larger ones (locator-merge.ts). */
  locatorFilesMerged: number;
  /** Event-schema files merged into one per project (event-schema-merge.ts). */
  schemaFilesMerged: number;
}

/** A run's summary before it has done anything. */
export function emptyCompactionSummary(markers: number): CompactionSummary {
  return {
    markers,
    due: 0,
    compacted: 0,
    failed: 0,
    checked: 0,
    chunked: 0,
    deferred: 0,
    locatorFilesMerged: 0,
    schemaFilesMerged: 0,
  };
}

const DEFAULT_CLOSED_AFTER_MS = 3_600_000;

interface ReadMarker {
  key: string;
  marker: ChangeMarker;
}

export function createCompactionJob(store: DeletableObjectStore, options: CompactionJobOptions = {}) {
  const clock = options.clock ?? Date.now;
  const closedAfterMs = options.closedAfterMs ?? DEFAULT_CLOSED_AFTER_MS;
  return async (run: CompactionRun = {}): Promise<CompactionSummary> => {
    const now = clock();
    const markers = await readMarkers(store, options);
    const summary = emptyCompactionSummary(markers.length);
    const closed = (prefix: string) => isClosed(parsePartition(prefix), now, closedAfterMs);
    const manifests = new Map<string, ProjectManifest>();
    const manifestOf = async (project: string) => {
      let manifest = manifests.get(project);
      if (manifest === undefined) {
        manifest = await readManifest(store, project);
        manifests.set(project, manifest);
      }
      return manifest;
    };

    const due = new Set<string>();
    for (const { marker } of markers)
      for (const prefix of marker.partitions) if (closed(prefix)) due.add(prefix);
    // Per project with deletions: the hours that hold a deleted id (to rewrite), or undefined when
    // the check failed; either way the project's markers stay until its hours are done.
    const deletionDue = new Map<string, Set<string> | undefined>();
    for (const [project, deletions] of deletionsByProject(markers)) {
      try {
        const manifest = await manifestOf(project);
        const holding = new Set<string>();
        const reached: Array<[string, MarkedDeletion[]]> = [];
        for (const prefix of Object.keys(manifest.partitions).sort()) {
          if (!closed(prefix)) continue;
          const checkedAt = manifest.partitions[prefix] as number;
          const reaching = deletionsReaching(prefix, checkedAt, deletions, closedAfterMs);
          if (reaching.length > 0) reached.push([prefix, reaching]);
        }
        // The days the locator names for the deleted ids; undefined for a project without locator
        // files (written before the locator), whose every reached hour is checked instead.
        const located =
          reached.length === 0 ? undefined : await locatedDays(store, project, idsOf(deletions));
        for (const [prefix, reaching] of reached) {
          const onItsDay = located === undefined ? reaching : locatedOn(prefix, reaching, located);
          // An hour on none of the located days holds none of the ids: checked without a read.
          if (onItsDay.length > 0) {
            summary.checked++;
            if (await partitionHoldsAny(store, prefix, onItsDay)) {
              holding.add(prefix);
              continue;
            }
          }
          manifest.partitions[prefix] = now;
        }
        for (const prefix of holding) due.add(prefix);
        deletionDue.set(project, holding);
      } catch (error) {
        deletionDue.set(project, undefined);
        options.onFailure?.(`${project} (deletions)`, error);
      }
    }

    summary.due = due.size;
    const done = new Set<string>();
    for (const [index, partition] of [...due].sort().entries()) {
      if (run.remainingMs !== undefined && run.remainingMs() < (run.minRemainingMs ?? 120_000)) {
        summary.deferred = due.size - index;
        break;
      }
      try {
        const result = await compactPartition(store, partition, {
          now: clock(),
          closedAfterMs,
          parquet: options.parquet,
          maxInputBytes: options.maxInputBytes,
        });
        summary.compacted++;
        if (result.chunks > 1) summary.chunked++;
        const { encodedProjectId } = parsePartition(partition);
        const manifest = await manifestOf(encodedProjectId);
        if (result.skipped === 'empty' || result.written.length === 0) delete manifest.partitions[partition];
        else manifest.partitions[partition] = now;
        done.add(partition);
        options.onCompacted?.(result);
      } catch (error) {
        summary.failed++;
        options.onFailure?.(partition, error);
      }
    }

    // The id locator of every project that got new files: its batch files merged tier by tier.
    for (const project of projectsOf(markers)) {
      try {
        const merged = await mergeLocator(store, project, { now: clock(), parquet: options.parquet });
        summary.locatorFilesMerged += merged.deleted.length;
        options.onLocatorMerged?.(merged);
      } catch (error) {
        summary.failed++;
        options.onFailure?.(`${project} (locator)`, error);
      }
      // Its event-schema batch files merged into one (best effort, as the writer's are).
      try {
        const merged = await mergeEventSchemas(store, project, { now: clock(), parquet: options.parquet });
        summary.schemaFilesMerged += merged.deleted.length;
      } catch (error) {
        summary.failed++;
        options.onFailure?.(`${project} (event schemas)`, error);
      }
    }

    for (const [project, manifest] of manifests) await writeManifest(store, project, manifest);
    // Only after the manifests: a marker gone with its manifest update lost would hide a deletion.
    const deletionsDone = (project: string) => {
      const holding = deletionDue.get(project);
      return holding !== undefined && [...holding].every((prefix) => done.has(prefix));
    };
    for (const { key, marker } of markers) {
      const partitions = marker.partitions.filter((prefix) => !done.has(prefix));
      const deletions = marker.deletions.filter((deletion) => !deletionsDone(deletion.project));
      if (partitions.length === 0 && deletions.length === 0) await store.delete(key);
      else if (partitions.length < marker.partitions.length || deletions.length < marker.deletions.length) {
        // What is done leaves the marker, so the next run does only what is left.
        const left: ChangeMarker = { v: 1, partitions, deletions };
        await store.put(key, Buffer.from(JSON.stringify(left)), { contentType: 'application/json' });
      }
    }
    return summary;
  };
}

async function readMarkers(
  store: DeletableObjectStore,
  options: CompactionJobOptions,
): Promise<ReadMarker[]> {
  const markers: ReadMarker[] = [];
  for await (const key of store.list(CHANGE_MARKERS_PREFIX)) {
    const bytes = await store.get(key);
    if (bytes === undefined) continue;
    try {
      markers.push({ key, marker: parseChangeMarker(bytes) });
    } catch (error) {
      // Kept, not deleted: an operator can look at it; it names nothing this job can act on.
      options.onFailure?.(key, error);
    }
  }
  return markers;
}

/** The projects (as in keys) whose events partitions the markers name. */
function projectsOf(markers: readonly ReadMarker[]): string[] {
  const projects = new Set<string>();
  for (const { marker } of markers)
    for (const prefix of marker.partitions) projects.add(parsePartition(prefix).encodedProjectId);
  return [...projects].sort();
}

function deletionsByProject(markers: readonly ReadMarker[]): Map<string, MarkedDeletion[]> {
  const byProject = new Map<string, MarkedDeletion[]>();
  for (const { marker } of markers) {
    for (const deletion of marker.deletions) {
      const list = byProject.get(deletion.project) ?? [];
      list.push(deletion);
      byProject.set(deletion.project, list);
    }
  }
  return byProject;
}

function idsOf(deletions: readonly MarkedDeletion[]): { eventIds: string[]; sessionIds: string[] } {
  return {
    eventIds: deletions.filter((deletion) => deletion.target === 'event').map((deletion) => deletion.id),
    sessionIds: deletions.filter((deletion) => deletion.target === 'session').map((deletion) => deletion.id),
  };
}

/** The deletions whose id the locator places on the hour's day. */
function locatedOn(
  prefix: string,
  deletions: readonly MarkedDeletion[],
  located: LocatedDays,
): MarkedDeletion[] {
  const day = new Date(parsePartition(prefix).hourStart).toISOString().slice(0, 10);
  return deletions.filter((deletion) => located[deletion.target].get(deletion.id)?.has(day) === true);
}

/**
 * The deletions that may hide events of an hour compacted (or last checked) at `checkedAt`: written
 * after that (earlier ones were applied then) and reaching the hour (deletion-reach.ts).
 */
function deletionsReaching(
  prefix: string,
  checkedAt: number,
  deletions: readonly MarkedDeletion[],
  closedAfterMs: number,
): MarkedDeletion[] {
  const { hourStart } = parsePartition(prefix);
  // A tombstone reaches the store a little after its deletion time (the queue, the writer's batch
  // window): one written up to closedAfterMs before the last check may not have been seen by it.
  return deletions.filter(
    (deletion) =>
      deletion.deletedAt + closedAfterMs >= checkedAt && hourStart <= deletion.deletedAt + DELETION_REACH_MS,
  );
}
