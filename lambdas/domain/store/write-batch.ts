/**
 * The writer's domain: turns one SQS batch of queue records into one Parquet file per partition,
 * and says which messages must be retried.
 *
 * - Every message is resolved as a whole: if one of its records is malformed, none of its records
 *   is written and the message fails (SQS retries it; after maxReceiveCount it goes to the
 *   dead-letter queue and from there to the archive).
 * - An update whose event is not stored yet is kept as a pending update (pending-updates.ts), not
 *   retried. After the files are stored, the pending updates of every event the batch wrote (and
 *   of every update it kept pending, in case its event was written meanwhile) are folded into a
 *   new version of the event, written as `<partition>/<batchId>-pending.parquet`, then forgotten.
 *   Without a pending-update store an update whose event is missing fails its message (retried).
 * - Rows of the surviving messages are grouped by partition (events by start_time, tombstones by
 *   deleted_at) and each group is written as `<partition>/<batchId>.parquet`, its payload objects
 *   first so that no row ever points at a missing payload.
 * - A message fails when any file it has rows in could not be written. Its other files stay: SQS
 *   delivery is at least once anyway, and a retry rewrites the same (event_id, version) rows, which
 *   the read side's dedup view and compaction collapse to one.
 * - Poison never takes other messages with it. A message that can never be written (a malformed
 *   record, a value its column cannot hold) is set aside as poison before any file is encoded; if a
 *   file still fails to encode, it is split by message and each half written on its own, until only
 *   the messages that cannot be encoded are left. Poison messages are not retried (a retry would
 *   fail the same way): the caller keeps them in the dead-letter archive with the reason.
 */
import type { ScoreRecord } from '../evaluators/evaluator';
import type { EventRecord, Tenant, WaggleEvent, WaggleEventUpdate, WaggleTombstone } from '../events/event';
import type { ObjectStore } from '../ports';
import { runWithConcurrency } from '../run-with-concurrency';
import { applyUpdate } from './apply-update';
import { checkRecord, InvalidRecordError } from './check-record';
import { EVENT_COLUMNS, TOMBSTONE_COLUMNS } from './columns';
import { BatchChanges } from './compaction-changes';
import { enrichEvent } from './enrich-event';
import { type EventRowOptions, eventRowValues, type PayloadObject } from './event-row';
import {
  EVENT_SCHEMA_COLUMNS,
  eventSchemaBatchKey,
  eventSchemaRows,
  schemaParquetRows,
} from './event-schema';
import { type EventWithRefs, withFullSections } from './full-sections';
import { EVENTS_PREFIX, hourPartitionOf, partitionPrefix, TOMBSTONES_PREFIX } from './layout';
import { LOCATOR_COLUMNS, locatorFileKey, locatorParquetRows, locatorRows } from './locator';
import {
  type ParquetWriteTuning,
  writeParquet,
  writeParquetRows,
  writeParquetRowValues,
} from './parquet-files';
import type { PendingUpdateStore } from './pending-updates';
import { type RolledUpUpdate, storeRollupFiles } from './rollup-files';
import { SCORE_COLUMNS, scoreParquetRow, scorePartitionPrefix } from './scores';
import { settlePending, type WrittenEvent } from './settle-pending';
import { rowProblems } from './storable-values';
import { tombstoneRowValues } from './tombstone-row';

/**
 * Newest stored version of each event id (the query layer's dedup view); missing ids are left out.
 * Events whose row holds truncated inputs/outputs carry the payload keys in inputs_ref/outputs_ref.
 */
export type LookupLatest = (tenant: Tenant, eventIds: string[]) => Promise<Map<string, EventWithRefs>>;

export interface WriteItem {
  messageId: string;
  records: EventRecord[];
}

export interface WriteBatchDeps {
  store: ObjectStore;
  lookupLatest: LookupLatest;
  /** Names this batch's files; unique per invocation (e.g. the Lambda request id). */
  batchId: string;
  clock?: () => number;
  rowOptions?: EventRowOptions;
  parquet?: ParquetWriteTuning;
  /** Files written at once. Default 8. */
  concurrency?: number;
  /** Told about each message or file that failed, for logging. */
  onFailure?: (failure: WriteFailure) => void;
  /** Where updates wait for their event; without it such an update fails its message (retried). */
  pendingUpdates?: PendingUpdateStore;
}

