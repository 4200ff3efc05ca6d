import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_COLUMNS, type EventRow, TOMBSTONE_COLUMNS } from '../../../lambdas/domain/store/columns';
import { eventToRow } from '../../../lambdas/domain/store/event-row';
import { readParquet, writeParquet } from '../../../lambdas/domain/store/parquet-files';
import { makeEvent, T0 } from './store-fixtures';

const DUCKDB_TYPES = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' } as const;

function sampleRows(): EventRow[] {
  return [
    eventToRow(makeEvent()).row,
    eventToRow(
      makeEvent({
        event_id: 'evt-2',
        version: 1_767_000_000_123_456, // epoch microseconds: above 2^32, below 2^53
        model: null,
        prompt_tokens: null,
        completion_tokens: null,
        total_tokens: null,
        cost: null,
        parent_id: null,
        error: 'boom ✗',
        duration: 12.75,
      }),
    ).row,
    eventToRow(makeEvent({ event_id: 'evt-3', inputs: { big: 'y'.repeat(40_000) } })).row,
  ];
}

describe('writeParquet / readParquet', () => {
  it('reads back exactly the rows it wrote', async () => {
    const rows = sampleRows();
    const bytes = writeParquet(EVENT_COLUMNS, rows);
    expect(await readParquet(EVENT_COLUMNS, bytes)).toEqual(rows);
  });

  it('splits into row groups without losing or reordering rows', async () => {
    const rows = Array.from(
      { length: 250 },
      (_, index) => eventToRow(makeEvent({ event_id: `e${index}` })).row,
    );
    const bytes = writeParquet(EVENT_COLUMNS, rows, { rowGroupSize: 100 });
    expect(await readParquet(EVENT_COLUMNS, bytes)).toEqual(rows);
  });

  it('writes tombstone rows', async () => {
    const rows = [{ target: 'session', id: 's1', org_id: 'o', workspace_id: 'w', deleted_at: T0 }];
    expect(await readParquet(TOMBSTONE_COLUMNS, writeParquet(TOMBSTONE_COLUMNS, rows))).toEqual(rows);
  });

  it('refuses a value of the wrong type instead of writing a wrong file', () => {
    const row = { ...eventToRow(makeEvent()).row, start_time: '2026' as unknown as number };
    expect(() => writeParquet(EVENT_COLUMNS, [row])).toThrow(/start_time/);
  });
});

describe('DuckDB reads the files (the contract with the query layer and Athena)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waggle-parquet-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sees every column with its columns.ts type and the same values', async () => {
    const rows = sampleRows();
    const file = join(dir, 'events.parquet');
    await writeFile(file, writeParquet(EVENT_COLUMNS, rows));

    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    const described = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`))
      .getRowObjects()
      .map((column) => [column.column_name, column.column_type]);
    expect(described).toEqual(EVENT_COLUMNS.map((column) => [column.name, DUCKDB_TYPES[column.type]]));

    const read = (
      await connection.runAndReadAll(
        `SELECT event_id, version, duration, cost, prompt_tokens, error, deleted,
                json_extract_string(inputs, '$._truncated') AS truncated, inputs_ref
         FROM read_parquet('${file}') ORDER BY event_id`,
      )
    ).getRowObjects();
    expect(read).toEqual([
      expect.objectContaining({
        event_id: 'evt-1',
        version: 1_000_000n,
        duration: 1500,
        cost: 0.001,
        prompt_tokens: 10n,
        error: null,
        deleted: false,
        truncated: null,
        inputs_ref: null,
      }),
      expect.objectContaining({
        event_id: 'evt-2',
        version: 1_767_000_000_123_456n,
        duration: 12.75,
        cost: null,
        prompt_tokens: null,
        error: 'boom ✗',
      }),
      expect.objectContaining({ event_id: 'evt-3', truncated: 'true', inputs_ref: rows[2]?.inputs_ref }),
    ]);
  });
});
