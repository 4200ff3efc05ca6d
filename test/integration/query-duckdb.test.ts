/**
 * The query suite against DuckDB over Parquet files in a temp folder, written with DuckDB's COPY
 * in the store's layout: filters, dedup, tombstones, isolation, enrichment, sessions, chart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDbQueryEngine,
  type DuckDbQueryEngine,
} from '../../lambdas/adapters/local/duckdb-query-engine';
import { ValidationError } from '../../lambdas/domain/errors';
import type { Tenant } from '../../lambdas/domain/events/event';
import { AthenaRuleError } from '../../lambdas/domain/query/athena-rules';
import { DeadlineExceededError } from '../../lambdas/domain/query/deadline';
import { createEventQueryService } from '../../lambdas/domain/query/event-query-service';
import {
  type ChartQuery,
  type EventFilter,
  type EventQueryService,
  type ExportQuery,
  MAX_CHART_GROUPS,
  OTHER_CHART_GROUP,
  type SessionNode,
} from '../../lambdas/domain/query/types';
import {
  BASE_TIME,
  makeEvent,
  makeSessionEvent,
  TENANT,
  writeEvents,
  writeTombstones,
} from '../unit/query/store-fixture';

const DAY = 86_400_000;
/** The reads' clock: the fixture's days are inside the default window (the last 30 days). */
const NOW = BASE_TIME + 5 * DAY;
const OTHER_TENANT: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-2' };
/** A project with one long session: its session event three days before its last event. */
const LONG_SESSION_TENANT: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-long' };

let root: string;
let engine: DuckDbQueryEngine;
let service: EventQueryService;

const m1v1 = makeEvent({
  event_id: 'm1',
  version: 1,
  event_type: 'model',
  event_name: 'llm',
  parent_id: 'sess-1',
  model: 'gpt-4o',
  start_time: BASE_TIME + 100,
  duration: 300,
  prompt_tokens: 10,
  completion_tokens: 5,
  total_tokens: 15,
  cost: 0.01,
  metadata: { tag: 'Alpha Beta', flag: true, temperature: 0.5, 'x-key': 'dash', when: BASE_TIME + 10 },
  inputs: { prompt: { text: 'hello world' } },
  metrics: { score: 0.9, 'answer length': 11 },
});
const m1v2 = { ...m1v1, version: 2, metrics: { score: 0.95, 'answer length': 11 }, feedback: { rating: 5 } };

const events = [
  makeSessionEvent('sess-1', {
    event_name: 'chat',
    start_time: BASE_TIME,
    end_time: BASE_TIME + 5000,
    duration: 5000,
    metadata: { app: 'demo' },
    user_properties: { user_id: 'u1' },
  }),
  // Two identical rows (an at-least-once duplicate) and a newer version.
  m1v1,
  m1v1,
  m1v2,
  makeEvent({
    event_id: 't1',
    event_type: 'tool',
    event_name: 'search',
    parent_id: 'm1',
    start_time: BASE_TIME + 200,
    duration: 50,
    metadata: { tag: 'gamma' },
  }),
  makeEvent({
    event_id: 'c1',
    event_name: 'orphan',
    parent_id: 'missing-parent',
    start_time: BASE_TIME + 300,
  }),
  makeEvent({
    event_id: 'm2',
    event_type: 'model',
    event_name: 'llm',
    parent_id: 'sess-1',
    children_ids: ['x-client'],
    model: 'claude',
    start_time: BASE_TIME + 400,
    end_time: BASE_TIME + 6000,
    duration: 5600,
    prompt_tokens: 20,
    completion_tokens: 10,
    total_tokens: 30,
    cost: 0.02,
    error: 'boom',
  }),
  makeEvent({
    event_id: 'm-del',
    event_type: 'model',
    parent_id: 'sess-1',
    start_time: BASE_TIME + 500,
    cost: 5,
  }),
  // A session without a session event, two days later.
  makeEvent({
    event_id: 'm3',
    session_id: 'sess-2',
    event_type: 'model',
    model: 'gpt-4o-mini',
    parent_id: 'sess-2',
    start_time: BASE_TIME + 2 * DAY,
    cost: 0.5,
    total_tokens: 7,
  }),
  // A deleted session.
  makeSessionEvent('sess-del', { event_id: 'sd-root', start_time: BASE_TIME + 600 }),
  makeEvent({ event_id: 'sd1', session_id: 'sess-del', parent_id: 'sd-root', start_time: BASE_TIME + 700 }),
  // Another project reusing the same ids.
  makeEvent({
    ...OTHER_TENANT,
    event_id: 'm1',
    version: 9,
    event_name: 'other-project',
    session_id: 'sess-1',
  }),
  makeEvent({ ...OTHER_TENANT, event_id: 'o2', event_name: 'other-project', session_id: 'sess-1' }),
  makeSessionEvent('long-sess', {
    ...LONG_SESSION_TENANT,
    start_time: BASE_TIME,
    metadata: { app: 'long-running' },
    user_properties: { user_id: 'u9' },
  }),
  makeEvent({
    ...LONG_SESSION_TENANT,
    event_id: 'long-last',
    session_id: 'long-sess',
    parent_id: 'long-sess',
    event_type: 'tool',
    start_time: BASE_TIME + 3 * DAY,
    metadata: { step: 'last' },
  }),
];
const VISIBLE = ['c1', 'm1', 'm2', 'm3', 'sess-1', 't1'];

