/**
 * The Athena contract, as a property: every read the API can express (filters on every kind of
 * field with every operator its type takes, group-bys, metrics, date ranges, pages, ids) goes
 * through the query layer on a recording engine, and every statement it would send must
 * - keep Athena's rules (athena-rules.ts: `?` only in WHERE, each literal at most 1,024 characters,
 *   strings quoted, placeholders and parameters in step);
 * - parse as Trino SQL (dt-sql-parser's TrinoSQL grammar), parameters spliced in as Athena does;
 * - bound its events/tombstones/scores references by dt, except the known exceptions listed in
 *   partition-bounds.ts (lookups by id; a new unbounded statement fails here), and an export or
 *   chart must bound its event scan to the days of its dateRange (or of the default window when it
 *   has none) and its tombstone scan to those days less the deletion reach, up to the horizon.
 */
import { TrinoSQL } from 'dt-sql-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/domain/errors';
import { athenaRuleViolations, spliceParameters } from '../../../lambdas/domain/query/athena-rules';
import { createEventQueryService } from '../../../lambdas/domain/query/event-query-service';
import { EVENT_FIELD_NAMES, JSON_SECTIONS, resolveField } from '../../../lambdas/domain/query/fields';
import { MAX_FILTER_VALUE_CHARS } from '../../../lambdas/domain/query/filters';
import {
  KNOWN_UNBOUNDED_REFERENCES,
  partitionReach,
  referenceKey,
} from '../../../lambdas/domain/query/partition-bounds';
import { defaultReadWindow } from '../../../lambdas/domain/query/read-window';
import {
  createRecordingEngine,
  type RecordedStatement,
} from '../../../lambdas/domain/query/recording-engine';
import {
  createRunEventsReader,
  MAX_RUN_WINDOW_DAYS,
  runWindow,
} from '../../../lambdas/domain/query/run-events';
import { scoreHistory } from '../../../lambdas/domain/query/score-history';
import { SESSION_SPAN_MARGIN_MS } from '../../../lambdas/domain/query/session-search';
import {
  CHART_AGGREGATIONS,
  CHART_BUCKETS,
  type ChartQuery,
  type DateRange,
  type EventFilter,
  type EventSchemaQuery,
  EXPORT_SORT_FIELDS,
  type ExportQuery,
  type FieldType,
  type FilterOperator,
  MAX_EXPORT_LIMIT,
  MAX_SESSION_SEARCH_LIMIT,
  SESSION_SORT_FIELDS,
  type SessionSearchQuery,
  SORT_ORDERS,
} from '../../../lambdas/domain/query/types';
import { OPERATORS_BY_TYPE } from '../../../lambdas/domain/read-api/filters';
import { DELETION_REACH_MS } from '../../../lambdas/domain/store/deletion-reach';
import { readHorizon } from '../../../lambdas/domain/store/projection-window';
import { TENANT } from './store-fixture';

const NOW = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const trino = new TrinoSQL();
const grammarChecked = new Map<string, string[]>();

/** Trino grammar errors of a statement as Athena would run it (cached by text: many reads repeat one). */
function grammarErrors(recorded: RecordedStatement): string[] {
  const spliced = spliceParameters(recorded.sql, recorded.params);
  let errors = grammarChecked.get(spliced);
  if (errors === undefined) {
    errors = trino.validate(spliced).map((error) => error.message);
    grammarChecked.set(spliced, errors);
  }
  return errors;
}

const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const nestedField = fc
  .tuple(fc.constantFrom(...JSON_SECTIONS), fc.array(segment, { minLength: 1, maxLength: 8 }))
  .map(([section, path]) => [section, ...path].join('.'));
const columnField = fc.constantFrom(...EVENT_FIELD_NAMES);
const anyField = fc.oneof(columnField, nestedField);

function typesOf(field: string): readonly FieldType[] {
  const resolved = resolveField(field);
  if (resolved.kind === 'nested') return ['string', 'number', 'boolean', 'datetime'];
  switch (resolved.columnKind) {
    case 'string':
    case 'json':
      return ['string'];
    case 'datetime':
      return ['datetime', 'number'];
    default:
      return [resolved.columnKind];
  }
}

