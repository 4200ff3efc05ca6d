/**
 * The bounds every ranged read runs within, on DuckDB over Parquet in the store's layout, at their
 * edges: the default window of a read without a dateRange, the read horizon (as far as Athena's
 * projection reaches), and the deletion reach that bounds the tombstone scan. Deletion semantics
 * hold inside them: a deletion long after its event, or before the event arrived, still hides it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDbQueryEngine,
  type DuckDbQueryEngine,
} from '../../lambdas/adapters/local/duckdb-query-engine';
import type { Tenant } from '../../lambdas/domain/events/event';
import { createEventQueryService } from '../../lambdas/domain/query/event-query-service';
import type { DateRange, EventQueryService } from '../../lambdas/domain/query/types';
import { DELETION_REACH_MS } from '../../lambdas/domain/store/deletion-reach';
import { readHorizon } from '../../lambdas/domain/store/projection-window';
import { makeEvent, writeEvents, writeTombstones } from '../unit/query/store-fixture';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Noon: the horizon is the end of tomorrow, 2026-11-23T23:59:59.999Z. */
const NOW = Date.UTC(2026, 10, 22, 12);
const HORIZON = readHorizon(NOW);
const WINDOW_START = NOW - 30 * DAY;
const TENANT: Tenant = { org_id: 'org-b', workspace_id: 'ws-b', project_id: 'proj-bounds' };
/** The end of a day: a deletion here lies in the last hour of its day partition. */
const DELETED_AT = Date.UTC(2026, 10, 10) - 1;

const event = (
  event_id: string,
  start_time: number,
  more: { session_id?: string; ingested_at?: number } = {},
) => makeEvent({ ...TENANT, event_id, start_time, session_id: more.session_id ?? event_id, ...more });

const EVENTS = [
  // The default window's edges.
  event('window-first', WINDOW_START),
  event('window-before', WINDOW_START - 1),
  // The horizon's edges: the last readable instant, and the first that is not.
  event('horizon-last', HORIZON),
  event('horizon-after', HORIZON + 1),
  // Deleted three weeks after it started (within the window).
  event('deleted-late', NOW - 25 * DAY),
  // Deleted while on its way: it started before the DELETE and reached the store after it.
  event('deleted-in-flight', DELETED_AT - 5 * 60_000, { ingested_at: DELETED_AT + HOUR }),
  // A client clock ahead of the server's: started after the deletion, up to the reach and past it.
  event('skewed-at-reach', DELETED_AT + DELETION_REACH_MS),
  event('skewed-past-reach', DELETED_AT + DELETION_REACH_MS + 1),
  // A deleted session: events before the deletion, at its reach, and new activity after it.
  event('gone-before', DELETED_AT - DAY, { session_id: 'gone' }),
  event('gone-at-reach', DELETED_AT + DELETION_REACH_MS, { session_id: 'gone' }),
  event('gone-later', DELETED_AT + DELETION_REACH_MS + 1, { session_id: 'gone' }),
];

let root: string;
let engine: DuckDbQueryEngine;
let service: EventQueryService;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'waggle-read-bounds-'));
  await writeEvents(root, EVENTS);
  await writeTombstones(root, [
    { ...TENANT, target: 'event', id: 'deleted-late', deleted_at: NOW - 4 * DAY },
    { ...TENANT, target: 'event', id: 'deleted-in-flight', deleted_at: DELETED_AT },
    { ...TENANT, target: 'event', id: 'skewed-at-reach', deleted_at: DELETED_AT },
    { ...TENANT, target: 'event', id: 'skewed-past-reach', deleted_at: DELETED_AT },
    { ...TENANT, target: 'session', id: 'gone', deleted_at: DELETED_AT },
  ]);
  engine = await createDuckDbQueryEngine({ storeRoot: root });
  service = createEventQueryService(engine, { clock: () => NOW });
});

afterAll(async () => {
  engine.close();
  await rm(root, { recursive: true, force: true });
});

async function exported(dateRange?: DateRange): Promise<string[]> {
  const result = await service.exportEvents(TENANT, {
    filters: [],
    limit: 100,
    page: 1,
    ...(dateRange ? { dateRange } : {}),
  });
  expect(result.totalEvents).toBe(result.events.length);
  return result.events.map((row) => String(row.event_id)).sort();
}