export type WriteFailure =
  | { stage: 'resolve'; messageId: string; error: unknown }
  | { stage: 'write'; key: string; messageIds: string[]; error: unknown }
  | { stage: 'encode'; key: string; messageIds: string[]; error: unknown }
  /** Keeping, finding or folding pending updates failed (the messages are retried, or nothing is lost). */
  | { stage: 'pending'; messageIds: string[]; error: unknown }
  /** An event-schema file could not be written: no message fails, the batch's events are stored. */
  | { stage: 'schema'; key: string; error: unknown };

/** A message that can never be written, and why (for the dead-letter archive). */
export interface PoisonMessage {
  messageId: string;
  stage: 'resolve' | 'encode';
  reason: string;
}

export interface WriteBatchResult {
  /** Messages to retry: something failed that may succeed next time (a store write, a lookup). */
  failedMessageIds: string[];
  /** Messages that will fail however often they are retried; none of their rows was written. */
  poisonMessages: PoisonMessage[];
  written: { files: number; events: number; tombstones: number };
  /**
   * The event-schema files (event-schema.ts), one per project whose events were stored: written,
   * and failed. Best effort: a failed one is logged and counted, and its events are written anyway.
   */
  schemas: { files: number; failed: number };
  /** With a pending-update store: updates kept waiting for their event, and updates folded into one. */
  pending?: { kept: number; applied: number };
  /** When the batch carried scores: the scores-table files and rows written (store/scores.ts). */
  scores?: { files: number; rows: number };
  /** The per-minute rollup files and rows of the batch's new events (monitors read them). */
  rollups?: { files: number; rows: number };
}

export class MissingUpdateBaseError extends Error {
  override readonly name = 'MissingUpdateBaseError';
}

/** An event whose values its columns cannot hold (store/storable-values.ts): poison, never retried. */
export class UnstorableEventError extends Error {
  override readonly name = 'UnstorableEventError';
}

/** Errors no retry can mend: the message's records themselves are wrong. */
function isPoison(error: unknown): boolean {
  return error instanceof InvalidRecordError || error instanceof UnstorableEventError;
}

const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const DEFAULT_CONCURRENCY = 8;

export async function writeRecords(items: WriteItem[], batchDeps: WriteBatchDeps): Promise<WriteBatchResult> {
  if (!BATCH_ID_PATTERN.test(batchDeps.batchId))
    throw new Error(`Invalid batch id ${JSON.stringify(batchDeps.batchId)}`);
  // What the batch stores is noted for compaction (compaction-changes.ts), so it never lists the store.
  const changes = new BatchChanges(batchDeps.store);
  const deps: WriteBatchDeps = { ...batchDeps, store: changes.store };
  const failed = new Set<string>();
  const poison = new Map<string, PoisonMessage>();
  const fail: FailMessages = (failure, messageIds) => {
    deps.onFailure?.(failure);
    const reason = describe(failure.error);
    for (const id of messageIds) {
      if (failure.stage === 'encode' || (failure.stage === 'resolve' && isPoison(failure.error))) {
        poison.set(id, { messageId: id, stage: failure.stage, reason });
      } else failed.add(id);
    }
  };

  const checked = checkItems(items, fail);
  const lookups = await lookUpUpdateBases(checked, deps);
  const outputs = resolveMessages(checked, lookups, fail, deps.pendingUpdates !== undefined);
  const files = groupIntoFiles(outputs, deps);

  // Every file is encoded before any is stored, so a message found to be poison while encoding
  // has none of its rows written, in any partition.
  const encoded = encodeSettingPoisonAside(files, deps, fail, poison);
  // Where the batch's events lie, before the events themselves: an event without its locator row
  // could not be found by id. A project whose locator file fails has none of its events written.
  const unlocated = await storeLocatorFiles(deps.store, encoded, deps, fail);
  const storable = encoded.filter(({ file }) => !unlocated.has(file));
  const written = { files: 0, events: 0, tombstones: 0 };
  const stored: PartitionFile[] = [];
  await runWithConcurrency(storable, deps.concurrency ?? DEFAULT_CONCURRENCY, async ({ file, body }) => {
    try {
      await storeFile(deps.store, file.key, body);
      stored.push(file);
      written.files++;
      written.events += file.events.length;
      written.tombstones += file.tombstones.length;
      changes.deleted(file.tombstones);
    } catch (error) {
      // The store, not the rows: the file's messages are retried.
      fail({ stage: 'write', key: file.key, messageIds: [...file.messageIds], error }, [...file.messageIds]);
    }
  });
  // The scores of the messages written so far (a failed message's come again with its retry).
  const scores = await storeScoreFiles(checked, deps, fail, (id) => !failed.has(id) && !poison.has(id));
  // Rollups of the new events and of the metrics updates set (scores) of the messages written so
  // far; a message whose rollup file fails is retried, and its events (rewritten, collapsed on
  // read) are rolled up by the retry alone.
  const rollups = await storeRollupFiles(
    outputs.flatMap((output) =>
      output.kind === 'event' && !failed.has(output.messageId) && !poison.has(output.messageId)
        ? [output]
        : [],
    ),
    deps,
    (failure, messageIds) => fail(failure, messageIds),
  );
  // Best effort: the fields the stored events have, for the console's filter suggestions.
  const schemas = await storeSchemaFiles(batchDeps.store, stored, deps);
  const pending =
    deps.pendingUpdates &&
    (await settleBatch(outputs, deps.pendingUpdates, deps, fail, (id) => !failed.has(id) && !poison.has(id)));
  if (pending) {
    written.files += pending.written.files;
    written.events += pending.written.events;
  }
  // Before the batch is acknowledged; if this fails the whole batch is delivered again (its files
  // are rewritten with the same rows, which reads and compaction collapse).
  await changes.record(batchDeps.store, deps.batchId);
  const ids = items.map((item) => item.messageId);
  return {
    failedMessageIds: ids.filter((id) => failed.has(id) && !poison.has(id)),
    poisonMessages: ids.flatMap((id) => poison.get(id) ?? []),
    written,
    schemas,
    ...(scores.rows > 0 && { scores }),
    ...(rollups.rows > 0 && { rollups }),
    ...(pending && { pending: { kept: pending.kept, applied: pending.applied } }),
  };
}

