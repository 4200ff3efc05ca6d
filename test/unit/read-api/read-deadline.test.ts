/**
 * Each read carries a deadline (API Gateway's usable 29 s from arrival, less a margin): statements
 * get the time that is left, not a fixed timeout each, and a read that cannot finish answers 504
 * naming the limit instead of hanging. Driven with a slow fake engine under the real query layer.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../lambdas/domain/auth/api-key';
import { DeadlineExceededError } from '../../../lambdas/domain/query/deadline';
import type { QueryEngine, QueryOptions } from '../../../lambdas/domain/query/engine';
import { createEventQueryService } from '../../../lambdas/domain/query/event-query-service';
import {
  API_GATEWAY_USABLE_MS,
  DEFAULT_READ_BUDGET_MS,
  RESPONSE_MARGIN_MS,
  readDeadline,
} from '../../../lambdas/domain/read-api/read-deadline';
import { createQueryApiHandler, type QueryApiHandler } from '../../../lambdas/query-api/app';
import { apigwEvent } from '../../support/apigw-event';
import { MemoryKeyRegistry, MemoryObjectStore, MemoryQueue } from '../../support/memory-ports';

const KEY = generateApiKey();
const TENANT = { org_id: 'org-1', workspace_id: 'ws-1', project_id: 'proj-1' };

/** Answers each statement after `delayMs`, or when its deadline passes (as the real engines stop them). */
class SlowEngine implements QueryEngine {
  readonly dialect = 'athena';
  readonly calls: QueryOptions[] = [];
  constructor(private readonly delayMs: number) {}
  query(
    _sql: string,
    _params: readonly unknown[],
    options?: QueryOptions,
  ): Promise<Record<string, unknown>[]> {
    this.calls.push(options as QueryOptions);
    return new Promise((resolve, reject) => {
      const untilDeadline = options?.deadline === undefined ? Infinity : options.deadline - Date.now();
      if (untilDeadline < this.delayMs)
        setTimeout(
          () => reject(new DeadlineExceededError('stopped at the deadline')),
          Math.max(0, untilDeadline),
        );
      else setTimeout(() => resolve([]), this.delayMs);
    });
  }
}

/** Never answers and ignores deadlines: only the app's own race can end the read. */
class HangingEngine implements QueryEngine {
  readonly dialect = 'athena';
  calls = 0;
  query(): Promise<Record<string, unknown>[]> {
    this.calls++;
    return new Promise(() => {});
  }
}

let keys: MemoryKeyRegistry;

beforeEach(async () => {
  keys = new MemoryKeyRegistry();
  await keys.register(KEY, { ...TENANT, projectName: 'app' }, ['read']);
});

function handlerOver(engine: QueryEngine, readBudgetMs?: number): QueryApiHandler {
  return createQueryApiHandler({
    keys,
    queries: createEventQueryService(engine),
    eventsQueue: new MemoryQueue(),
    overflowStore: new MemoryObjectStore(),
    ...(readBudgetMs === undefined ? {} : { readBudgetMs }),
  });
}

function get(target: string, arrivedAt = Date.now()) {
  const [path = target, query = ''] = target.split('?');
  const event = apigwEvent({ method: 'GET', path, headers: { authorization: `Bearer ${KEY}` } });
  event.routeKey = '$default';
  event.rawQueryString = query;
  event.requestContext.timeEpoch = arrivedAt;
  return event;
}

describe('the read deadline', () => {
  it('defaults to 27 s from arrival: the gateway usable 29 s less 2 s to answer', () => {
    expect(DEFAULT_READ_BUDGET_MS).toBe(API_GATEWAY_USABLE_MS - RESPONSE_MARGIN_MS);
    expect(readDeadline({ arrivedAt: 1_000, now: 1_500, budgetMs: 27_000 })).toBe(28_000);
    // A shorter Lambda timeout wins; an arrival time in the future (clock skew) counts as now.
    expect(
      readDeadline({ arrivedAt: 1_000, now: 1_500, budgetMs: 27_000, invocationRemainingMs: 10_000 }),
    ).toBe(9_500);
    expect(readDeadline({ arrivedAt: 9_000, now: 1_500, budgetMs: 27_000 })).toBe(28_500);
  });

  it('gives every statement of a read the same deadline, counted from arrival', async () => {
    const engine = new SlowEngine(5);
    const arrivedAt = Date.now() - 1_000;
    const response = await handlerOver(engine)(get('/v1/events/evt-1', arrivedAt));
    expect(response.statusCode).toBe(404);
    // Session by id, then the event by id (each a locator lookup that finds nothing): both bounded by one deadline, not 25 s each.
    expect(engine.calls.map((call) => call.statement)).toEqual(['locate', 'locate']);
    for (const call of engine.calls) expect(call.deadline).toBe(arrivedAt + DEFAULT_READ_BUDGET_MS);
  });

  it('answers 504 naming the limit when the statements run past it, and stops starting new ones', async () => {
    const engine = new SlowEngine(150);
    const started = Date.now();
    const response = await handlerOver(engine, 200)(get('/v1/events/evt-1'));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(response.statusCode).toBe(504);
    expect(JSON.parse(response.body ?? '')).toEqual({
      success: false,
      error:
        'The read did not finish within its 0.2 s (API Gateway answers every request within 29 s): narrow it with a dateRange, filters or a smaller limit',
    });
    // The first statement finished at 150 ms; the second was stopped at 200 ms; no third started.
    expect(engine.calls).toHaveLength(2);
  });

  it('answers 504 at the deadline even when the engine never answers', async () => {
    const engine = new HangingEngine();
    const started = Date.now();
    const response = await handlerOver(engine, 100)(get('/events?limit=5'));
    expect(response.statusCode).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(engine.calls).toBe(2);
  });

  it('runs nothing when the request arrives with its time already spent', async () => {
    const engine = new SlowEngine(1);
    const response = await handlerOver(engine)(get('/v1/events/chart', Date.now() - 30_000));
    expect(response.statusCode).toBe(504);
    expect(engine.calls).toHaveLength(0);
  });
});