async function charted(dateRange?: DateRange): Promise<number> {
  const chart = await service.chart(TENANT, {
    metric: 'duration',
    aggregation: 'count',
    bucket: 'day',
    filters: [],
    ...(dateRange ? { dateRange } : {}),
  });
  return chart.totalEvents;
}

describe('a read without a dateRange', () => {
  it('covers the last 30 days up to the horizon, both edges included', async () => {
    const ids = await exported();
    expect(ids).toContain('window-first');
    expect(ids).toContain('horizon-last');
    expect(ids).not.toContain('window-before');
    expect(ids).not.toContain('horizon-after');
    expect(await charted()).toBe(ids.length);
  });

  it('leaves older events to a dateRange that names them', async () => {
    expect(await exported({ from: WINDOW_START - 1, to: WINDOW_START - 1 })).toEqual(['window-before']);
  });

  it('is the number of days the deployment chose', async () => {
    const week = createEventQueryService(engine, { clock: () => NOW, defaultWindowDays: 7 });
    const result = await week.exportEvents(TENANT, { filters: [], limit: 100, page: 1 });
    expect(result.events.map((row) => row.event_id)).toEqual(['horizon-last']);
    expect(() => createEventQueryService(engine, { defaultWindowDays: 0 })).toThrow(/1 to 366 days/);
  });
});

describe('the read horizon', () => {
  it('shows nothing dated after the end of tomorrow, even in a range that reaches further', async () => {
    expect(await exported({ from: HORIZON, to: HORIZON + 30 * DAY })).toEqual(['horizon-last']);
    expect(await service.getEvent(TENANT, 'horizon-after')).toBeUndefined();
    expect(await service.getSession(TENANT, 'horizon-after')).toBeUndefined();
  });

  it('shows a future event once the horizon has reached it', async () => {
    const later = createEventQueryService(engine, { clock: () => NOW + DAY });
    const result = await later.exportEvents(TENANT, {
      filters: [],
      limit: 100,
      page: 1,
      dateRange: { from: HORIZON, to: HORIZON + 30 * DAY },
    });
    expect(result.events.map((row) => row.event_id).sort()).toEqual(['horizon-after', 'horizon-last']);
  });

  it('still lets the writer find an event past it (an update must find its base)', async () => {
    expect([...(await service.lookupLatest(TENANT, ['horizon-after'])).keys()]).toEqual(['horizon-after']);
  });
});

describe('deletions inside bounded reads', () => {
  it('hides an event deleted long after it started, in a ranged read and by default', async () => {
    const started = NOW - 25 * DAY;
    expect(await exported({ from: started, to: started })).toEqual([]);
    expect(await exported()).not.toContain('deleted-late');
    expect(await service.getEvent(TENANT, 'deleted-late')).toBeUndefined();
  });

  it('hides an event deleted before it arrived', async () => {
    const started = DELETED_AT - 5 * 60_000;
    expect(await exported({ from: started, to: started })).toEqual([]);
    expect(await service.getEvent(TENANT, 'deleted-in-flight')).toBeUndefined();
  });

  it('reaches two days past the deletion: a skewed start at the edge is hidden, one past it shows', async () => {
    // A range that starts at the event: the tombstone lies in the first tombstone day it scans.
    const atReach = DELETED_AT + DELETION_REACH_MS;
    const skewed = async (range: DateRange) =>
      (await exported(range)).filter((id) => id.startsWith('skewed-'));
    expect(await skewed({ from: atReach, to: atReach + 1 })).toEqual(['skewed-past-reach']);
    expect(await skewed({ from: atReach + 1, to: atReach + 1 })).toEqual(['skewed-past-reach']);
    expect(await service.getEvent(TENANT, 'skewed-at-reach')).toBeUndefined();
    expect((await service.getEvent(TENANT, 'skewed-past-reach'))?.event_id).toBe('skewed-past-reach');
  });

  it('hides a deleted session up to the reach; later activity in it shows, alike by range and by id', async () => {
    const ranged = await exported({ from: DELETED_AT - 2 * DAY, to: DELETED_AT + 3 * DAY });
    expect(ranged.filter((id) => id.startsWith('gone-'))).toEqual(['gone-later']);
    const session = await service.getSession(TENANT, 'gone');
    expect(session?.rollup.num_events).toBe(1);
    expect(session?.root.children.map((child) => child.event_id)).toEqual(['gone-later']);
  });
});