type FailMessages = (failure: WriteFailure, messageIds: string[]) => void;

/** Keeps the batch's waiting updates and folds pending updates into the events now stored (settle-pending.ts). */
function settleBatch(
  outputs: Output[],
  pendingUpdates: PendingUpdateStore,
  deps: WriteBatchDeps,
  fail: FailMessages,
  succeeded: (messageId: string) => boolean,
) {
  const written: WrittenEvent[] = [];
  const waiting: { update: WaggleEventUpdate; messageId: string }[] = [];
  for (const output of outputs) {
    if (!succeeded(output.messageId)) continue;
    if (output.kind === 'event') written.push(output);
    else if (output.kind === 'pending') waiting.push(output);
  }
  const concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
  const failPending = (messageIds: string[], error: unknown) =>
    fail({ stage: 'pending', messageIds, error }, messageIds);
  return settlePending(written, waiting, {
    pending: pendingUpdates,
    lookupLatest: deps.lookupLatest,
    payloads: deps.store,
    concurrency,
    fail: failPending,
    onProblem: (messageIds, error) => deps.onFailure?.({ stage: 'pending', messageIds, error }),
    // Folded versions get their own files, so a retry of this batch's files never overlaps them.
    async storeEvents(events) {
      const files = groupIntoFiles(
        events.map((entry) => ({ kind: 'event' as const, ...entry })),
        { ...deps, batchId: `${deps.batchId}-pending` },
      );
      const stored: WrittenEvent[] = [];
      let count = 0;
      await runWithConcurrency(files, concurrency, async (file) => {
        const messageIds = [...file.messageIds];
        try {
          await storeFile(deps.store, file.key, encodeFile(file, deps));
          count++;
          file.events.forEach((event, index) => {
            stored.push({ event, messageId: file.rowMessageIds[index] as string });
          });
        } catch (error) {
          failPending(messageIds, error);
        }
      });
      return { stored, files: count };
    },
  });
}

interface EncodedPartition {
  file: PartitionFile;
  body: EncodedFile;
}

/**
 * Encodes every file. A file that fails to encode is split by message and each half encoded on
 * its own, down to single messages, so only the message whose rows cannot be encoded is set aside
 * (encoding is deterministic: the same rows fail the same way). A message set aside may have rows
 * in other partitions' files too; those files are encoded again without them, until no encoded
 * file holds a row of a poison message.
 */