/** Text with quotes, backslashes, `?` and SQL-looking bits, up to the longest a filter takes. */
const filterText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("O'Brien", "'; DROP TABLE events; --", '?', "'?'", '\\', '$["a"]', '"quoted"'),
  fc
    .tuple(fc.nat({ max: 20 }), fc.constantFrom('x', 'é', "'"))
    .map(
      ([quotes, fill]) =>
        "'".repeat(quotes) +
        fill.repeat(Math.floor((MAX_FILTER_VALUE_CHARS - 2 * quotes) / (fill === "'" ? 2 : 1))),
    ),
);

function filterValue(type: FieldType): fc.Arbitrary<string | number | boolean> {
  switch (type) {
    case 'string':
      return filterText;
    case 'number':
      return fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'boolean':
      return fc.boolean();
    case 'datetime':
      return fc.integer({ min: 0, max: 253_402_300_799_999 });
  }
}

const filter: fc.Arbitrary<EventFilter> = anyField.chain((field) =>
  fc
    .constantFrom(...typesOf(field))
    .chain((type) =>
      fc
        .constantFrom(...(OPERATORS_BY_TYPE[type] as FilterOperator[]))
        .chain((operator) =>
          operator === 'exists' || operator === 'not exists'
            ? fc.constant<EventFilter>({ field, operator, type })
            : filterValue(type).map((value): EventFilter => ({ field, operator, type, value })),
        ),
    ),
);
const filters = fc.array(filter, { maxLength: 6 });

const dateRange: fc.Arbitrary<DateRange | undefined> = fc.option(
  fc
    .tuple(fc.integer({ min: 0, max: 60 * DAY }), fc.integer({ min: 0, max: 3 * DAY }))
    .map(([back, span]) => ({ from: NOW - back - span, to: NOW - back })),
  { nil: undefined },
);

const exportQuery: fc.Arbitrary<ExportQuery> = fc.record(
  {
    filters,
    dateRange,
    projections: fc.option(fc.subarray([...EVENT_FIELD_NAMES], { minLength: 1 }), { nil: undefined }),
    limit: fc.integer({ min: 1, max: MAX_EXPORT_LIMIT }),
    page: fc.integer({ min: 1, max: 100_000 }),
    sortBy: fc.constantFrom(...EXPORT_SORT_FIELDS),
    sortOrder: fc.constantFrom(...SORT_ORDERS),
  },
  { requiredKeys: ['filters', 'limit', 'page'] },
);

const metric = fc.oneof(
  fc.constantFrom('duration', 'cost', 'prompt_tokens', 'completion_tokens', 'total_tokens'),
  fc
    .tuple(
      fc.constantFrom('metrics', 'metadata', 'feedback'),
      fc.array(segment, { minLength: 1, maxLength: 3 }),
    )
    .map(([section, path]) => [section, ...path].join('.')),
);
const chartQuery: fc.Arbitrary<ChartQuery> = fc.record(
  {
    metric,
    aggregation: fc.constantFrom(...CHART_AGGREGATIONS),
    bucket: fc.constantFrom(...CHART_BUCKETS),
    groupBy: fc.option(anyField, { nil: undefined }),
    filters,
    dateRange,
  },
  { requiredKeys: ['metric', 'aggregation', 'bucket', 'filters'] },
);
const sessionSearch: fc.Arbitrary<SessionSearchQuery> = fc.record(
  {
    filters,
    dateRange,
    sortBy: fc.constantFrom(...SESSION_SORT_FIELDS),
    sortOrder: fc.constantFrom(...SORT_ORDERS),
    limit: fc.integer({ min: 1, max: MAX_SESSION_SEARCH_LIMIT }),
    page: fc.integer({ min: 1, max: 100_000 }),
  },
  { requiredKeys: ['filters', 'sortBy', 'sortOrder', 'limit', 'page'] },
);
const id = fc.string({ minLength: 1, maxLength: 128 });

