/**
 * The purpose-built Parquet encoder (lambdas/domain/store/parquet) against two independent readers:
 * hyparquet (readParquet, what compaction uses) on random rows, and DuckDB (the query layer's
 * reader) on hand-picked edge cases, statistics, empty files and footer metadata.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, ColumnType } from '../../../lambdas/domain/store/columns';
import {
  type ParquetRow,
  readParquet,
  writeParquet,
  writeParquetRowValues,
} from '../../../lambdas/domain/store/parquet-files';

type Cell = string | number | boolean | null;

const DUCKDB_TYPES = { string: 'VARCHAR', bigint: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' } as const;

function column(name: string, type: ColumnType): Column {
  return { name, type, description: name };
}

/** What an INT64 column holds for a number: Math.round, and no -0 (an integer has no sign of zero). */
function int64Of(value: number): number {
  const rounded = Math.round(value);
  return Object.is(rounded, -0) ? 0 : rounded;
}

function expectedRow(columns: readonly Column[], values: readonly Cell[]): ParquetRow {
  const row: ParquetRow = {};
  columns.forEach((col, index) => {
    const value = values[index] ?? null;
    row[col.name] = col.type === 'bigint' && typeof value === 'number' ? int64Of(value) : value;
  });
  return row;
}

/** Same value by Object.is (so NaN equals NaN and -0 differs from 0), described where they differ. */
function firstDifference(
  columns: readonly Column[],
  actual: readonly ParquetRow[],
  expected: readonly ParquetRow[],
): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} rows read, ${expected.length} written`;
  for (let index = 0; index < expected.length; index++) {
    for (const col of columns) {
      const got = actual[index]?.[col.name];
      const want = expected[index]?.[col.name];
      if (!Object.is(got, want)) {
        return `row ${index} column ${col.name}: read ${show(got)}, wrote ${show(want)}`;
      }
    }
  }
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string')
    return value.length > 80 ? `${JSON.stringify(value.slice(0, 80))}…` : JSON.stringify(value);
  return String(value);
}

async function duckdb(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(':memory:')).connect();
}

async function query(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
}

// ---------------------------------------------------------------------------------------------
// Random rows through the three writers and back through readParquet (hyparquet)
// ---------------------------------------------------------------------------------------------

const PROPERTY_COLUMNS: Column[] = [
  column('id', 'string'),
  column('text', 'string'),
  column('metadata', 'string'), // a JSON text column: no min/max tracking
  column('sparse', 'string'),
  column('count', 'bigint'),
  column('amount', 'double'),
  column('flag', 'boolean'),
];

const stringValue = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) }, // any code point, astral included
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant('') },
  // Longer than any pageBytes drawn below (64..512), in code units and in UTF-8 bytes.
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 520, maxLength: 1500 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 300, maxLength: 900 }) },
);

const integerValue = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.integer({ min: 2 ** 32 - 5, max: 2 ** 32 + 5 }).chain((n) => fc.constantFrom(n, -n)),
  fc.constantFrom(0, -0, 2 ** 32, -(2 ** 32), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
);

const doubleValue = fc.oneof(
  fc.double(), // fast-check's bias already favours NaN, ±Infinity, ±0 and the extremes
  fc.constantFrom(-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE),
);

function nullable<T>(arbitrary: fc.Arbitrary<T>, nullWeight: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: nullWeight, arbitrary: fc.constant(null) }, { weight: 4, arbitrary });
}

const rowValues: fc.Arbitrary<Cell[]> = fc.tuple(
  nullable(stringValue, 1),
  nullable(stringValue, 2),
  nullable(stringValue, 3),
  nullable(stringValue, 16), // mostly NULL: whole pages and chunks of NULLs
  nullable(integerValue, 1),
  nullable(doubleValue, 1),
  nullable(fc.boolean(), 2),
);

describe('parquet encoder: random rows read back by hyparquet', () => {
  it('reads back exactly what any of the three writers wrote, across pages and row groups', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowValues, { maxLength: 120 }),
        fc.integer({ min: 64, max: 512 }),
        fc.integer({ min: 1, max: 50 }),
        fc.constantFrom(-3, 1, 3),
        fc.constantFrom('rows', 'row values'),
        async (rows, pageBytes, rowGroupSize, zstdLevel, writer) => {
          const options = { pageBytes, rowGroupSize, zstdLevel };
          const bytes =
            writer === 'rows'
              ? writeParquet(
                  PROPERTY_COLUMNS,
                  rows.map((values) =>
                    Object.fromEntries(
                      PROPERTY_COLUMNS.map((col, index) => [col.name, values[index] ?? null]),
                    ),
                  ),
                  options,
                )
              : writeParquetRowValues(PROPERTY_COLUMNS, rows, options);
          const read = await readParquet(PROPERTY_COLUMNS, bytes);
          const expected = rows.map((values) => expectedRow(PROPERTY_COLUMNS, values));
          expect(firstDifference(PROPERTY_COLUMNS, read, expected)).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// DuckDB: edge cases, statistics, empty files, footer metadata
// ---------------------------------------------------------------------------------------------

describe('parquet encoder: DuckDB reads what it writes', () => {
  let dir: string;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'waggle-parquet-encoder-'));
    connection = await duckdb();
  });
  afterAll(async () => {
    connection?.closeSync();
    await rm(dir, { recursive: true, force: true });
  });

  async function fileOf(name: string, bytes: Uint8Array): Promise<string> {
    const file = join(dir, name);
    await writeFile(file, bytes);
    return file;
  }

  describe('edge cases over 45,000 rows', () => {
    const columns: Column[] = [
      column('row_index', 'bigint'),
      column('label', 'string'),
      column('late', 'string'),
      column('number', 'bigint'),
      column('real', 'double'),
      column('flag', 'boolean'),
    ];
    const ROWS = 45_000;
    const LONG_ROW = 30_001;
    // About 1.8 MB of UTF-8: longer than the default 1 MiB page on its own.
    const LONG = `${'🦆ü€'.repeat(200_000)}end`;
    const LABELS = [
      '',
      'plain ascii',
      'ümlaut',
      '日本語テキスト',
      '🦆 duck',
      '𝄞 clef',
      'e\u0301',
      'snow ☃ man',
      null,
    ];
    const NUMBERS = [
      0,
      -1,
      1,
      2 ** 32,
      -(2 ** 32) - 1,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      2 ** 53,
      -(2 ** 53),
      2 ** 53 + 2,
      -(2 ** 53) - 2,
      2 ** 62,
      -(2 ** 63), // INT64's minimum is a double
      2 ** 63 - 1024, // the largest double below 2^63
      1.5, // rounds to 2
      -1.5, // Math.round: -1
      2.5, // 3
      -0.4, // -0, stored as 0
      -0,
      null,
    ];
    const REALS = [
      0,
      -0,
      1.5,
      -2.25,
      0.1 + 0.2,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      Number.MIN_VALUE,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      null,
    ];

    function edgeRow(index: number): Cell[] {
      return [
        index,
        index === LONG_ROW ? LONG : (LABELS[index % LABELS.length] ?? null),
        // NULL for the whole first page (20,000 rows): a page with no values at all.
        index < 20_000 ? null : `late ${index} ✓`,
        // NULL for the second page of INT64 values.
        index >= 20_000 && index < 40_000 ? null : (NUMBERS[index % NUMBERS.length] ?? null),
        REALS[index % REALS.length] ?? null,
        // Irregular true/false with NULLs in between, never a byte-aligned pattern.
        index % 13 === 0 ? null : index % 5 === 0 || index % 7 === 3,
      ];
    }

    const rows = Array.from({ length: ROWS }, (_, index) => edgeRow(index));

    for (const [name, fileName, options] of [
      ['one row group, default 1 MiB pages', 'edge-one-group.parquet', {}],
      ['row groups of 17,000 rows', 'edge-groups.parquet', { rowGroupSize: 17_000 }],
    ] as const) {
      it(`returns the same values (${name})`, async () => {
        const file = await fileOf(fileName, writeParquetRowValues(columns, rows, options));
        const described = (await query(connection, `DESCRIBE SELECT * FROM read_parquet('${file}')`)).map(
          (row) => [row.column_name, row.column_type],
        );
        expect(described).toEqual(columns.map((col) => [col.name, DUCKDB_TYPES[col.type]]));

        const read = await query(connection, `SELECT * FROM read_parquet('${file}') ORDER BY row_index`);
        // DuckDB returns BIGINT as bigint: the exact INT64, beyond 2^53 too.
        const asRows = read.map((row) => {
          const out: ParquetRow = {};
          for (const col of columns) {
            const value = row[col.name];
            out[col.name] = typeof value === 'bigint' ? `${value}n` : (value as Cell);
          }
          return out;
        });
        const expected = rows.map((values) => {
          const out: ParquetRow = {};
          columns.forEach((col, index) => {
            const value = values[index] ?? null;
            out[col.name] =
              col.type === 'bigint' && typeof value === 'number' ? `${BigInt(int64Of(value))}n` : value;
          });
          return out;
        });
        expect(firstDifference(columns, asRows, expected)).toBeUndefined();
        // The long string came back whole (firstDifference compares it, but say so plainly).
        expect(asRows[LONG_ROW]?.label).toHaveLength(LONG.length);
      });
    }
  });

  it('keeps exact min/max per row group, drops them for non-ASCII and JSON columns, and truncates at 64 bytes', async () => {
    const columns: Column[] = [
      column('id', 'string'),
      column('name', 'string'),
      column('metadata', 'string'),
      column('long', 'string'),
      column('n', 'bigint'),
      column('d', 'double'),
      column('b', 'boolean'),
    ];
    const longMin = 'b'.repeat(100);
    const longMax = `${'k'.repeat(30)}${'x'.repeat(70)}`;
    const rows: ParquetRow[] = [
      // Row group 0
      {
        id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        name: 'Zoë',
        metadata: '{"a":1}',
        long: longMin,
        n: 5,
        d: 1.5,
        b: true,
      },
      {
        id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        name: 'abc',
        metadata: null,
        long: longMax,
        n: -7,
        d: Number.NaN, // NaN stays out of the statistics
        b: null,
      },
      {
        id: 'c9bf9e57-1685-4c89-bafb-ff5af830be8a',
        name: null,
        metadata: '{"b":[1,2]}',
        long: null,
        n: null,
        d: -2.25,
        b: true,
      },
      { id: null, name: 'x', metadata: null, long: 'c', n: 2 ** 40, d: null, b: true },
      // Row group 1
      {
        id: 'ffffffff-ffff-4fff-bfff-ffffffffffff',
        name: 'plain',
        metadata: null,
        long: 'short',
        n: null,
        d: 0,
        b: false,
      },
      {
        id: '00000000-0000-4000-8000-000000000000',
        name: 'ascii only here',
        metadata: null,
        long: 'z'.repeat(64), // exactly 64 bytes: kept whole
        n: null,
        d: -0,
        b: true,
      },
    ];
    const file = await fileOf('statistics.parquet', writeParquet(columns, rows, { rowGroupSize: 4 }));
    const metadata = await query(
      connection,
      `SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count,
              min_is_exact, max_is_exact, encodings
       FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`,
    );
    const stats = (group: number, path: string) => {
      const found = metadata.find((row) => row.row_group_id === BigInt(group) && row.path_in_schema === path);
      if (!found) throw new Error(`no metadata for row group ${group} column ${path}`);
      return found;
    };
    const minMax = (group: number, path: string) => {
      const row = stats(group, path);
      return [row.stats_min_value, row.stats_max_value, row.stats_null_count];
    };
    expect(metadata).toHaveLength(2 * columns.length);

    // ASCII ids: exact, whole 36-character bounds, per row group.
    expect(minMax(0, 'id')).toEqual([
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      'c9bf9e57-1685-4c89-bafb-ff5af830be8a',
      1n,
    ]);
    expect(minMax(1, 'id')).toEqual([
      '00000000-0000-4000-8000-000000000000',
      'ffffffff-ffff-4fff-bfff-ffffffffffff',
      0n,
    ]);
    expect([stats(0, 'id').min_is_exact, stats(0, 'id').max_is_exact]).toEqual([null, null]);
    expect(stats(0, 'id').encodings).toContain('DELTA_LENGTH_BYTE_ARRAY');

    // A non-ASCII value in the chunk: no min/max (UTF-16 and UTF-8 orders differ), null count kept.
    expect(minMax(0, 'name')).toEqual([null, null, 1n]);
    // The next row group is all ASCII and gets its own exact bounds.
    expect(minMax(1, 'name')).toEqual(['ascii only here', 'plain', 0n]);

    // JSON text: null counts only, never min/max; a chunk of NULLs only is a PLAIN page with no values.
    expect(minMax(0, 'metadata')).toEqual([null, null, 2n]);
    expect(minMax(1, 'metadata')).toEqual([null, null, 2n]);
    expect(stats(0, 'metadata').encodings).toContain('DELTA_LENGTH_BYTE_ARRAY');
    expect(stats(1, 'metadata').encodings).not.toContain('DELTA_LENGTH_BYTE_ARRAY');

    // Longer than 64 bytes: the min is a 64-byte prefix, the max is rounded up to 64 bytes; both inexact.
    expect(minMax(0, 'long')).toEqual(['b'.repeat(64), `${'k'.repeat(30)}${'x'.repeat(33)}y`, 1n]);
    expect([stats(0, 'long').min_is_exact, stats(0, 'long').max_is_exact]).toEqual([false, false]);
    expect(minMax(1, 'long')).toEqual(['short', 'z'.repeat(64), 0n]);
    expect([stats(1, 'long').min_is_exact, stats(1, 'long').max_is_exact]).toEqual([null, null]);

    // INT64: exact bounds; a chunk of NULLs only has a null count and no bounds.
    expect(minMax(0, 'n')).toEqual(['-7', String(2 ** 40), 1n]);
    expect(minMax(1, 'n')).toEqual([null, null, 2n]);

    // DOUBLE: NaN ignored; zeros written as -0 (min) and +0 (max), as the spec asks.
    expect(minMax(0, 'd')).toEqual(['-2.25', '1.5', 1n]);
    expect(minMax(1, 'd')).toEqual(['-0.0', '0.0', 0n]);

    expect(minMax(0, 'b')).toEqual(['true', 'true', 1n]);
    expect(minMax(1, 'b')).toEqual(['false', 'true', 0n]);
  });

  it('writes a readable file with every column for zero rows', async () => {
    const columns: Column[] = [
      column('event_id', 'string'),
      column('metadata', 'string'),
      column('version', 'bigint'),
      column('cost', 'double'),
      column('deleted', 'boolean'),
    ];
    for (const [name, bytes] of [
      ['rows', writeParquet(columns, [])],
      ['row values', writeParquetRowValues(columns, [])],
    ] as const) {
      expect(await readParquet(columns, bytes)).toEqual([]);
      const file = await fileOf(`empty-${name}.parquet`, bytes);
      expect(await query(connection, `SELECT count(*) AS n FROM read_parquet('${file}')`)).toEqual([
        { n: 0n },
      ]);
      const described = (await query(connection, `DESCRIBE SELECT * FROM read_parquet('${file}')`)).map(
        (row) => [row.column_name, row.column_type],
      );
      expect(described).toEqual(columns.map((col) => [col.name, DUCKDB_TYPES[col.type]]));
    }
  });

  it('stores the footer key/value metadata', async () => {
    const columns = [column('id', 'string')];
    const metadata = {
      writer: 'waggle-writer',
      batch_id: '2026-01-01T00:00:00Z-42',
      note: 'ünïcode ✓ 🦆',
      empty: '',
    };
    const file = await fileOf('footer.parquet', writeParquet(columns, [{ id: 'a' }], { metadata }));
    const read = await query(
      connection,
      `SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${file}')`,
    );
    expect(read).toEqual(Object.entries(metadata).map(([key, value]) => ({ key, value })));
    expect(await query(connection, `SELECT created_by FROM parquet_file_metadata('${file}')`)).toEqual([
      { created_by: 'waggle' },
    ]);

    const none = await fileOf('no-footer.parquet', writeParquet(columns, [{ id: 'a' }]));
    expect(await query(connection, `SELECT * FROM parquet_kv_metadata('${none}')`)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

describe('parquet encoder: refuses what its columns cannot hold', () => {
  const columns: Column[] = [
    column('token_count', 'bigint'),
    column('label_text', 'string'),
    column('is_deleted', 'boolean'),
    column('cost_usd', 'double'),
  ];
  const valid: Cell[] = [1, 'a', false, 0.5];
  const withCell = (index: number, value: unknown): unknown[] =>
    valid.map((cell, at) => (at === index ? value : cell));
  // Valid rows around the bad one, so the refusal is not just about the first value of a page.
  const write = (index: number, value: unknown) =>
    writeParquetRowValues(columns, [valid, valid, withCell(index, value), valid], {
      rowGroupSize: 2,
      pageBytes: 64,
    });

  it.each([
    ['a string in a bigint column', 0, '12', /token_count/],
    ['Infinity in a bigint column', 0, Number.POSITIVE_INFINITY, /token_count/],
    ['-Infinity in a bigint column', 0, Number.NEGATIVE_INFINITY, /token_count/],
    ['NaN in a bigint column', 0, Number.NaN, /token_count/],
    ['2^63 in a bigint column', 0, 2 ** 63, /token_count/],
    ['below -2^63 in a bigint column', 0, -(2 ** 63) - 4096, /token_count/],
    ['a boolean in a bigint column', 0, true, /token_count/],
    ['a number in a string column', 1, 42, /label_text/],
    ['a boolean in a string column', 1, true, /label_text/],
    ['an object in a string column', 1, { text: 'a' }, /label_text/],
    ['a string in a boolean column', 2, 'true', /is_deleted/],
    ['a number in a boolean column', 2, 1, /is_deleted/],
    ['a string in a double column', 3, '0.5', /cost_usd/],
  ])('%s throws, naming the column', (_, index, value, message) => {
    expect(() => write(index, value)).toThrow(message);
  });

  it('accepts the INT64 extremes a double can hold', async () => {
    const bytes = write(0, -(2 ** 63));
    expect((await readParquet(columns, bytes))[2]?.token_count).toBe(-(2 ** 63));
    expect((await readParquet(columns, write(0, 2 ** 63 - 1024)))[2]?.token_count).toBe(2 ** 63 - 1024);
  });

  it('refuses a row of the wrong length', () => {
    expect(() => writeParquetRowValues(columns, [valid, valid.slice(0, 3)])).toThrow(
      /Row 1 has 3 values for 4/,
    );
    expect(() => writeParquetRowValues(columns, [[...valid, 'extra']])).toThrow(/Row 0 has 5 values for 4/);
  });

  it('refuses a row group size that is not a whole number of rows', () => {
    for (const rowGroupSize of [0, 2.5, Number.NaN]) {
      expect(() => writeParquetRowValues(columns, [valid], { rowGroupSize })).toThrow(/rowGroupSize/);
    }
  });

  it('names the column and shows the value for values JSON cannot show', () => {
    expect(() => write(0, 5n)).toThrow(/token_count \(bigint\) cannot hold BigInt 5/);
    expect(() => write(0, Number.NaN)).toThrow(/token_count \(bigint\) cannot hold NaN/);
    expect(() => write(0, Number.POSITIVE_INFINITY)).toThrow(/cannot hold Infinity/);
  });
});
