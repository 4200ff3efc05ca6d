/**
 * The writer's rollup files (domain/alerts/monitors/rollup-table.ts): one file per partition
 * (project, UTC day of the minute) of a batch's new events and of the metrics its updates set (an
 * evaluator's scores arrive that way), under the batch id, so a retried batch
 * overwrites its own file instead of counting twice. A file that cannot be stored fails the messages
 * whose events it rolled up (SQS brings them back, and their retry rolls them up).
 */
import { type MetricsUpdate, rollupsOf } from '../alerts/monitors/rollup';
import { ROLLUP_COLUMNS, rollupParquetRow, rollupPartitionPrefix } from '../alerts/monitors/rollup-table';
import type { WaggleEvent } from '../events/event';
import type { ObjectStore } from '../ports';
import { runWithConcurrency } from '../run-with-concurrency';
import { type ParquetWriteTuning, writeParquet } from './parquet-files';

interface RollupFileDeps {
  store: ObjectStore;
  batchId: string;
  parquet?: ParquetWriteTuning;
  concurrency?: number;
}

type RollupFailure = { stage: 'write'; key: string; messageIds: string[]; error: unknown };

/** A stored version made by an update: only the metrics it set are rolled up (the event was already). */
export interface RolledUpUpdate {
  metrics?: Record<string, unknown>;
}

export async function storeRollupFiles(
  written: readonly { event: WaggleEvent; messageId: string; fromUpdate?: RolledUpUpdate }[],
  deps: RollupFileDeps,
  fail: (failure: RollupFailure, messageIds: string[]) => void,
): Promise<{ files: number; rows: number }> {
  type Group = { events: WaggleEvent[]; updates: MetricsUpdate[]; messageIds: Set<string> };
  const byPartition = new Map<string, Group>();
  for (const { event, messageId, fromUpdate } of written) {
    const metrics = fromUpdate?.metrics;
    if (fromUpdate && (metrics === undefined || Object.keys(metrics).length === 0)) continue;
    const prefix = rollupPartitionPrefix({
      project_id: event.project_id,
      minute: event.start_time,
    });
    const group = byPartition.get(prefix) ?? { events: [], updates: [], messageIds: new Set<string>() };
    if (metrics) group.updates.push({ event, metrics });
    else group.events.push(event);
    group.messageIds.add(messageId);
    byPartition.set(prefix, group);
  }
  const result = { files: 0, rows: 0 };
  await runWithConcurrency([...byPartition], deps.concurrency ?? 8, async ([prefix, group]) => {
    const key = `${prefix}${deps.batchId}.parquet`;
    try {
      const rows = rollupsOf(group.events, group.updates);
      const body = writeParquet(ROLLUP_COLUMNS, rows.map(rollupParquetRow), {
        ...deps.parquet,
        metadata: { 'waggle.batch_id': deps.batchId },
      });
      await deps.store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
      result.files++;
      result.rows += rows.length;
    } catch (error) {
      fail({ stage: 'write', key, messageIds: [...group.messageIds], error }, [...group.messageIds]);
    }
  });
  return result;
}