type Read =
  | { kind: 'export'; query: ExportQuery }
  | { kind: 'chart'; query: ChartQuery }
  | { kind: 'sessions'; query: SessionSearchQuery }
  | { kind: 'schema'; query: EventSchemaQuery }
  | { kind: 'session' | 'event' | 'scores'; id: string }
  | { kind: 'latest'; ids: string[] }
  | { kind: 'run'; run: { run_id: string; created_at: number; updated_at: number; status: string } };
const read: fc.Arbitrary<Read> = fc.oneof(
  { weight: 4, arbitrary: exportQuery.map((query): Read => ({ kind: 'export', query })) },
  { weight: 4, arbitrary: chartQuery.map((query): Read => ({ kind: 'chart', query })) },
  { weight: 3, arbitrary: sessionSearch.map((query): Read => ({ kind: 'sessions', query })) },
  fc
    .record(
      {
        eventType: fc.constantFrom('session', 'model', 'tool', 'chain'),
        eventName: fc.oneof(
          filterText.map((text) => text.slice(0, 256)),
          fc.constant("it's ? '' \\"),
        ),
      },
      { requiredKeys: [] },
    )
    .map((query): Read => ({ kind: 'schema', query })),
  id.map((value): Read => ({ kind: 'session', id: value })),
  id.map((value): Read => ({ kind: 'event', id: value })),
  id.map((value): Read => ({ kind: 'scores', id: value })),
  fc.array(id, { minLength: 1, maxLength: 600 }).map((ids): Read => ({ kind: 'latest', ids })),
  // An experiment run: created up to a year ago, updated up to 60 days later, finished or not.
  fc
    .record({
      run_id: id,
      createdAgo: fc.integer({ min: 0, max: 365 * DAY }),
      lasted: fc.integer({ min: 0, max: 60 * DAY }),
      status: fc.constantFrom('pending', 'completed'),
    })
    .map(
      ({ run_id, createdAgo, lasted, status }): Read => ({
        kind: 'run',
        run: { run_id, created_at: NOW - createdAgo, updated_at: NOW - createdAgo + lasted, status },
      }),
    ),
);

async function statementsOf(input: Read): Promise<RecordedStatement[] | 'refused'> {
  const engine = createRecordingEngine('athena', NOW);
  const service = createEventQueryService(engine, { clock: () => NOW });
  try {
    if (input.kind === 'export') await service.exportEvents(TENANT, input.query);
    else if (input.kind === 'chart') await service.chart(TENANT, input.query);
    else if (input.kind === 'sessions') await service.searchSessions(TENANT, input.query);
    else if (input.kind === 'schema') await service.eventSchema(TENANT, input.query);
    else if (input.kind === 'session') await service.getSession(TENANT, input.id);
    else if (input.kind === 'event') await service.getEvent(TENANT, input.id);
    else if (input.kind === 'latest') await service.lookupLatest(TENANT, input.ids);
    // The statement itself (the recording engine finds no event for scoreHistory's own lookup first).
    else if (input.kind === 'scores')
      await scoreHistory(engine, TENANT, { event_id: input.id, start_time: NOW });
    else if (input.kind === 'run')
      await createRunEventsReader(engine, { clock: () => NOW })(TENANT, input.run);
  } catch (error) {
    // A read the query layer refuses must be refused as the client's error, before anything ran.
    expect(error).toBeInstanceOf(ValidationError);
    expect(engine.statements).toEqual([]);
    return 'refused';
  }
  return engine.statements;
}

function dayCount(range: DateRange): number {
  return Math.floor(range.to / DAY) - Math.floor(range.from / DAY) + 1;
}