/**
 * A project with more chart groups than a chart keeps: 55 teams on the first day (t54 has 3 events,
 * t53 has 2, the rest one each; each event costs its team's number) and 4 events without a team on
 * the second day. By events, the top 50 groups are: no team (4), t54, t53, then t00..t46 by value.
 */
const WIDE_TENANT: Tenant = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-wide' };
const wideEvents = [
  ...Array.from({ length: 55 }, (_, team) => team).flatMap((team) =>
    Array.from({ length: team === 54 ? 3 : team === 53 ? 2 : 1 }, (_, copy) =>
      makeEvent({
        ...WIDE_TENANT,
        event_id: `w-${team}-${copy}`,
        session_id: 'wide',
        start_time: BASE_TIME + team * 1000 + copy,
        cost: team,
        metadata: { team: `t${String(team).padStart(2, '0')}` },
      }),
    ),
  ),
  ...Array.from({ length: 4 }, (_, index) =>
    makeEvent({
      ...WIDE_TENANT,
      event_id: `w-none-${index}`,
      session_id: 'wide',
      start_time: BASE_TIME + DAY,
      cost: 1000,
    }),
  ),
];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'waggle-query-'));
  await writeEvents(root, [...events, ...wideEvents]);
  await writeTombstones(root, [
    { ...TENANT, target: 'event', id: 'm-del', deleted_at: BASE_TIME + 10_000 },
    { ...TENANT, target: 'session', id: 'sess-del', deleted_at: BASE_TIME + 10_000 },
    // A tombstone in another project never hides this project's events.
    { ...OTHER_TENANT, target: 'event', id: 't1', deleted_at: BASE_TIME + 10_000 },
  ]);
  engine = await createDuckDbQueryEngine({ storeRoot: root });
  service = createEventQueryService(engine, { clock: () => NOW });
});

afterAll(async () => {
  engine.close();
  await rm(root, { recursive: true, force: true });
});

function exportQuery(overrides: Partial<ExportQuery> = {}): ExportQuery {
  return { filters: [], limit: 1000, page: 1, ...overrides };
}

/** A chart of event counts per day, over every event, but for what `overrides` says. */
function chartQuery(overrides: Partial<ChartQuery> = {}): ChartQuery {
  return { metric: 'duration', aggregation: 'count', bucket: 'day', filters: [], ...overrides };
}

async function idsMatching(...filters: EventFilter[]): Promise<string[]> {
  const result = await service.exportEvents(TENANT, exportQuery({ filters }));
  return result.events.map((event) => event.event_id ?? '').sort();
}