function encodeSettingPoisonAside(
  files: PartitionFile[],
  deps: WriteBatchDeps,
  fail: FailMessages,
  poison: ReadonlyMap<string, PoisonMessage>,
): EncodedPartition[] {
  let encoded: EncodedPartition[] = [];
  let pending = files;
  while (pending.length > 0) {
    for (const file of pending) encodeSplitting(file, deps, fail, encoded);
    const tainted = encoded.filter(({ file }) => [...file.messageIds].some((id) => poison.has(id)));
    encoded = encoded.filter((partition) => !tainted.includes(partition));
    pending = tainted
      .map(({ file }) => withoutMessages(file, (id) => !poison.has(id), ''))
      .filter((file) => file.messageIds.size > 0);
  }
  return encoded;
}

function encodeSplitting(
  file: PartitionFile,
  deps: WriteBatchDeps,
  fail: FailMessages,
  encoded: EncodedPartition[],
): void {
  try {
    encoded.push({ file, body: encodeFile(file, deps) });
  } catch (error) {
    const messageIds = [...file.messageIds];
    if (messageIds.length === 1) {
      fail({ stage: 'encode', key: file.key, messageIds, error }, messageIds);
      return;
    }
    const firstHalf = new Set(messageIds.slice(0, Math.ceil(messageIds.length / 2)));
    encodeSplitting(
      withoutMessages(file, (id) => firstHalf.has(id), '-1'),
      deps,
      fail,
      encoded,
    );
    encodeSplitting(
      withoutMessages(file, (id) => !firstHalf.has(id), '-2'),
      deps,
      fail,
      encoded,
    );
  }
}

/**
 * The file with only the rows of the messages `keep` accepts. A split half gets a suffix so each
 * file of a partition keeps its own name; a file that only loses poison rows keeps its name.
 */
function withoutMessages(
  file: PartitionFile,
  keep: (messageId: string) => boolean,
  suffix: string,
): PartitionFile {
  const part: PartitionFile = {
    key: file.key.replace(/\.parquet$/, `${suffix}.parquet`),
    table: file.table,
    events: [],
    tombstones: [],
    rowMessageIds: [],
    messageIds: new Set(),
  };
  const rows = file.table === EVENTS_PREFIX ? file.events : file.tombstones;
  rows.forEach((row, index) => {
    const messageId = file.rowMessageIds[index] as string;
    if (!keep(messageId)) return;
    if (file.table === EVENTS_PREFIX) part.events.push(row as WaggleEvent);
    else part.tombstones.push(row as WaggleTombstone);
    part.rowMessageIds.push(messageId);
    part.messageIds.add(messageId);
  });
  return part;
}

interface CheckedItem {
  messageId: string;
  /** Events, updates and tombstones; a message's scores are apart (they go to the scores table). */
  records: Exclude<EventRecord, { kind: 'score' }>[];
  scores: ScoreRecord[];
}

/** The events a batch brings as new (not updates of stored ones): only these are rolled up. */
function checkItems(items: WriteItem[], fail: FailMessages): CheckedItem[] {
  const checked: CheckedItem[] = [];
  for (const item of items) {
    try {
      if (!Array.isArray(item.records)) throw new InvalidRecordError('message records are not an array');
      const records: CheckedItem['records'] = [];
      const scores: ScoreRecord[] = [];
      for (const record of item.records.map(checkRecord)) {
        if (record.kind === 'score') scores.push(record.score);
        else records.push(record);
      }
      checked.push({ messageId: item.messageId, records, scores });
    } catch (error) {
      fail({ stage: 'resolve', messageId: item.messageId, error }, [item.messageId]);
    }
  }
  return checked;
}

/** Per tenant: the stored newest versions of every event the batch updates, or the lookup's error. */
type UpdateBases = Map<string, Map<string, WaggleEvent> | { error: unknown }>;

