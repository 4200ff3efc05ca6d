/**
 * The scores table as the writer keeps it (store/scores.ts): one file per project and scored event's
 * day for each batch, every field of a score read back as written; a malformed score record poisons
 * its message only; a failed put fails the messages whose scores it held, and nothing else.
 */
import { describe, expect, it } from 'vitest';
import type { ScoreRecord } from '../../../lambdas/domain/evaluators/evaluator';
import type { EventRecord } from '../../../lambdas/domain/events/event';
import { readParquet } from '../../../lambdas/domain/store/parquet-files';
import { SCORE_COLUMNS } from '../../../lambdas/domain/store/scores';
import { writeRecords } from '../../../lambdas/domain/store/write-batch';
import { eventRecord, FaultyMemoryStore, T0, TENANT } from './store-fixtures';

const noLookup = async () => new Map();

function score(overrides: Partial<ScoreRecord> = {}): ScoreRecord {
  return {
    ...TENANT,
    score_id: 'sc-1',
    event_id: 'evt-1',
    session_id: 'ses-1',
    event_start_time: T0,
    evaluator_id: 'judge',
    evaluator_name: 'helpful',
    evaluator_version: 2,
    value: 0.75,
    passed: true,
    explanation: 'Answers the question [[0.75]]',
    cost: 0.0012,
    judge_event_id: 'judge-evt',
    status: 'ok',
    error: null,
    source: 'online',
    scored_at: T0 + 5_000,
    ...overrides,
  };
}

function scoreRecord(overrides: Partial<ScoreRecord> = {}): EventRecord {
  return { kind: 'score', score: score(overrides) };
}

describe('the writer and the scores table', () => {
  it("writes a batch's scores per project and scored day, every field as it came", async () => {
    const store = new FaultyMemoryStore();
    const nextDay = T0 + 86_400_000;
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [eventRecord({ event_id: 'a' }), scoreRecord()] },
        {
          messageId: 'm2',
          records: [
            scoreRecord({
              score_id: 'sc-2',
              event_start_time: nextDay,
              status: 'error',
              value: null,
              passed: null,
              error: 'timeout: 5 s',
            }),
            scoreRecord({ score_id: 'sc-3', project_id: 'proj-2', value: 'polite' }),
          ],
        },
      ],
      { store, lookupLatest: noLookup, batchId: 'b1' },
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(result.poisonMessages).toEqual([]);
    expect(result.scores).toEqual({ files: 3, rows: 3 });
    expect(store.keys('scores/')).toEqual([
      'scores/project_id=proj-1/dt=2026-03-04/b1.parquet',
      'scores/project_id=proj-1/dt=2026-03-05/b1.parquet',
      'scores/project_id=proj-2/dt=2026-03-04/b1.parquet',
    ]);
    const [row] = await readParquet(
      SCORE_COLUMNS,
      store.objects.get('scores/project_id=proj-1/dt=2026-03-04/b1.parquet') as Uint8Array,
    );
    // Every field as written: the project is the file's partition, the value is kept as text.
    const { project_id: _, ...columns } = score();
    expect(row).toEqual({ ...columns, value: '0.75' });
    const [failed] = await readParquet(
      SCORE_COLUMNS,
      store.objects.get('scores/project_id=proj-1/dt=2026-03-05/b1.parquet') as Uint8Array,
    );
    expect(failed).toMatchObject({ status: 'error', value: null, error: 'timeout: 5 s' });
    // The event of m1 is stored as usual.
    expect(result.written.events).toBe(1);
  });

  it.each([
    ['a score without an id', { score_id: '' }],
    ['a score of no tenant', { project_id: '' }],
    ['a score with an object for a value', { value: { nested: true } as never }],
    ['a score of an unknown status', { status: 'maybe' as never }],
    ['a score without the event time', { event_start_time: Number.NaN }],
  ])('sets aside %s as poison, and writes the other messages', async (_name, overrides) => {
    const store = new FaultyMemoryStore();
    const result = await writeRecords(
      [
        { messageId: 'bad', records: [scoreRecord(overrides)] },
        { messageId: 'good', records: [scoreRecord({ score_id: 'sc-9' })] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b1' },
    );
    expect(result.poisonMessages.map((poison) => poison.messageId)).toEqual(['bad']);
    expect(result.scores).toEqual({ files: 1, rows: 1 });
  });

  it('fails only the messages whose scores could not be stored (SQS brings them back)', async () => {
    const store = new FaultyMemoryStore();
    store.failPut = (key) => key.startsWith('scores/project_id=proj-2/');
    const result = await writeRecords(
      [
        { messageId: 'm1', records: [scoreRecord()] },
        { messageId: 'm2', records: [scoreRecord({ score_id: 'sc-2', project_id: 'proj-2' })] },
        { messageId: 'm3', records: [eventRecord({ event_id: 'b' })] },
      ],
      { store, lookupLatest: noLookup, batchId: 'b1' },
    );
    expect(result.failedMessageIds).toEqual(['m2']);
    expect(store.keys('scores/')).toEqual(['scores/project_id=proj-1/dt=2026-03-04/b1.parquet']);
    expect(result.written.events).toBe(1);
  });
});
