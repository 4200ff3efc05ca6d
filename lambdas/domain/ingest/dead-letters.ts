/**
 * Dead letters are a workflow, not a grave: list what the archive holds by reason and project, and
 * put messages back on the events queue once whatever failed them is fixed. Replayed records keep
 * their event ids and versions, so a replay (or a second one) adds nothing twice: the newest
 * version of each id wins on read.
 *
 * Before a message goes back, each of its events passes the same check ingest applies today
 * (storable-values.ts): values the store cannot keep are dropped and noted, as ingest now does, so
 * messages dead-lettered for such a value before ingest checked it can be recovered. A message
 * that would still be poison is not sent, and is reported with why.
 */
import { gunzipSync } from 'node:zlib';
import type { EventRecord } from '../events/event';
import { recordTenant } from '../events/record-tenant';
import type { MessageQueue, ObjectStore } from '../ports';
import { checkRecord } from '../store/check-record';
import { type ArchivedDeadLetter, parseDeadLetter } from '../store/dead-letter';
import { DEAD_LETTERS_PREFIX } from '../store/layout';
import { dropUnstorableValues, rowProblems } from '../store/storable-values';
import { publishRecords } from './publish-records';
import { parseQueueEnvelope } from './queue-envelope';
import type { RawRequestEntry } from './raw-archive';

interface DeadLetterEntry {
  key: string;
  letter: ArchivedDeadLetter;
  /** Reason code; 'unrecorded' for objects archived before reasons were kept. */
  reason: string;
  /** Projects the message's records belong to ('unknown' when its records cannot be read). */
  projects: string[];
  /** The message's records, or why they cannot be read (none for a raw-request message). */
  records: EventRecord[] | { unreadable: string };
  /** Set for a raw-request message: replaying it sends it back as it is, for the writer to archive. */
  rawRequest?: RawRequestEntry;
}

