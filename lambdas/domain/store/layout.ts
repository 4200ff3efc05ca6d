/**
 * Where the event store keeps its objects (one bucket, locally one folder). Hive-style partitions
 * so Athena (partition projection) and DuckDB (hive_partitioning) prune by project, day and hour.
 *
 *   events/project_id=<p>/dt=YYYY-MM-DD/hour=HH/<file>.parquet      event rows, partitioned by start_time
 *   tombstones/project_id=<p>/dt=YYYY-MM-DD/hour=HH/<file>.parquet  deletions, partitioned by deleted_at
 *   payloads/project_id=<p>/<event_id>/<version>-<section>.json.gz    full inputs/outputs too large for a row
 *   dead-letters/dt=YYYY-MM-DD/<message id>.json                      messages that exhausted their receives
 */
export const EVENTS_PREFIX = 'events/';
export const TOMBSTONES_PREFIX = 'tombstones/';
export const PAYLOADS_PREFIX = 'payloads/';
export const DEAD_LETTERS_PREFIX = 'dead-letters/';

export interface HourPartition {
  projectId: string;
  /** YYYY-MM-DD (UTC). */
  dt: string;
  /** 00-23 (UTC). */
  hour: string;
}

const HOUR_MS = 3_600_000;
// The day and hour of the last hour asked for: a writer batch asks for the same few hours for every
// one of its events, and formatting a date each time was a visible part of the writer's time.
let lastHourIndex = Number.NaN;
let lastDayAndHour = { dt: '', hour: '' };

export function hourPartitionOf(projectId: string, epochMs: number): HourPartition {
  const hourIndex = Math.floor(clampEpochMs(epochMs) / HOUR_MS);
  if (hourIndex !== lastHourIndex) {
    const iso = new Date(hourIndex * HOUR_MS).toISOString();
    lastDayAndHour = { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
    lastHourIndex = hourIndex;
  }
  return { projectId, ...lastDayAndHour };
}

export function partitionPrefix(
  table: typeof EVENTS_PREFIX | typeof TOMBSTONES_PREFIX,
  partition: HourPartition,
): string {
  return `${table}project_id=${encodeURIComponent(partition.projectId)}/dt=${partition.dt}/hour=${partition.hour}/`;
}

export function payloadKey(
  projectId: string,
  eventId: string,
  version: number,
  section: 'inputs' | 'outputs',
): string {
  return `${PAYLOADS_PREFIX}project_id=${encodeURIComponent(projectId)}/${encodeURIComponent(eventId)}/${version}-${section}.json.gz`;
}

/**
 * Times outside 2000..2100 are clients' bugs (seconds sent as milliseconds, zero clocks); they are
 * stored in the nearest edge partition instead of creating thousands of empty ones.
 */
const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2100, 0, 1) - 1;

export function clampEpochMs(epochMs: number): number {
  if (!Number.isFinite(epochMs)) return MIN_EPOCH_MS;
  return Math.min(MAX_EPOCH_MS, Math.max(MIN_EPOCH_MS, epochMs));
}
