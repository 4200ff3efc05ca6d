/**
 * The in-memory filter matcher (match-filters.ts) against its oracle: DuckDB running the SQL that
 * compileFilters writes for the same filter, over the same event stored as the store keeps it (JSON
 * sections as text), with its session event LEFT JOINed as reads do. For any event, session and
 * filter, both say the same; a filter one side refuses, the other refuses too.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { DUCKDB_DIALECT } from '../../../lambdas/domain/query/dialect';
import { compileFilters } from '../../../lambdas/domain/query/filters';
import { filterPredicate } from '../../../lambdas/domain/query/match-filters';
import { type EventFilter, FIELD_TYPES, FILTER_OPERATORS } from '../../../lambdas/domain/query/types';
import { EVENT_COLUMNS, JSON_TEXT_COLUMNS } from '../../../lambdas/domain/store/columns';

const SQL_TYPES: Record<string, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
};
const COLUMNS = [
  ...EVENT_COLUMNS.map(({ name, type }) => ({ name, sqlType: SQL_TYPES[type] ?? 'VARCHAR' })),
  {
    name: 'project_id',
    sqlType: 'VARCHAR',
  },
];

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  const columns = COLUMNS.map(({ name, sqlType }) => `${name} ${sqlType}`).join(', ');
  await connection.run(`CREATE TABLE ev (${columns})`);
  await connection.run(`CREATE TABLE ses (${columns})`);
});

afterAll(() => {
  connection?.closeSync();
  instance?.closeSync();
});

type Row = Record<string, unknown>;

/** The row as stored: JSON sections as JSON text, other columns as they are. */
async function store(table: 'ev' | 'ses', row: Row | undefined): Promise<void> {
  await connection.run(`DELETE FROM ${table}`);
  if (!row) return;
  const names = COLUMNS.map(({ name }) => name).filter((name) => row[name] !== undefined);
  const values = names.map((name) =>
    JSON_TEXT_COLUMNS.has(name) && row[name] !== null ? JSON.stringify(row[name]) : row[name],
  );
  await connection.run(
    `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
    values as never,
  );
}

async function sqlMatches(filters: EventFilter[]): Promise<boolean> {
  const condition = compileFilters(filters, DUCKDB_DIALECT);
  const reader = await connection.runAndReadAll(
    `SELECT count(*) AS n FROM ev v LEFT JOIN ses s ON true WHERE ${condition.text}`,
    [...condition.params] as never,
  );
  return Number(reader.getRowObjects()[0]?.n) > 0;
}

const scalar = fc.oneof(
  fc.constantFrom('gold', 'Gold', 'GOLDEN', '42', ' 7 ', '', 'true', 'False', '1e3', '0x10', 'abc'),
  fc.constantFrom(0, 3, 42, -1.5, 1000, 2.25),
  fc.boolean(),
);
const jsonValue = fc.oneof(
  { weight: 4, arbitrary: scalar },
  fc.constant(null),
  fc.record({ x: scalar }),
  fc.constant([1, 2]),
);
const section = fc.dictionary(fc.constantFrom('tier', 'count', 'flag', 'nested', 'x'), jsonValue, {
  maxKeys: 4,
});
const event = fc.record(
  {
    event_id: fc.constant('e1'),
    event_type: fc.constantFrom('model', 'tool', 'chain'),
    event_name: fc.constantFrom('chat', 'Chat completion', 'search'),
    model: fc.constantFrom(null, 'gpt-4o', 'claude-sonnet'),
    duration: fc.constantFrom(null, 0, 12.5, 100),
    cost: fc.constantFrom(null, 0.01, 2),
    start_time: fc.constantFrom(1_700_000_000_000, 1_800_000_000_000),
    metadata: section,
    user_properties: section,
    inputs: section,
    metrics: fc.constantFrom({}, { score: 0.5 }),
  },
  { requiredKeys: ['event_id', 'event_type', 'event_name'] },
);
const filter = fc.record(
  {
    field: fc.constantFrom(
      'event_type',
      'event_name',
      'model',
      'duration',
      'cost',
      'start_time',
      'metrics',
      'metadata.tier',
      'metadata.count',
      'metadata.flag',
      'metadata.nested',
      'metadata.nested.x',
      'metadata.missing',
      'user_properties.tier',
      'inputs.x',
    ),
    operator: fc.constantFrom(...FILTER_OPERATORS),
    // Few values, shared with the events' own, so that matches and near misses (case, spaces) are common.
    value: fc.constantFrom(
      'gold',
      'Gold',
      'ch',
      'OLD',
      '42',
      ' 7 ',
      'true',
      0,
      3,
      42,
      12.5,
      true,
      false,
      '2026-01-01T00:00:00Z',
    ),
    // Mostly left to the field and operator to decide, as clients send them.
    type: fc.option(fc.constantFrom(...FIELD_TYPES), { nil: undefined, freq: 1 }),
  },
  { requiredKeys: ['field', 'operator'] },
);

describe('filterPredicate', () => {
  it('agrees with the compiled SQL run by DuckDB, for any event, session event and filters', async () => {
    await fc.assert(
      fc.asyncProperty(
        event,
        fc.option(event, { nil: undefined }),
        fc.array(filter, { minLength: 1, maxLength: 2 }),
        async (ev, session, filters) => {
          let predicate: ReturnType<typeof filterPredicate>;
          try {
            predicate = filterPredicate(filters as EventFilter[]);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
            expect(() => compileFilters(filters as EventFilter[], DUCKDB_DIALECT)).toThrow(ValidationError);
            return;
          }
          await store('ev', ev as Row);
          await store('ses', session as Row | undefined);
          expect(predicate(ev, session)).toBe(await sqlMatches(filters as EventFilter[]));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('agrees with DuckDB on the edges: spaces around numbers, case of booleans and text, objects and null', async () => {
    const cases: [Row, EventFilter][] = [
      [{ metadata: { count: ' 7 ' } }, { field: 'metadata.count', operator: 'greater than', value: 3 }],
      [{ metadata: { count: '1e3' } }, { field: 'metadata.count', operator: 'greater than', value: 999 }],
      [{ metadata: { count: '0x10' } }, { field: 'metadata.count', operator: 'greater than', value: 1 }],
      [{ metadata: { flag: 'False' } }, { field: 'metadata.flag', operator: 'is', value: false }],
      [
        { metadata: { flag: true } },
        { field: 'metadata.flag', operator: 'is', value: 'true', type: 'boolean' },
      ],
      [{ event_name: 'Chat completion' }, { field: 'event_name', operator: 'contains', value: 'ch' }],
      [{ event_name: 'Chat completion' }, { field: 'event_name', operator: 'not contains', value: 'CHAT' }],
      [{ metadata: { nested: { x: 1 } } }, { field: 'metadata.nested', operator: 'is not', value: 'x' }],
      [{ metadata: { nested: { x: 1 } } }, { field: 'metadata.nested', operator: 'exists' }],
      // An object is no scalar: no text to search (Athena's json_extract_scalar is NULL there).
      [
        { metadata: { nested: { x: true } } },
        { field: 'metadata.nested', operator: 'contains', value: 'true' },
      ],
      [{ metadata: { nested: [1, 2] } }, { field: 'metadata.nested', operator: 'not contains', value: '1' }],
      [{ metadata: { tier: null } }, { field: 'metadata.tier', operator: 'exists' }],
      [{ metadata: { tier: null } }, { field: 'metadata.tier', operator: 'is not', value: 'gold' }],
      [{ metrics: {} }, { field: 'metrics', operator: 'exists' }],
      [{ cost: 0.01 }, { field: 'cost', operator: 'less than', value: '0.02' }],
      [
        { start_time: 1_800_000_000_000 },
        { field: 'start_time', operator: 'after', value: '2026-01-01T00:00:00Z' },
      ],
    ];
    for (const [row, edge] of cases) {
      const ev = { event_id: 'e1', event_type: 'model', event_name: 'chat', ...row };
      await store('ev', ev);
      await store('ses', undefined);
      expect(filterPredicate([edge])(ev), JSON.stringify([row, edge])).toBe(await sqlMatches([edge]));
    }
  });

  it('picks the events an evaluator wants: a model event of one name with a metadata value', () => {
    const wants = filterPredicate([
      { field: 'event_type', operator: 'is', value: 'model' },
      { field: 'metadata.tier', operator: 'is', value: 'gold' },
    ]);
    expect(wants({ event_type: 'model', metadata: { tier: 'gold' } })).toBe(true);
    expect(wants({ event_type: 'tool', metadata: { tier: 'gold' } })).toBe(false);
    // Inherited from the session event, as reads show it.
    expect(wants({ event_type: 'model', metadata: {} }, { metadata: { tier: 'gold' } })).toBe(true);
    expect(wants({ event_type: 'model', metadata: { tier: 'silver' } }, { metadata: { tier: 'gold' } })).toBe(
      false,
    );
  });
});