async function lookUpUpdateBases(items: CheckedItem[], deps: WriteBatchDeps): Promise<UpdateBases> {
  const wanted = new Map<string, { tenant: Tenant; eventIds: Set<string> }>();
  for (const item of items) {
    for (const record of item.records) {
      if (record.kind !== 'update') continue;
      const key = tenantKey(record.update);
      const entry = wanted.get(key) ?? { tenant: tenantOf(record.update), eventIds: new Set<string>() };
      entry.eventIds.add(record.update.event_id);
      wanted.set(key, entry);
    }
  }
  const bases: UpdateBases = new Map();
  await Promise.all(
    [...wanted].map(async ([key, { tenant, eventIds }]) => {
      try {
        const found = await deps.lookupLatest(tenant, [...eventIds]);
        const full = await Promise.all(
          [...found].map(async ([id, event]) => [id, await withFullSections(deps.store, event)] as const),
        );
        bases.set(key, new Map(full));
      } catch (error) {
        bases.set(key, { error });
      }
    }),
  );
  return bases;
}

type Output =
  /** `fromUpdate`: the version an update made, with the metrics it set (rollup-files.ts). */
  | { kind: 'event'; event: WaggleEvent; messageId: string; fromUpdate?: RolledUpUpdate }
  | { kind: 'tombstone'; tombstone: WaggleTombstone; messageId: string }
  | { kind: 'pending'; update: WaggleEventUpdate; messageId: string };

/**
 * Resolves messages in batch order. A message's changes to the in-batch "newest version" map are
 * staged and kept only if the whole message resolves, so later updates never build on a failed one.
 * With keepPending, an update whose event is not found becomes a pending output, and so does every
 * later update of that event in the batch, so that all of them are applied in order, together.
 */
function resolveMessages(
  items: CheckedItem[],
  bases: UpdateBases,
  fail: FailMessages,
  keepPending: boolean,
): Output[] {
  const newest = new Map<string, WaggleEvent>();
  const waiting = new Set<string>();
  const outputs: Output[] = [];
  for (const item of items) {
    const staged = new Map<string, WaggleEvent>();
    const stagedWaiting = new Set<string>();
    const messageOutputs: Output[] = [];
    try {
      for (const record of item.records) {
        if (record.kind === 'tombstone') {
          messageOutputs.push({ kind: 'tombstone', tombstone: record.tombstone, messageId: item.messageId });
          continue;
        }
        let base: WaggleEvent | undefined;
        if (record.kind === 'update') {
          const key = eventKey(record.update.project_id, record.update.event_id);
          base =
            waiting.has(key) || stagedWaiting.has(key)
              ? undefined
              : findBase(record.update, staged, newest, bases);
          if (base === undefined && keepPending) {
            stagedWaiting.add(key);
            messageOutputs.push({ kind: 'pending', update: record.update, messageId: item.messageId });
            continue;
          }
          if (base === undefined)
            throw new MissingUpdateBaseError(
              `Update of event ${record.update.event_id}: no stored version yet`,
            );
        }
        const event =
          record.kind === 'event'
            ? enrichEvent(record.event)
            : enrichEvent(applyUpdate(base as WaggleEvent, record.update));
        assertStorable(event);
        const key = eventKey(event.project_id, event.event_id);
        const known = staged.get(key) ?? newest.get(key);
        if (known === undefined || event.version >= known.version) staged.set(key, event);
        messageOutputs.push({
          kind: 'event',
          event,
          messageId: item.messageId,
          ...(record.kind === 'update' && { fromUpdate: { metrics: record.update.patch.metrics } }),
        });
      }
    } catch (error) {
      fail({ stage: 'resolve', messageId: item.messageId, error }, [item.messageId]);
      continue;
    }
    for (const [key, event] of staged) newest.set(key, event);
    for (const key of stagedWaiting) waiting.add(key);
    outputs.push(...messageOutputs);
  }
  return outputs;
}

/** The newest version an update applies to, from the batch or the store; undefined when neither has one. */
function findBase(
  update: WaggleEventUpdate,
  staged: Map<string, WaggleEvent>,
  newest: Map<string, WaggleEvent>,
  bases: UpdateBases,
): WaggleEvent | undefined {
  const key = eventKey(update.project_id, update.event_id);
  const inBatch = staged.get(key) ?? newest.get(key);
  const lookedUp = bases.get(tenantKey(update));
  if (lookedUp !== undefined && !(lookedUp instanceof Map)) {
    throw new Error(`Could not look up the event an update patches: ${describe(lookedUp.error)}`);
  }
  const stored = lookedUp instanceof Map ? lookedUp.get(update.event_id) : undefined;
  if (inBatch === undefined) return stored;
  if (stored === undefined) return inBatch;
  return stored.version > inBatch.version ? stored : inBatch;
}

