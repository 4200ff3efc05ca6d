/**
 * The dead-letter workflow: poison set aside by the writer and messages the queue gave up on are
 * listed by reason and project, and replayed with their original ids; what is still poison stays.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileObjectStore } from '../../../lambdas/adapters/local/file-object-store';
import { createDeadLetterArchiver } from '../../../lambdas/dead-letter-archiver/app';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import {
  readDeadLetters,
  replayDeadLetters,
  summarizeDeadLetters,
} from '../../../lambdas/domain/ingest/dead-letters';
import { recordsMessageBody } from '../../../lambdas/domain/ingest/queue-envelope';
import type { ObjectStore } from '../../../lambdas/domain/ports';
import { EVENT_COLUMNS } from '../../../lambdas/domain/store/columns';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import { localPaths } from '../../../lambdas/local/paths';
import { createWriterHandler } from '../../../lambdas/writer/app';
import { MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';
import { sqsEvent } from '../../support/sqs-event';
import { eventRecord, T0, TENANT } from '../store/store-fixtures';

const noLookup = async () => new Map();
const sqsEventAt = (messages: Parameters<typeof sqsEvent>[0]) =>
  sqsEvent(messages, { sentAt: T0, receiveCount: 5 });

function body(records: EventRecord[]): string {
  return recordsMessageBody(records.map((record) => JSON.stringify(record)));
}

/** Fills `store` with four dead letters: one of each kind the workflow meets. */
async function archiveFour(store: ObjectStore): Promise<void> {
  const writer = createWriterHandler({
    store,
    overflowStore: store,
    lookupLatest: noLookup,
    clock: () => T0,
  });
  const fromWriter = await writer(
    sqsEventAt([
      // Set aside at once by the writer: a count beyond the store's range (mendable).
      { id: 'too-big', body: body([eventRecord({ event_id: 'big', prompt_tokens: 2 ** 63 })]) },
      // Set aside at once: an event type no reader knows (not mendable).
      { id: 'banana', body: body([eventRecord({ event_id: 'ban', event_type: 'banana' as never })]) },
    ]),
  );
  expect(fromWriter.batchItemFailures).toEqual([]);
  // The queue gave up on these (a store outage that outlasted the receives; a corrupt body).
  const archiver = createDeadLetterArchiver(store, { clock: () => T0 });
  await archiver(
    sqsEventAt([
      {
        id: 'exhausted',
        body: body([eventRecord({ event_id: 'ok', project_id: 'proj-2', prompt_tokens: 7 })]),
      },
      { id: 'garbage', body: 'not a queue message' },
    ]),
  );
}

