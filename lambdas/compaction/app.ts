/**
 * The compaction job's logic (run on a schedule): compacts every closed hour partition that needs
 * it, one at a time, until the list is done or the time budget runs low. What is left over is
 * picked up by the next run; a partition that fails is logged and retried next run. No AWS imports.
 */
import type { DeletableObjectStore } from '../domain/ports';
import { type CompactResult, compactPartition, listPartitionsToCompact } from '../domain/store/compact';
import type { ParquetWriteTuning } from '../domain/store/parquet-files';

export interface CompactionJobOptions {
  clock?: () => number;
  /** How long after an hour ends it counts as closed. Default 1 hour (late and retried events). */
  closedAfterMs?: number;
  parquet?: ParquetWriteTuning;
  /** Partitions with more Parquet bytes than this are skipped (see compactPartition). */
  maxInputBytes?: number;
  onCompacted?: (result: CompactResult) => void;
  onFailure?: (partition: string, error: unknown) => void;
}

export interface CompactionRun {
  /** Milliseconds left in this invocation; the job stops starting partitions below minRemainingMs. */
  remainingMs?: () => number;
  /** Default 120 s: room to finish the partition in hand. */
  minRemainingMs?: number;
}

export interface CompactionSummary {
  due: number;
  compacted: number;
  failed: number;
  /** Due partitions skipped because they are too large to compact in memory. */
  tooLarge: number;
  /** Due partitions not started for lack of time. */
  deferred: number;
}

export const DEFAULT_CLOSED_AFTER_MS = 3_600_000;

export function createCompactionJob(store: DeletableObjectStore, options: CompactionJobOptions = {}) {
  const clock = options.clock ?? Date.now;
  const closedAfterMs = options.closedAfterMs ?? DEFAULT_CLOSED_AFTER_MS;
  return async (run: CompactionRun = {}): Promise<CompactionSummary> => {
    const now = clock();
    const due = await listPartitionsToCompact(store, now, { closedAfterMs });
    const summary: CompactionSummary = { due: due.length, compacted: 0, failed: 0, tooLarge: 0, deferred: 0 };
    for (const [index, partition] of due.entries()) {
      if (run.remainingMs !== undefined && run.remainingMs() < (run.minRemainingMs ?? 120_000)) {
        summary.deferred = due.length - index;
        break;
      }
      try {
        const result = await compactPartition(store, partition, {
          now: clock(),
          closedAfterMs,
          parquet: options.parquet,
          maxInputBytes: options.maxInputBytes,
        });
        if (result.skipped === 'too-large') summary.tooLarge++;
        else summary.compacted++;
        options.onCompacted?.(result);
      } catch (error) {
        summary.failed++;
        options.onFailure?.(partition, error);
      }
    }
    return summary;
  };
}