/** Ingest refuses or drops what the store cannot hold; a record that still carries such a value is poison. */
function assertStorable(event: WaggleEvent): void {
  const problems = rowProblems(event);
  if (problems.length === 0) return;
  throw new UnstorableEventError(`event ${event.event_id} cannot be stored: ${problems.join('; ')}`);
}

interface PartitionFile {
  key: string;
  table: typeof EVENTS_PREFIX | typeof TOMBSTONES_PREFIX;
  /** The file's rows: events for the events table, tombstones for the tombstones table. */
  events: WaggleEvent[];
  tombstones: WaggleTombstone[];
  /** The message each row came from, in row order. */
  rowMessageIds: string[];
  messageIds: Set<string>;
}

function groupIntoFiles(outputs: Output[], deps: WriteBatchDeps): PartitionFile[] {
  const files = new Map<string, PartitionFile>();
  const fileFor = (table: PartitionFile['table'], projectId: string, epochMs: number) => {
    const key = `${partitionPrefix(table, hourPartitionOf(projectId, epochMs))}${deps.batchId}.parquet`;
    let file = files.get(key);
    if (file === undefined) {
      file = { key, table, events: [], tombstones: [], rowMessageIds: [], messageIds: new Set() };
      files.set(key, file);
    }
    return file;
  };
  for (const output of outputs) {
    if (output.kind === 'pending') continue;
    if (output.kind === 'event') {
      const file = fileFor(EVENTS_PREFIX, output.event.project_id, output.event.start_time);
      file.events.push(output.event);
      file.rowMessageIds.push(output.messageId);
      file.messageIds.add(output.messageId);
    } else {
      const file = fileFor(TOMBSTONES_PREFIX, output.tombstone.project_id, output.tombstone.deleted_at);
      file.tombstones.push(output.tombstone);
      file.rowMessageIds.push(output.messageId);
      file.messageIds.add(output.messageId);
    }
  }
  return [...files.values()];
}

interface EncodedFile {
  body: Uint8Array;
  payloads: PayloadObject[];
}

function encodeFile(file: PartitionFile, deps: WriteBatchDeps): EncodedFile {
  const writtenAt = new Date((deps.clock ?? Date.now)()).toISOString();
  const options = {
    ...deps.parquet,
    metadata: { 'waggle.batch_id': deps.batchId, 'waggle.written_at': writtenAt },
  };
  const payloads: PayloadObject[] = [];
  // Rows are made as the encoder asks for them (see writeParquetRows), collecting the payload
  // objects of inputs/outputs too large for a row on the way.
  const body =
    file.table === EVENTS_PREFIX
      ? writeParquetRows(
          EVENT_COLUMNS,
          file.events.length,
          (index) => {
            const row = eventRowValues(file.events[index] as WaggleEvent, deps.rowOptions);
            if (row.payloads.length > 0) payloads.push(...row.payloads);
            return row.values;
          },
          options,
        )
      : writeParquetRowValues(TOMBSTONE_COLUMNS, file.tombstones.map(tombstoneRowValues), options);
  return { body, payloads };
}

/**
 * One tier-0 locator file per project of the batch (locator.ts). Returns the events files of the
 * projects whose locator file could not be stored; their messages have failed (and are retried).
 */
async function storeLocatorFiles(
  store: ObjectStore,
  encoded: readonly EncodedPartition[],
  deps: WriteBatchDeps,
  fail: FailMessages,
): Promise<Set<PartitionFile>> {
  const byProject = new Map<string, PartitionFile[]>();
  for (const { file } of encoded) {
    const [first] = file.events;
    if (first === undefined) continue;
    const list = byProject.get(first.project_id);
    if (list === undefined) byProject.set(first.project_id, [file]);
    else list.push(file);
  }
  const unlocated = new Set<PartitionFile>();
  const metadata = { 'waggle.batch_id': deps.batchId };
  await runWithConcurrency(
    [...byProject],
    deps.concurrency ?? DEFAULT_CONCURRENCY,
    async ([projectId, files]) => {
      const key = locatorFileKey(encodeURIComponent(projectId), 0, deps.batchId);
      try {
        const rows = locatorRows(files.flatMap((file) => file.events));
        const body = writeParquet(LOCATOR_COLUMNS, locatorParquetRows(rows), { ...deps.parquet, metadata });
        await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
      } catch (error) {
        const messageIds = [...new Set(files.flatMap((file) => [...file.messageIds]))];
        fail({ stage: 'write', key, messageIds, error }, messageIds);
        for (const file of files) unlocated.add(file);
      }
    },
  );
  return unlocated;
}