describe('the dead-letter archive', () => {
  it('lists by reason and project, and replays what can be mended with the original ids', async () => {
    const store = new MemoryObjectStore();
    await archiveFour(store);

    const entries = await readDeadLetters(store, store);
    expect(entries.map((entry) => [entry.letter.messageId, entry.reason, entry.projects])).toEqual([
      ['banana', 'resolve', [TENANT.project_id]],
      ['exhausted', 'receives-exhausted', ['proj-2']],
      ['garbage', 'receives-exhausted', ['unknown']],
      ['too-big', 'resolve', [TENANT.project_id]],
    ]);
    expect(summarizeDeadLetters(entries)).toEqual([
      expect.objectContaining({
        reason: 'resolve',
        project: TENANT.project_id,
        messages: 2,
        records: 2,
        example: expect.stringContaining('cannot be stored'),
      }),
      expect.objectContaining({ reason: 'receives-exhausted', project: 'proj-2', messages: 1, records: 1 }),
      expect.objectContaining({ reason: 'receives-exhausted', project: 'unknown', messages: 1, records: 0 }),
    ]);
    const onlyProject = await readDeadLetters(store, store, { projectId: 'proj-2' });
    expect(onlyProject.map((entry) => entry.letter.messageId)).toEqual(['exhausted']);

    const queue = new MemoryQueue();
    const outcomes = await replayDeadLetters(entries, {
      store,
      overflowStore: store,
      eventsQueue: queue,
      clock: () => T0 + 1,
    });
    expect(outcomes.map((outcome) => [outcome.messageId, outcome.queued, outcome.droppedValues])).toEqual([
      ['banana', 0, 0],
      ['exhausted', 1, 0],
      ['garbage', 0, 0],
      ['too-big', 1, 1],
    ]);
    expect(outcomes[0]?.notSent).toMatch(/still poison: .*event_type "banana"/);
    expect(outcomes[2]?.notSent).toMatch(/^unreadable/);

    // The replayed messages now write: the mended event keeps its id and version, its count empty.
    const writer = createWriterHandler({ store, overflowStore: store, lookupLatest: noLookup });
    const replayed = await writer(
      sqsEventAt(queue.messages.map((message, index) => ({ id: `r${index}`, body: message.body }))),
    );
    expect(replayed.batchItemFailures).toEqual([]);
    const rows = [];
    for await (const key of store.list('events/')) {
      rows.push(...(await readParquet(EVENT_COLUMNS, (await store.get(key)) as Uint8Array)));
    }
    expect(rows.map((row) => [row.event_id, row.version, row.prompt_tokens]).sort()).toEqual([
      ['big', 1_000_000, null],
      ['ok', 1_000_000, 7],
    ]);
    const big = rows.find((row) => row.event_id === 'big') as { metadata: string };
    expect(JSON.parse(big.metadata).normalization_notes).toEqual([
      'prompt_tokens 9223372036854776000 is beyond the largest whole number the store keeps exactly (9007199254740991); left empty',
    ]);

    // Replayed letters are marked, so a second replay sends nothing twice; list still shows them.
    const again = await readDeadLetters(store, store);
    expect(again.map((entry) => entry.letter.messageId)).toEqual(['banana', 'garbage']);
    const all = await readDeadLetters(store, store, { includeReplayed: true });
    expect(all.filter((entry) => entry.letter.replayedAt !== undefined)).toHaveLength(2);
  });

  it('a dry run queues nothing and marks nothing', async () => {
    const store = new MemoryObjectStore();
    await archiveFour(store);
    const queue = new MemoryQueue();
    const entries = await readDeadLetters(store, store);
    const outcomes = await replayDeadLetters(entries, {
      store,
      overflowStore: store,
      eventsQueue: queue,
      dryRun: true,
    });
    expect(queue.messages).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.notSent === undefined)).toHaveLength(2);
    expect(await readDeadLetters(store, store)).toHaveLength(4);
  });

  it('refuses a day that is not YYYY-MM-DD', async () => {
    await expect(
      readDeadLetters(new MemoryObjectStore(), new MemoryObjectStore(), { fromDay: '2026-1-1' }),
    ).rejects.toThrow(/not a day/);
  });

  describe('npm run dead-letters on a local data folder', () => {
    let dataDir: string;
    beforeEach(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'waggle-dead-letters-'));
    });
    afterEach(async () => {
      await rm(dataDir, { recursive: true, force: true });
    });

    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', 'bin/dead-letters.ts', ...args, '--local', '--data-dir', dataDir],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );

    it('lists by reason and project, then replays onto the local events queue', async () => {
      await archiveFour(new FileObjectStore(localPaths(dataDir).eventStore));
      const list = run('list');
      expect(list.status).toBe(0);
      expect(list.stdout).toMatch(/receives-exhausted.*proj-2/);
      expect(list.stdout).toMatch(/resolve.*proj-1/);

      const replay = run('replay', '--reason', 'resolve');
      // One of the two resolve letters is still poison: the command says so and exits 1.
      expect(replay.status).toBe(1);
      expect(replay.stdout).toMatch(/NOT SENT .*banana.*still poison/);
      expect(replay.stdout).toMatch(/1 message\(s\) replayed \(1 record\(s\)\), 1 not sent/);

      const bad = run('sideways');
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/say list or replay/);
    });
  });
});