export interface DeadLetterFilter {
  /** Archive days (UTC, YYYY-MM-DD, from the message's send time), inclusive. */
  fromDay?: string;
  toDay?: string;
  projectId?: string;
  reason?: string;
  /** Include messages already replayed (default: only the ones never replayed). */
  includeReplayed?: boolean;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads every archived dead letter the filter selects, oldest day first. */
export async function readDeadLetters(
  store: ObjectStore,
  overflowStore: ObjectStore,
  filter: DeadLetterFilter = {},
): Promise<DeadLetterEntry[]> {
  for (const day of [filter.fromDay, filter.toDay]) {
    if (day !== undefined && !DAY.test(day)) throw new Error(`"${day}" is not a day (YYYY-MM-DD)`);
  }
  const keys: string[] = [];
  for await (const key of store.list(DEAD_LETTERS_PREFIX)) {
    const day = /dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
    if (day === undefined || !key.endsWith('.json')) continue;
    if (
      (filter.fromDay !== undefined && day < filter.fromDay) ||
      (filter.toDay !== undefined && day > filter.toDay)
    )
      continue;
    keys.push(key);
  }
  keys.sort();
  const entries: DeadLetterEntry[] = [];
  for (const key of keys) {
    const bytes = await store.get(key);
    if (bytes === undefined) continue; // removed while listing
    const letter = parseDeadLetter(bytes);
    const rawRequest = rawRequestOf(letter.body);
    const records = rawRequest ? [] : await readRecords(letter.body, overflowStore);
    const projects = rawRequest
      ? [rawRequest.header.tenant.project_id]
      : Array.isArray(records)
        ? [...new Set(records.map((record) => recordTenant(record).project_id))].sort()
        : ['unknown'];
    const entry: DeadLetterEntry = {
      key,
      letter,
      reason: letter.reason?.code ?? 'unrecorded',
      projects,
      records,
      ...(rawRequest && { rawRequest }),
    };
    if (filter.projectId !== undefined && !projects.includes(filter.projectId)) continue;
    if (filter.reason !== undefined && entry.reason !== filter.reason) continue;
    if (!filter.includeReplayed && letter.replayedAt !== undefined) continue;
    entries.push(entry);
  }
  return entries;
}

function rawRequestOf(body: string): RawRequestEntry | undefined {
  try {
    const envelope = parseQueueEnvelope(body);
    return 'rawRequest' in envelope ? envelope.rawRequest : undefined;
  } catch {
    return undefined;
  }
}

async function readRecords(
  body: string,
  overflowStore: ObjectStore,
): Promise<EventRecord[] | { unreadable: string }> {
  try {
    const envelope = parseQueueEnvelope(body);
    if ('records' in envelope) return envelope.records;
    if (!('overflowKey' in envelope)) return { unreadable: 'not a records message' };
    const object = await overflowStore.get(envelope.overflowKey);
    if (object === undefined) return { unreadable: `overflow object ${envelope.overflowKey} is missing` };
    const parsed = JSON.parse(gunzipSync(object).toString('utf8')) as unknown;
    return (Array.isArray(parsed) ? parsed : [parsed]) as EventRecord[];
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}

interface DeadLetterSummaryRow {
  reason: string;
  project: string;
  messages: number;
  records: number;
  replayed: number;
  /** One reason message as an example (the first seen). */
  example: string;
}

/** Counts by reason and project, largest first: what `dead-letters list` prints. */
export function summarizeDeadLetters(entries: readonly DeadLetterEntry[]): DeadLetterSummaryRow[] {
  const rows = new Map<string, DeadLetterSummaryRow>();
  for (const entry of entries) {
    for (const project of entry.projects) {
      const id = `${entry.reason}\u0000${project}`;
      const row = rows.get(id) ?? {
        reason: entry.reason,
        project,
        messages: 0,
        records: 0,
        replayed: 0,
        example: entry.letter.reason?.message ?? '',
      };
      row.messages++;
      if (Array.isArray(entry.records)) {
        row.records += entry.records.filter((record) => recordTenant(record).project_id === project).length;
      }
      if (entry.letter.replayedAt !== undefined) row.replayed++;
      rows.set(id, row);
    }
  }
  return [...rows.values()].sort((a, b) => b.messages - a.messages || a.reason.localeCompare(b.reason));
}

interface ReplayOutcome {
  key: string;
  messageId: string;
  /** Records queued (0 on a dry run or when the message was not sent). */
  queued: number;
  /** Values dropped on the way, as ingest drops them. */
  droppedValues: number;
  /** Why the message was not sent (still poison, unreadable, or the queue failed). */
  notSent?: string;
}

interface ReplayDeadLettersDeps {
  store: ObjectStore;
  overflowStore: ObjectStore;
  eventsQueue: MessageQueue;
  clock?: () => number;
  dryRun?: boolean;
  /** Largest queue message body (the events queue's limit). */
  maxMessageBytes?: number;
  onOutcome?: (outcome: ReplayOutcome) => void;
}

/**
 * Puts each entry's records back on the events queue and marks its archive object replayed.
 * Entries are independent: one that fails is reported and the others still go.
 */
export async function replayDeadLetters(
  entries: readonly DeadLetterEntry[],
  deps: ReplayDeadLettersDeps,
): Promise<ReplayOutcome[]> {
  const clock = deps.clock ?? Date.now;
  const outcomes: ReplayOutcome[] = [];
  for (const entry of entries) {
    const outcome = await replayOne(entry, deps, clock);
    outcomes.push(outcome);
    deps.onOutcome?.(outcome);
  }
  return outcomes;
}

async function replayOne(
  entry: DeadLetterEntry,
  deps: ReplayDeadLettersDeps,
  clock: () => number,
): Promise<ReplayOutcome> {
  const base = { key: entry.key, messageId: entry.letter.messageId, queued: 0, droppedValues: 0 };
  if (entry.rawRequest) return replayRawRequest(entry, deps, clock, base);
  if (!Array.isArray(entry.records)) return { ...base, notSent: `unreadable: ${entry.records.unreadable}` };
  const mended = mendRecords(entry.records);
  if ('poison' in mended) return { ...base, notSent: `still poison: ${mended.poison}` };
  if (deps.dryRun) return { ...base, droppedValues: mended.droppedValues };
  try {
    await publishRecords(mended.records, deps.eventsQueue, deps.overflowStore, {
      requestId: `dead-letter-${entry.letter.messageId}`,
      maxMessageBytes: deps.maxMessageBytes,
    });
  } catch (error) {
    return { ...base, droppedValues: mended.droppedValues, notSent: `queue: ${(error as Error).message}` };
  }
  await markReplayed(entry, deps, clock);
  return { ...base, queued: mended.records.length, droppedValues: mended.droppedValues };
}

/** A raw-request message goes back as it was: the writer archives it (it holds no records). */
async function replayRawRequest(
  entry: DeadLetterEntry,
  deps: ReplayDeadLettersDeps,
  clock: () => number,
  base: ReplayOutcome,
): Promise<ReplayOutcome> {
  if (deps.dryRun) return base;
  try {
    await deps.eventsQueue.sendBatch([{ id: 'raw-request', body: entry.letter.body }]);
  } catch (error) {
    return { ...base, notSent: `queue: ${(error as Error).message}` };
  }
  await markReplayed(entry, deps, clock);
  return base;
}

async function markReplayed(entry: DeadLetterEntry, deps: ReplayDeadLettersDeps, clock: () => number) {
  const replayed: ArchivedDeadLetter = { ...entry.letter, replayedAt: new Date(clock()).toISOString() };
  await deps.store.put(entry.key, Buffer.from(JSON.stringify(replayed)), { contentType: 'application/json' });
}

/** The records as ingest would accept them today, or why the message is still poison. */
function mendRecords(
  records: EventRecord[],
): { records: EventRecord[]; droppedValues: number } | { poison: string } {
  let droppedValues = 0;
  const mended: EventRecord[] = [];
  for (const raw of records) {
    let record: EventRecord;
    try {
      record = checkRecord(raw);
    } catch (error) {
      return { poison: (error as Error).message };
    }
    if (record.kind === 'event') {
      const { metadata } = record.event as { metadata: unknown };
      if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
        return { poison: `event ${record.event.event_id}: metadata is not a JSON object` };
      }
      // A copy: the archived letter is left as it was.
      const event = { ...record.event, metadata: { ...record.event.metadata } };
      droppedValues += dropUnstorableValues(event).dropped.length;
      const problems = rowProblems(event);
      if (problems.length > 0) return { poison: `event ${event.event_id}: ${problems.join('; ')}` };
      record = { kind: 'event', event };
    }
    mended.push(record);
  }
  return { records: mended, droppedValues };
}