/**
 * One event-schema file per project of the events stored (event-schema.ts), after them. Best
 * effort: the schema is a hint for the console, derived from events that are already stored, so a
 * failure is reported (onFailure, counted in the result) and never fails a message; the fields it
 * would have listed are listed again by the next batch that sees them.
 */
/**
 * One scores-table file per partition (project, the scored event's day) of the batch's scores. A
 * file that cannot be stored fails the messages whose scores it held (SQS brings them back).
 */
async function storeScoreFiles(
  items: readonly CheckedItem[],
  deps: WriteBatchDeps,
  fail: FailMessages,
  writable: (messageId: string) => boolean,
): Promise<{ files: number; rows: number }> {
  const byPartition = new Map<string, { scores: ScoreRecord[]; messageIds: Set<string> }>();
  for (const item of items) {
    if (item.scores.length === 0 || !writable(item.messageId)) continue;
    for (const score of item.scores) {
      const prefix = scorePartitionPrefix(score);
      const group = byPartition.get(prefix) ?? { scores: [], messageIds: new Set<string>() };
      group.scores.push(score);
      group.messageIds.add(item.messageId);
      byPartition.set(prefix, group);
    }
  }
  const result = { files: 0, rows: 0 };
  await runWithConcurrency(
    [...byPartition],
    deps.concurrency ?? DEFAULT_CONCURRENCY,
    async ([prefix, group]) => {
      const key = `${prefix}${deps.batchId}.parquet`;
      try {
        const body = writeParquet(SCORE_COLUMNS, group.scores.map(scoreParquetRow), {
          ...deps.parquet,
          metadata: { 'waggle.batch_id': deps.batchId },
        });
        await deps.store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
        result.files++;
        result.rows += group.scores.length;
      } catch (error) {
        fail({ stage: 'write', key, messageIds: [...group.messageIds], error }, [...group.messageIds]);
      }
    },
  );
  return result;
}

async function storeSchemaFiles(
  store: ObjectStore,
  files: readonly PartitionFile[],
  deps: WriteBatchDeps,
): Promise<{ files: number; failed: number }> {
  const byProject = new Map<string, WaggleEvent[]>();
  for (const file of files)
    for (const event of file.events) {
      const list = byProject.get(event.project_id);
      if (list === undefined) byProject.set(event.project_id, [event]);
      else list.push(event);
    }
  const result = { files: 0, failed: 0 };
  const metadata = { 'waggle.batch_id': deps.batchId };
  await runWithConcurrency(
    [...byProject],
    deps.concurrency ?? DEFAULT_CONCURRENCY,
    async ([projectId, events]) => {
      const key = eventSchemaBatchKey(encodeURIComponent(projectId), deps.batchId);
      try {
        const rows = eventSchemaRows(events);
        if (rows.length === 0) return;
        const body = writeParquet(EVENT_SCHEMA_COLUMNS, schemaParquetRows(rows), {
          ...deps.parquet,
          metadata,
        });
        await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
        result.files++;
      } catch (error) {
        result.failed++;
        deps.onFailure?.({ stage: 'schema', key, error });
      }
    },
  );
  return result;
}

async function storeFile(store: ObjectStore, key: string, { body, payloads }: EncodedFile): Promise<void> {
  // Payloads first: a row must never point at an object that is not there.
  await Promise.all(
    payloads.map((payload) =>
      store.put(payload.key, payload.body, { contentType: 'application/json', contentEncoding: 'gzip' }),
    ),
  );
  await store.put(key, body, { contentType: 'application/vnd.apache.parquet' });
}

function eventKey(projectId: string, eventId: string): string {
  return `${projectId}\u0000${eventId}`;
}

function tenantKey(tenant: Tenant): string {
  return `${tenant.org_id}\u0000${tenant.workspace_id}\u0000${tenant.project_id}`;
}

function tenantOf(tenant: Tenant): Tenant {
  return { org_id: tenant.org_id, workspace_id: tenant.workspace_id, project_id: tenant.project_id };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