describe("Athena's rules, checked by the local engine before running", () => {
  it('refuses a statement Athena would refuse, so it fails locally too', async () => {
    await expect(engine.query('SELECT ? AS x FROM events', ['a'], { statement: 'chart' })).rejects.toThrow(
      new AthenaRuleError(
        "chart breaks Athena's rules: parameter 1 stands in the SELECT clause of the main query; Athena takes ? only in WHERE",
      ),
    );
    await expect(
      engine.query('SELECT 1 AS x FROM events WHERE event_id = ?', ['x'.repeat(1023)]),
    ).rejects.toThrow(/parameter 1 is 1025 characters as a literal; Athena takes at most 1024/);
    expect(await engine.query('SELECT 1 AS x FROM events WHERE event_id = ?', ['x'.repeat(1022)])).toEqual(
      [],
    );
  });

  it('interrupts a statement still running at the deadline', async () => {
    const slow = 'SELECT count(*) AS n FROM range(100000000) a, range(1000) b WHERE a.range > ?';
    const started = Date.now();
    await expect(engine.query(slow, [0], { statement: 'chart', deadline: started + 200 })).rejects.toThrow(
      DeadlineExceededError,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('exportEvents', () => {
  it('returns each visible event once, newest version, newest first, with totalEvents', async () => {
    const result = await service.exportEvents(TENANT, exportQuery());
    expect(result.events.map((event) => event.event_id)).toEqual(['m3', 'm2', 'c1', 't1', 'm1', 'sess-1']);
    expect(result.totalEvents).toBe(6);
    const m1 = result.events.find((event) => event.event_id === 'm1');
    expect(m1?.version).toBe(2);
    expect(m1?.metrics).toEqual({ score: 0.95, 'answer length': 11 });
    expect(m1?.inputs).toEqual({ prompt: { text: 'hello world' } });
    expect(m1?.project_id).toBe('proj-1');
  });

  it.each<[string, EventFilter[], string[]]>([
    ['string is', [{ field: 'event_name', operator: 'is', value: 'orphan' }], ['c1']],
    ['string is not', [{ field: 'event_type', operator: 'is not', value: 'model' }], ['c1', 'sess-1', 't1']],
    ['string contains (any case)', [{ field: 'model', operator: 'contains', value: 'GPT' }], ['m1', 'm3']],
    [
      'string not contains (missing counts)',
      [{ field: 'model', operator: 'not contains', value: 'gpt' }],
      ['c1', 'm2', 'sess-1', 't1'],
    ],
    ['string exists', [{ field: 'error', operator: 'exists' }], ['m2']],
    ['string not exists', [{ field: 'model', operator: 'not exists' }], ['c1', 'sess-1', 't1']],
    ['number greater than', [{ field: 'cost', operator: 'greater than', value: 0.015 }], ['m2', 'm3']],
    ['number less than', [{ field: 'cost', operator: 'less than', value: '0.015' }], ['m1']],
    ['number is', [{ field: 'total_tokens', operator: 'is', value: 15 }], ['m1']],
    [
      'number is not (missing counts)',
      [{ field: 'total_tokens', operator: 'is not', value: 15 }],
      ['c1', 'm2', 'm3', 'sess-1', 't1'],
    ],
    ['number exists', [{ field: 'total_tokens', operator: 'exists' }], ['m1', 'm2', 'm3']],
    ['number not exists', [{ field: 'cost', operator: 'not exists' }], ['c1', 'sess-1', 't1']],
    ['boolean column is', [{ field: 'deleted', operator: 'is', value: false }], VISIBLE],
    ['boolean column is not', [{ field: 'deleted', operator: 'is not', value: 'false' }], []],
    ['nested boolean is', [{ field: 'metadata.flag', operator: 'is', value: true, type: 'boolean' }], ['m1']],
    [
      'nested boolean is not',
      [{ field: 'metadata.flag', operator: 'is not', value: true, type: 'boolean' }],
      ['c1', 'm2', 'm3', 'sess-1', 't1'],
    ],
    ['nested boolean exists', [{ field: 'metadata.flag', operator: 'exists', type: 'boolean' }], ['m1']],
    [
      'datetime after (ISO)',
      [{ field: 'start_time', operator: 'after', value: new Date(BASE_TIME + 250).toISOString() }],
      ['c1', 'm2', 'm3'],
    ],
    [
      'datetime before (epoch ms)',
      [{ field: 'start_time', operator: 'before', value: BASE_TIME + 150 }],
      ['m1', 'sess-1'],
    ],
    ['datetime is', [{ field: 'start_time', operator: 'is', value: BASE_TIME + 300 }], ['c1']],
    [
      'datetime is not',
      [{ field: 'end_time', operator: 'is not', value: BASE_TIME + 400 }],
      ['m1', 'm2', 'm3', 'sess-1', 't1'],
    ],
    ['datetime exists', [{ field: 'ingested_at', operator: 'exists', type: 'datetime' }], VISIBLE],
    ['nested datetime after', [{ field: 'metadata.when', operator: 'after', value: BASE_TIME }], ['m1']],
    ['nested datetime before', [{ field: 'metadata.when', operator: 'before', value: BASE_TIME }], []],
    [
      'nested number (newest version only)',
      [{ field: 'metrics.score', operator: 'less than', value: 0.92 }],
      [],
    ],
    [
      'nested number greater than',
      [{ field: 'metrics.score', operator: 'greater than', value: 0.92 }],
      ['m1'],
    ],
    ['nested number is', [{ field: 'metadata.temperature', operator: 'is', value: 0.5 }], ['m1']],
    ['nested string contains', [{ field: 'metadata.tag', operator: 'contains', value: 'beta' }], ['m1']],
    [
      'nested string not contains',
      [{ field: 'metadata.tag', operator: 'not contains', value: 'beta' }],
      ['c1', 'm2', 'm3', 'sess-1', 't1'],
    ],
    [
      'nested string is not',
      [{ field: 'metadata.tag', operator: 'is not', value: 'gamma' }],
      ['c1', 'm1', 'm2', 'm3', 'sess-1'],
    ],
    ['deep inputs path', [{ field: 'inputs.prompt.text', operator: 'contains', value: 'world' }], ['m1']],
    ['key with a dash', [{ field: 'metadata.x-key', operator: 'is', value: 'dash' }], ['m1']],
    [
      'metric name with a space',
      [{ field: 'metrics.answer length', operator: 'greater than', value: 10 }],
      ['m1'],
    ],
    ['nested exists', [{ field: 'inputs.prompt', operator: 'exists' }], ['m1']],
    ['nested not exists', [{ field: 'metadata.tag', operator: 'not exists' }], ['c1', 'm2', 'm3', 'sess-1']],
    [
      'user_properties inherited from the session event',
      [{ field: 'user_properties.user_id', operator: 'is', value: 'u1' }],
      ['c1', 'm1', 'm2', 'sess-1', 't1'],
    ],
    [
      'metadata inherited',
      [{ field: 'metadata.app', operator: 'exists' }],
      ['c1', 'm1', 'm2', 'sess-1', 't1'],
    ],
    ['JSON section column exists', [{ field: 'feedback', operator: 'exists' }], ['m1']],
    ['children_ids contains', [{ field: 'children_ids', operator: 'contains', value: 'x-client' }], ['m2']],
    [
      'several filters AND together',
      [
        { field: 'event_type', operator: 'is', value: 'model' },
        { field: 'session_id', operator: 'is', value: 'sess-1' },
      ],
      ['m1', 'm2'],
    ],
  ])('filter: %s', async (_name, filters, expected) => {
    expect(await idsMatching(...filters)).toEqual(expected);
  });

  it('rejects unknown fields, operators and mismatched types with 400', async () => {
    const bad: EventFilter[] = [
      { field: 'password', operator: 'is', value: 'x' },
      { field: 'metadata.a;drop', operator: 'is', value: 'x' },
      { field: 'event_name', operator: 'like' as never, value: 'x' },
      { field: 'cost', operator: 'is', value: 'cheap' },
      { field: 'event_name', operator: 'greater than', value: 3 },
      { field: 'event_name', operator: 'is', value: 'x', type: 'number' },
      { field: 'start_time', operator: 'after', value: 'not a date' },
      { field: 'metadata.flag', operator: 'is', value: 'maybe', type: 'boolean' },
    ];
    for (const filter of bad) {
      const error = await service
        .exportEvents(TENANT, exportQuery({ filters: [filter] }))
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(filter)).toBeInstanceOf(ValidationError);
    }
  });

  it('restricts to a dateRange on start_time', async () => {
    const result = await service.exportEvents(
      TENANT,
      exportQuery({ dateRange: { from: BASE_TIME + 1 * DAY, to: BASE_TIME + 3 * DAY } }),
    );
    expect(result.events.map((event) => event.event_id)).toEqual(['m3']);
    const early = await service.exportEvents(
      TENANT,
      exportQuery({ dateRange: { from: BASE_TIME, to: BASE_TIME + 200 } }),
    );
    expect(early.events.map((event) => event.event_id).sort()).toEqual(['m1', 'sess-1', 't1']);
  });

  it('pages with limit and page; totalEvents counts the whole filtered set', async () => {
    const pages = await Promise.all(
      [1, 2, 3, 4].map((page) => service.exportEvents(TENANT, exportQuery({ limit: 2, page }))),
    );
    expect(pages.map((page) => page.events.map((event) => event.event_id))).toEqual([
      ['m3', 'm2'],
      ['c1', 't1'],
      ['m1', 'sess-1'],
      [],
    ]);
    expect(pages.every((page) => page.totalEvents === 6)).toBe(true);
    await expect(service.exportEvents(TENANT, exportQuery({ limit: 7501 }))).rejects.toMatchObject({
      kind: 'validation',
    });
    await expect(service.exportEvents(TENANT, exportQuery({ page: 0 }))).rejects.toMatchObject({
      kind: 'validation',
    });
  });

  it('returns only the projected fields', async () => {
    const result = await service.exportEvents(
      TENANT,
      exportQuery({
        projections: ['event_id', 'cost', 'children_ids'],
        filters: [{ field: 'event_id', operator: 'is', value: 'm1' }],
      }),
    );
    expect(result.events).toEqual([{ event_id: 'm1', cost: 0.01, children_ids: ['t1'] }]);
    await expect(
      service.exportEvents(TENANT, exportQuery({ projections: ['event_id; drop table'] })),
    ).rejects.toMatchObject({ kind: 'validation' });
  });

  it('enriches children_ids and inherits session metadata and user_properties', async () => {
    const result = await service.exportEvents(TENANT, exportQuery());
    const byId = new Map(result.events.map((event) => [event.event_id, event]));
    expect(byId.get('m1')?.children_ids).toEqual(['t1']);
    expect(byId.get('m2')?.children_ids).toEqual(['x-client']);
    expect(byId.get('sess-1')?.children_ids?.sort()).toEqual(['m1', 'm2']);
    expect(byId.get('t1')?.user_properties).toEqual({ user_id: 'u1' });
    expect(byId.get('t1')?.metadata).toEqual({ app: 'demo', tag: 'gamma' });
    expect(byId.get('m3')?.user_properties).toEqual({});
  });
});

describe('exportEvents: a page read whole after it is chosen', () => {
  it('inherits from a session event days older than the page, with or without a dateRange', async () => {
    const expected = {
      event_id: 'long-last',
      metadata: { app: 'long-running', step: 'last' },
      user_properties: { user_id: 'u9' },
      children_ids: [],
    };
    const newestOnly = await service.exportEvents(LONG_SESSION_TENANT, exportQuery({ limit: 1 }));
    expect(newestOnly.events).toEqual([expect.objectContaining(expected)]);
    expect(newestOnly.totalEvents).toBe(2);
    const lastDay = await service.exportEvents(
      LONG_SESSION_TENANT,
      exportQuery({ dateRange: { from: BASE_TIME + 3 * DAY - 1000, to: BASE_TIME + 4 * DAY } }),
    );
    expect(lastDay.events).toEqual([expect.objectContaining(expected)]);
    expect(lastDay.totalEvents).toBe(1);
  });

  it('filters and groups on fields inherited from a session event outside the dateRange', async () => {
    const lastDay = { from: BASE_TIME + 3 * DAY - 1000, to: BASE_TIME + 4 * DAY };
    const filtered = await service.exportEvents(
      LONG_SESSION_TENANT,
      exportQuery({
        dateRange: lastDay,
        filters: [
          { field: 'metadata.app', operator: 'is', value: 'long-running' },
          { field: 'user_properties.user_id', operator: 'is', value: 'u9' },
        ],
      }),
    );
    expect(filtered.events.map((event) => event.event_id)).toEqual(['long-last']);
    expect(filtered.totalEvents).toBe(1);
    const chart = await service.chart(
      LONG_SESSION_TENANT,
      chartQuery({ groupBy: 'metadata.app', dateRange: lastDay }),
    );
    expect(chart.events).toEqual([expect.objectContaining({ group: 'long-running', count: 1 })]);
  });

  it('links children to a page event when the children are not on the page', async () => {
    const oldestFirstPage = await service.exportEvents(
      LONG_SESSION_TENANT,
      exportQuery({ limit: 1, page: 2 }),
    );
    expect(oldestFirstPage.events).toEqual([
      expect.objectContaining({
        event_id: 'long-sess',
        children_ids: ['long-last'],
        metadata: { app: 'long-running' },
      }),
    ]);
  });
});

describe('tombstones and isolation', () => {
  it('hides tombstoned events and every event of a tombstoned session', async () => {
    expect(await service.getEvent(TENANT, 'm-del')).toBeUndefined();
    expect(await service.getEvent(TENANT, 'sd1')).toBeUndefined();
    expect(await service.getSession(TENANT, 'sess-del')).toBeUndefined();
    expect(await idsMatching({ field: 'session_id', operator: 'is', value: 'sess-del' })).toEqual([]);
  });

  it('never shows one project the events of another, even with the same ids', async () => {
    const other = await service.exportEvents(OTHER_TENANT, exportQuery());
    expect(other.events.map((event) => event.event_id).sort()).toEqual(['m1', 'o2']);
    expect(other.events.every((event) => event.event_name === 'other-project')).toBe(true);
    expect(await service.getEvent(TENANT, 'o2')).toBeUndefined();
    expect((await service.getEvent(TENANT, 'm1'))?.event_name).toBe('llm');
    const session = await service.getSession(OTHER_TENANT, 'sess-1');
    expect(session?.rollup.num_events).toBe(2);
    const wrongOrg = await service.exportEvents({ ...TENANT, org_id: 'org-2' }, exportQuery());
    expect(wrongOrg).toEqual({ events: [], totalEvents: 0 });
  });
});

describe('getEvent', () => {
  it('returns the newest version, enriched', async () => {
    const event = await service.getEvent(TENANT, 'm1');
    expect(event).toMatchObject({
      event_id: 'm1',
      version: 2,
      children_ids: ['t1'],
      feedback: { rating: 5 },
    });
    expect(event?.user_properties).toEqual({ user_id: 'u1' });
    expect(event?.metadata).toMatchObject({ app: 'demo', tag: 'Alpha Beta' });
    expect(await service.getEvent(TENANT, 'nope')).toBeUndefined();
  });
});

describe('getSession', () => {
  const shape = (node: SessionNode): unknown => ({ id: node.event_id, children: node.children.map(shape) });

  it('nests children by parent_id, hangs orphans under the root, and rolls up once per event', async () => {
    const session = await service.getSession(TENANT, 'sess-1');
    expect(session && shape(session.root)).toEqual({
      id: 'sess-1',
      children: [
        { id: 'm1', children: [{ id: 't1', children: [] }] },
        { id: 'c1', children: [] },
        { id: 'm2', children: [] },
      ],
    });
    expect(session?.rollup).toEqual({
      num_events: 4,
      num_model_events: 2,
      has_feedback: true,
      cost: 0.03,
      total_tokens: 45,
      prompt_tokens: 30,
      completion_tokens: 15,
      start_time: BASE_TIME,
      end_time: BASE_TIME + 6000,
      duration: 6000,
    });
    expect(session?.root.children[0]?.children[0]?.user_properties).toEqual({ user_id: 'u1' });
  });

  it('gives a session without a session event a synthetic root', async () => {
    const session = await service.getSession(TENANT, 'sess-2');
    expect(session?.root).toMatchObject({
      event_id: 'sess-2',
      event_type: 'session',
      session_id: 'sess-2',
      version: 0,
    });
    expect(session?.root.children.map((child) => child.event_id)).toEqual(['m3']);
    expect(session?.rollup).toMatchObject({
      num_events: 1,
      num_model_events: 1,
      cost: 0.5,
      total_tokens: 7,
      has_feedback: false,
    });
    expect(await service.getSession(TENANT, 'no-such-session')).toBeUndefined();
  });
});

describe('chart', () => {
  it('counts per hour bucket grouped by a field', async () => {
    const result = await service.chart(TENANT, chartQuery({ bucket: 'hour', groupBy: 'event_type' }));
    const hour = Date.UTC(2026, 2, 10, 12);
    expect(result.events).toEqual([
      { bucket: hour, group: 'chain', value: 1, count: 1 },
      { bucket: hour, group: 'model', value: 2, count: 2 },
      { bucket: hour, group: 'session', value: 1, count: 1 },
      { bucket: hour, group: 'tool', value: 1, count: 1 },
      { bucket: hour + 2 * DAY, group: 'model', value: 1, count: 1 },
    ]);
    expect(result.totalEvents).toBe(6);
  });

  it('aggregates numeric columns and nested metrics per day, honouring filters', async () => {
    const avgCost = await service.chart(
      TENANT,
      chartQuery({
        metric: 'cost',
        aggregation: 'avg',
        filters: [{ field: 'session_id', operator: 'is', value: 'sess-1' }],
      }),
    );
    expect(avgCost.events).toHaveLength(1);
    expect(avgCost.events[0]?.bucket).toBe(Date.UTC(2026, 2, 10));
    expect(avgCost.events[0]?.value).toBeCloseTo(0.015, 10);
    expect(avgCost.events[0]?.count).toBe(5);

    const p50 = await service.chart(
      TENANT,
      chartQuery({
        aggregation: 'p50',
        filters: [{ field: 'event_type', operator: 'is', value: 'model' }],
        dateRange: { from: BASE_TIME, to: BASE_TIME + DAY },
      }),
    );
    expect(p50.events.map((point) => point.value)).toEqual([(300 + 5600) / 2]);

    const score = await service.chart(
      TENANT,
      chartQuery({ metric: 'metrics.score', aggregation: 'max', bucket: 'minute' }),
    );
    expect(score.events.map((point) => point.value).filter((value) => value !== null)).toEqual([0.95]);
  });

  it('rejects non-numeric metrics and unknown group fields with 400', async () => {
    await expect(
      service.chart(TENANT, chartQuery({ metric: 'event_name', aggregation: 'avg' })),
    ).rejects.toMatchObject({ kind: 'validation' });
    await expect(
      service.chart(TENANT, chartQuery({ metric: 'cost', aggregation: 'avg', groupBy: 'nope' })),
    ).rejects.toMatchObject({ kind: 'validation' });
  });

  it('keeps the 50 groups with the most events and folds the rest into one "other" group', async () => {
    const day = Date.UTC(2026, 2, 10);
    const counted = await service.chart(
      WIDE_TENANT,
      chartQuery({ metric: 'cost', groupBy: 'metadata.team' }),
    );
    const kept = Array.from({ length: 47 }, (_, team) => `t${String(team).padStart(2, '0')}`);
    expect(counted.events).toEqual([
      ...[...kept, 't53', 't54'].map((group) => ({
        bucket: day,
        group,
        value: group === 't54' ? 3 : group === 't53' ? 2 : 1,
        count: group === 't54' ? 3 : group === 't53' ? 2 : 1,
      })),
      // t47..t52, one event each, ranked last by value among the groups of one event.
      { bucket: day, group: OTHER_CHART_GROUP, other: true, value: 6, count: 6 },
      { bucket: day + DAY, group: null, value: 4, count: 4 },
    ]);
    expect(new Set(counted.events.filter((point) => !point.other).map((point) => point.group)).size).toBe(
      MAX_CHART_GROUPS,
    );
    expect(counted.totalEvents).toBe(wideEvents.length);

    // The folded group's aggregate is over exactly its events: costs 47, 48, 49, 50, 51, 52.
    const otherValue = async (aggregation: ChartQuery['aggregation']) => {
      const result = await service.chart(
        WIDE_TENANT,
        chartQuery({ metric: 'cost', aggregation, groupBy: 'metadata.team' }),
      );
      return result.events.find((point) => point.other)?.value;
    };
    expect(await otherValue('sum')).toBe(297);
    expect(await otherValue('avg')).toBeCloseTo(49.5, 10);
    expect(await otherValue('min')).toBe(47);
    expect(await otherValue('max')).toBe(52);
    expect(await otherValue('p50')).toBeCloseTo(49.5, 10);
  });

  it('answers a bounded chart when grouped by event_id with no dateRange', async () => {
    const result = await service.chart(WIDE_TENANT, chartQuery({ aggregation: 'avg', groupBy: 'event_id' }));
    const named = result.events.filter((point) => !point.other);
    expect(new Set(named.map((point) => point.group)).size).toBe(MAX_CHART_GROUPS);
    // Each of the two days has at most the named groups plus one folded point.
    expect(result.events.length).toBeLessThanOrEqual(MAX_CHART_GROUPS + 2);
    expect(result.totalEvents).toBe(wideEvents.length);
  });

  it('refuses the dt and hour partitions with 400 (not a binder error), and groups by project_id', async () => {
    for (const field of ['dt', 'hour']) {
      await expect(
        service.chart(TENANT, chartQuery({ metric: 'cost', groupBy: field })),
      ).rejects.toMatchObject({
        kind: 'validation',
        message: expect.stringContaining(`"${field}" is a storage partition`),
      });
      await expect(
        service.exportEvents(TENANT, exportQuery({ filters: [{ field, operator: 'exists' }] })),
      ).rejects.toMatchObject({ kind: 'validation', message: expect.stringContaining('use start_time') });
    }
    const byProject = await service.chart(
      TENANT,
      chartQuery({
        metric: 'cost',
        bucket: 'month',
        groupBy: 'project_id',
        filters: [{ field: 'project_id', operator: 'is', value: TENANT.project_id }],
      }),
    );
    expect(byProject.events.map((point) => point.group)).toEqual([TENANT.project_id]);
    expect(byProject.totalEvents).toBe(VISIBLE.length);
  });
});

describe('lookupLatest', () => {
  it('returns the newest stored version of each id that exists in the project', async () => {
    const latest = await service.lookupLatest(TENANT, ['m1', 't1', 'm1', 'nope', 'o2']);
    expect([...latest.keys()].sort()).toEqual(['m1', 't1']);
    expect(latest.get('m1')?.version).toBe(2);
    // The stored row, without read-time inheritance.
    expect(latest.get('t1')?.user_properties).toEqual({});
    expect(await service.lookupLatest(TENANT, [])).toEqual(new Map());
  });
});

describe('an empty store', () => {
  it('answers with nothing instead of failing, and sees files written later', async () => {
    const emptyRoot = await mkdtemp(join(tmpdir(), 'waggle-query-empty-'));
    const emptyEngine = await createDuckDbQueryEngine({ storeRoot: emptyRoot });
    try {
      const emptyService = createEventQueryService(emptyEngine, { clock: () => NOW });
      expect(await emptyService.exportEvents(TENANT, exportQuery())).toEqual({ events: [], totalEvents: 0 });
      expect(await emptyService.getSession(TENANT, 'sess-1')).toBeUndefined();
      await writeEvents(emptyRoot, [makeEvent({ event_id: 'late' })]);
      expect((await emptyService.exportEvents(TENANT, exportQuery())).totalEvents).toBe(1);
    } finally {
      emptyEngine.close();
      await rm(emptyRoot, { recursive: true, force: true });
    }
  });
});
