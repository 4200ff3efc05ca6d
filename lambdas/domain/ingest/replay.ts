/**
 * Re-ingests archived raw requests of one project and time range through the same conversion as
 * live traffic. Events keep their ids and get a newer version, so a replay supersedes what the
 * first ingestion produced instead of duplicating it.
 *
 * It reads both layouts of the archive, hour by hour of receive time: the writer's batch objects
 * (raw/batches/, every project's requests of a batch together) and the one-object-per-request form
 * (raw/project_id=/, requests too big for a queue message, and everything archived before the batch
 * objects). A request kept twice (a redelivered message archived by two writer batches) is replayed
 * once.
 */
import type { MessageQueue, ObjectStore } from '../ports';
import { convertRequest } from './convert-request';
import { publishRecords } from './publish-records';
import {
  type ArchiveHeader,
  decodeArchiveObject,
  decodeRawRequestBody,
  rawArchiveKey,
  rawArchivePrefix,
  receivedAtOfKey,
} from './raw-archive';
import { decodeRawBatch, rawBatchPrefix } from './raw-batch-archive';
import { versionClock } from './version-clock';

interface ReplayOptions {
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

interface ReplayProgress {
  /** The request's archive name (rawArchiveKey), or the object that could not be read. */
  key: string;
  records: number;
  error?: string;
}

interface ReplaySummary {
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
  const seen = new Set<string>();
  const inRange = (header: ArchiveHeader) =>
    header.tenant.project_id === options.projectId &&
    header.receivedAt >= options.from &&
    header.receivedAt <= options.to;
  const fail = (key: string, error: unknown) => {
    const message = (error as Error).message;
    summary.failures.push({ key, error: message });
    options.onProgress?.({ key, records: 0, error: message });
  };
  const replay = async (request: ArchivedRequest) => {
    const identity = `${request.header.requestId}\u0000${request.header.receivedAt}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    const key = rawArchiveKey(request.header);
    try {
      const records = await replayOne(request, options, versions(clock()));
      summary.requests++;
      summary.records += records;
      options.onProgress?.({ key, records });
    } catch (error) {
      fail(key, error);
    }
  };

  for (const hour of hourStarts(options.from, options.to)) {
    for await (const key of options.archive.list(rawArchivePrefix(options.projectId, hour))) {
      const receivedAt = receivedAtOfKey(key);
      if (receivedAt === undefined || receivedAt < options.from || receivedAt > options.to) continue;
      let request: ArchivedRequest;
      try {
        request = decodeArchiveObject(await getObject(options.archive, key));
      } catch (error) {
        fail(key, error);
        continue;
      }
      await replay(request);
    }
    for await (const key of options.archive.list(rawBatchPrefix(hour))) {
      let entries: ReturnType<typeof decodeRawBatch>;
      try {
        entries = decodeRawBatch(await getObject(options.archive, key));
      } catch (error) {
        fail(key, error);
        continue;
      }
      for (const entry of entries) {
        if (!inRange(entry.header)) continue;
        let body: Uint8Array;
        try {
          body = decodeRawRequestBody(entry);
        } catch (error) {
          fail(rawArchiveKey(entry.header), error);
          continue;
        }
        await replay({ header: entry.header, body });
      }
    }
  }
  return summary;
}

interface ArchivedRequest {
  header: ArchiveHeader;
  body: Uint8Array;
}

async function getObject(archive: ObjectStore, key: string): Promise<Uint8Array> {
  const object = await archive.get(key);
  if (!object) throw new Error('object vanished while replaying');
  return object;
}

async function replayOne(request: ArchivedRequest, options: ReplayOptions, version: number): Promise<number> {
  const { header, body } = request;
  const conversion = convertRequest({
    route: header.route,
    contentType: header.contentType,
    body,
    tenant: header.tenant,
    projectName: header.projectName,
    requestId: header.requestId,
    ingestedAt: header.receivedAt,
    version,
    rawArchiveKey: rawArchiveKey(header),
    maxAttributeValueBytes: options.maxAttributeValueBytes,
  });
  if (!options.dryRun) {
    await publishRecords(conversion.records, options.eventsQueue, options.overflowStore, {
      requestId: `replay-${header.requestId}`,
    });
  }
  return conversion.records.length;
}

/** The start of every hour that can hold requests received between from and to. */
function hourStarts(from: number, to: number): number[] {
  const hours: number[] = [];
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour <= to; hour += HOUR_MS) hours.push(hour);
  return hours;
}

/** The archive's per-request hour folders that can hold requests received between from and to. */
export function hourPrefixes(projectId: string, from: number, to: number): string[] {
  return hourStarts(from, to).map((hour) => rawArchivePrefix(projectId, hour));
}