describe('the Athena contract', () => {
  it('holds for every statement of every read the API can express', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(read, async (input) => {
        const statements = await statementsOf(input);
        if (statements === 'refused') return;
        expect(statements.length).toBeGreaterThan(0);
        if (input.kind === 'scores')
          expect(statements.map((recorded) => recorded.statement)).toContain('score-history');
        for (const recorded of statements) {
          checked++;
          expect(recorded.statement).not.toBe('unnamed');
          expect(athenaRuleViolations(recorded.sql, recorded.params)).toEqual([]);
          expect(grammarErrors(recorded)).toEqual([]);
          for (const reach of partitionReach(recorded.sql, recorded.params, NOW)) {
            if (!reach.bounded)
              expect(KNOWN_UNBOUNDED_REFERENCES, referenceKey(recorded.statement, reach)).toContain(
                referenceKey(recorded.statement, reach),
              );
          }
          // The schema reads the project's one partition of event_schemas.
          if (input.kind === 'schema')
            expect(partitionReach(recorded.sql, recorded.params, NOW)).toEqual([
              { table: 'event_schemas', cte: undefined, bounded: true, hours: 0 },
            ]);
          // An event's scores are one day of one project: the scored event's (found first).
          if (recorded.statement === 'score-history')
            expect(partitionReach(recorded.sql, recorded.params, NOW)).toEqual([
              { table: 'scores', cte: 'scored', bounded: true, hours: 24 },
            ]);
          // A run's statements read its window (at most MAX_RUN_WINDOW_DAYS, cut at the horizon), events and scores alike.
          if (input.kind === 'run') {
            const window = runWindow(input.run, NOW);
            const days = dayCount({ from: window.from, to: Math.min(window.to, readHorizon(NOW)) });
            expect(days).toBeLessThanOrEqual(MAX_RUN_WINDOW_DAYS + 1);
            for (const scan of partitionReach(recorded.sql, recorded.params, NOW))
              if (scan.table !== 'tombstones')
                expect(scan, recorded.statement).toMatchObject({ bounded: true, hours: days * 24 });
          }
          // A session search reads its range widened by the margin a session may span, cut at the horizon.
          if (input.kind === 'sessions') {
            const range = input.query.dateRange ?? defaultReadWindow(NOW);
            const from = range.from - SESSION_SPAN_MARGIN_MS;
            const reach = partitionReach(recorded.sql, recorded.params, NOW);
            expect(reach.find((scan) => scan.cte === 'ranked')).toEqual({
              table: 'events',
              cte: 'ranked',
              bounded: true,
              hours:
                dayCount({ from, to: Math.min(range.to + SESSION_SPAN_MARGIN_MS, readHorizon(NOW)) }) * 24,
            });
            expect(reach.find((scan) => scan.cte === 'tomb')).toEqual({
              table: 'tombstones',
              cte: 'tomb',
              bounded: true,
              hours: dayCount({ from: from - DELETION_REACH_MS, to: readHorizon(NOW) }) * 24,
            });
          }
          // Every statement of a ranged read except its lookups by id scans the range.
          const lookupById = recorded.statement === 'rows-by-ids' || recorded.statement === 'locate';
          if ((input.kind === 'export' || input.kind === 'chart') && !lookupById) {
            const range = input.query.dateRange ?? defaultReadWindow(NOW);
            const reach = partitionReach(recorded.sql, recorded.params, NOW);
            expect(reach.find((scan) => scan.cte === 'ranked')).toEqual({
              table: 'events',
              cte: 'ranked',
              bounded: true,
              hours: dayCount(range) * 24,
            });
            expect(reach.find((scan) => scan.cte === 'tomb')).toEqual({
              table: 'tombstones',
              cte: 'tomb',
              bounded: true,
              hours: dayCount({ from: range.from - DELETION_REACH_MS, to: readHorizon(NOW) }) * 24,
            });
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(checked).toBeGreaterThan(300);
  }, 120_000);

  it('refuses a filter value past 1,000 characters (quotes counted twice) with a 400, and takes one at the limit', async () => {
    const at = (value: string): Read => ({
      kind: 'export',
      query: { filters: [{ field: 'metadata.note', operator: 'is', value }], limit: 10, page: 1 },
    });
    expect(await statementsOf(at('x'.repeat(MAX_FILTER_VALUE_CHARS + 1)))).toBe('refused');
    expect(await statementsOf(at(`'${'x'.repeat(MAX_FILTER_VALUE_CHARS - 1)}`))).toBe('refused');
    const longest = await statementsOf(at(`'${'x'.repeat(MAX_FILTER_VALUE_CHARS - 2)}`));
    expect(longest).not.toBe('refused');
    for (const recorded of longest as RecordedStatement[])
      expect(athenaRuleViolations(recorded.sql, recorded.params)).toEqual([]);
  });
});
