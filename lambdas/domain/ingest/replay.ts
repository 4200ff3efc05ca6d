/**
 * Re-ingests archived raw requests of one project and time range through the same conversion as
 * live traffic. Events keep their ids and get a newer version, so a replay supersedes what the
 * first ingestion produced instead of duplicating it.
 */
import type { MessageQueue, ObjectStore } from '../ports';
import { convertRequest } from './convert-request';
import { publishRecords } from './publish-records';
import { decodeArchiveObject, rawArchivePrefix, receivedAtOfKey } from './raw-archive';
import { versionClock } from './version-clock';

export interface ReplayOptions {
  archive: ObjectStore;
  overflowStore: ObjectStore;
  eventsQueue: MessageQueue;
  projectId: string;
  /** Inclusive range of receive times, epoch milliseconds. */
  from: number;
  to: number;
  clock?: () => number;
  maxAttributeValueBytes?: number;
  /** Convert but do not queue. */
  dryRun?: boolean;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayProgress {
  key: string;
  records: number;
  error?: string;
}

export interface ReplaySummary {
  requests: number;
  records: number;
  failures: { key: string; error: string }[];
}

const HOUR_MS = 3_600_000;

export async function replayArchive(options: ReplayOptions): Promise<ReplaySummary> {
  if (!(options.from <= options.to)) throw new Error('Replay range is empty: --from must not be after --to');
  const clock = options.clock ?? Date.now;
  const versions = versionClock();
  const summary: ReplaySummary = { requests: 0, records: 0, failures: [] };
  for (const prefix of hourPrefixes(options.projectId, options.from, options.to)) {
    for await (const key of options.archive.list(prefix)) {
      const receivedAt = receivedAtOfKey(key);
      if (receivedAt === undefined || receivedAt < options.from || receivedAt > options.to) continue;
      try {
        const records = await replayOne(key, options, versions(clock()));
        summary.requests++;
        summary.records += records;
        options.onProgress?.({ key, records });
      } catch (error) {
        const message = (error as Error).message;
        summary.failures.push({ key, error: message });
        options.onProgress?.({ key, records: 0, error: message });
      }
    }
  }
  return summary;
}

async function replayOne(key: string, options: ReplayOptions, version: number): Promise<number> {
  const object = await options.archive.get(key);
  if (!object) throw new Error('object vanished while replaying');
  const { header, body } = decodeArchiveObject(object);
  const conversion = convertRequest({
    route: header.route,
    contentType: header.contentType,
    body,
    tenant: header.tenant,
    projectName: header.projectName,
    requestId: header.requestId,
    ingestedAt: header.receivedAt,
    version,
    rawArchiveKey: key,
    maxAttributeValueBytes: options.maxAttributeValueBytes,
  });
  if (!options.dryRun) {
    await publishRecords(conversion.records, options.eventsQueue, options.overflowStore, {
      requestId: `replay-${header.requestId}`,
    });
  }
  return conversion.records.length;
}

/** The archive's hour folders that can hold requests received between from and to. */
export function hourPrefixes(projectId: string, from: number, to: number): string[] {
  const prefixes: string[] = [];
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour <= to; hour += HOUR_MS) {
    prefixes.push(rawArchivePrefix(projectId, hour));
  }
  return prefixes;
}
