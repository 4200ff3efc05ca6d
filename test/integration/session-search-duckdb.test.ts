/**
 * POST /v1/sessions/search's statements against DuckDB over Parquet files in the store's layout:
 * rollups over visible events only (duplicates and older versions counted once, deleted events
 * left out), filters on the session event (inherited fields compile as everywhere), a session
 * without a session event, the one-day margin around the range, sorting and paging.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDuckDbQueryEngine,
  type DuckDbQueryEngine,
} from '../../lambdas/adapters/local/duckdb-query-engine';
import { createEventQueryService } from '../../lambdas/domain/query/event-query-service';
import type { EventQueryService, SessionSearchQuery } from '../../lambdas/domain/query/types';
import { BASE_TIME, makeEvent, TENANT, writeEvents, writeTombstones } from '../unit/query/store-fixture';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = BASE_TIME + 5 * DAY;

let root: string;
let engine: DuckDbQueryEngine;
let service: EventQueryService;

const model = makeEvent({
  event_id: 'a-m',
  session_id: 'a',
  event_type: 'model',
  cost: 0.25,
  total_tokens: 100,
  start_time: BASE_TIME + 1000,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'waggle-session-search-'));
  await writeEvents(root, [
    // Session a: its session event, a model event written twice and updated once, an erroring
    // tool, and a deleted event.
    makeEvent({
      event_id: 'a',
      session_id: 'a',
      event_type: 'session',
      event_name: 'checkout',
      start_time: BASE_TIME,
      metadata: { customer: 'acme' },
      user_properties: { plan: 'pro' },
      cost: 99,
    }),
    model,
    model,
    { ...model, version: 2, cost: 0.5, total_tokens: 200 },
    makeEvent({
      event_id: 'a-t',
      session_id: 'a',
      event_type: 'tool',
      error: 'boom',
      start_time: BASE_TIME + 2000,
    }),
    makeEvent({ event_id: 'a-gone', session_id: 'a', cost: 10, start_time: BASE_TIME + 3000 }),
    // Session b: no session event; two chain events, ten hours long.
    makeEvent({ event_id: 'b-1', session_id: 'b', start_time: BASE_TIME + HOUR, cost: 0.1 }),
    makeEvent({
      event_id: 'b-2',
      session_id: 'b',
      start_time: BASE_TIME + 10 * HOUR,
      end_time: BASE_TIME + 11 * HOUR,
    }),
    // Session c: a session event that started the day before the range, an event inside it.
    makeEvent({
      event_id: 'c',
      session_id: 'c',
      event_type: 'session',
      event_name: 'support',
      start_time: BASE_TIME - DAY + HOUR,
    }),
    makeEvent({ event_id: 'c-1', session_id: 'c', start_time: BASE_TIME + 2 * HOUR, cost: 2 }),
  ]);
  await writeTombstones(root, [{ ...TENANT, target: 'event', id: 'a-gone', deleted_at: BASE_TIME + 10_000 }]);
  engine = await createDuckDbQueryEngine({ storeRoot: root });
  service = createEventQueryService(engine, { clock: () => NOW });
});

afterAll(async () => {
  engine.close();
  await rm(root, { recursive: true, force: true });
});

function search(overrides: Partial<SessionSearchQuery> = {}) {
  return service.searchSessions(TENANT, {
    filters: [],
    sortBy: 'start_time',
    sortOrder: 'desc',
    limit: 50,
    page: 1,
    ...overrides,
  });
}

describe('session search on DuckDB', () => {
  it('rolls up visible events only: duplicates and versions once, the deleted event left out', async () => {
    const { sessions, totalSessions } = await search();
    expect(totalSessions).toBe(3);
    const a = sessions.find((session) => session.session_id === 'a');
    expect(a).toEqual({
      session_id: 'a',
      event_name: 'checkout',
      source: 'test',
      start_time: BASE_TIME,
      end_time: BASE_TIME + 2100,
      duration: 2100,
      num_events: 2,
      cost: 0.5,
      total_tokens: 200,
      errors: 1,
      metadata: { customer: 'acme' },
      user_properties: { plan: 'pro' },
    });
    // Without a session event: `session`, rollups over all its events.
    expect(sessions.find((session) => session.session_id === 'b')).toMatchObject({
      event_name: 'session',
      num_events: 2,
      duration: 11 * HOUR - HOUR,
    });
  });

  it('ranges on the session start, reading a day beyond: a session begun the day before is not in a range from today', async () => {
    const today = { from: BASE_TIME - HOUR, to: BASE_TIME + DAY };
    expect((await search({ dateRange: today })).sessions.map((s) => s.session_id).sort()).toEqual(['a', 'b']);
    const yesterday = await search({ dateRange: { from: BASE_TIME - DAY, to: BASE_TIME - 2 * HOUR } });
    expect(yesterday.sessions).toEqual([
      expect.objectContaining({
        session_id: 'c',
        num_events: 1,
        cost: 2,
        end_time: BASE_TIME + 2 * HOUR + 100,
      }),
    ]);
  });

  it('filters on the session event, sorts by any key and pages stably', async () => {
    const acme = await search({
      filters: [{ field: 'metadata.customer', operator: 'is', value: 'acme', type: 'string' }],
    });
    expect(acme.sessions.map((s) => s.session_id)).toEqual(['a']);
    const notAcme = await search({
      filters: [{ field: 'metadata.customer', operator: 'is not', value: 'acme', type: 'string' }],
    });
    expect(notAcme.sessions.map((s) => s.session_id).sort()).toEqual(['b', 'c']);
    expect((await search({ sortBy: 'cost' })).sessions.map((s) => s.session_id)).toEqual(['c', 'a', 'b']);
    expect(
      (await search({ sortBy: 'event_name', sortOrder: 'asc' })).sessions.map((s) => s.session_id),
    ).toEqual(['a', 'b', 'c']);
    const pages = [
      await search({ sortBy: 'errors', limit: 1, page: 1 }),
      await search({ sortBy: 'errors', limit: 1, page: 2 }),
    ];
    expect(pages.map((page) => page.sessions.map((s) => s.session_id))).toEqual([['a'], ['b']]);
    expect(pages[1]?.totalSessions).toBe(3);
  });
});
