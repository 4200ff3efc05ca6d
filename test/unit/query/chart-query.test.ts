/**
 * The chart's bounds that need no data to check: the row limit in the statement, and the refusal
 * when the engine finds more buckets than a chart may answer (as it can without a dateRange).
 */
import { describe, expect, it } from 'vitest';
import { chart } from '../../../lambdas/domain/query/chart-query';
import { DUCKDB_DIALECT } from '../../../lambdas/domain/query/dialect';
import type { QueryEngine, SqlParam } from '../../../lambdas/domain/query/engine';
import {
  type ChartQuery,
  MAX_CHART_BUCKETS,
  MAX_CHART_GROUPS,
  OTHER_CHART_GROUP,
} from '../../../lambdas/domain/query/types';
import { TENANT } from './store-fixture';

const MINUTE = 60_000;

/** An engine that answers every statement with the given rows and remembers the statements. */
function engineAnswering(rows: Record<string, unknown>[]): QueryEngine & { statements: string[] } {
  const statements: string[] = [];
  return {
    dialect: 'duckdb',
    statements,
    async query(sql: string, _params: readonly SqlParam[]) {
      statements.push(sql);
      return rows;
    },
  };
}

const perMinute: ChartQuery = { metric: 'cost', aggregation: 'sum', bucket: 'minute', filters: [] };

describe('chart bounds', () => {
  it('asks for one row more than a chart may have, grouped or not', async () => {
    const engine = engineAnswering([]);
    await chart(engine, DUCKDB_DIALECT, TENANT, perMinute);
    await chart(engine, DUCKDB_DIALECT, TENANT, { ...perMinute, groupBy: 'model' });
    expect(engine.statements[0]).toMatch(new RegExp(`LIMIT ${MAX_CHART_BUCKETS + 1}$`));
    expect(engine.statements[1]).toMatch(
      new RegExp(`LIMIT ${MAX_CHART_BUCKETS * (MAX_CHART_GROUPS + 1) + 1}$`),
    );
  });

  it(`answers up to ${MAX_CHART_BUCKETS} buckets and refuses more with a 400 naming the limit`, async () => {
    const rows = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ bucket: index * MINUTE, event_count: 1, value: 2 }));
    const full = await chart(engineAnswering(rows(MAX_CHART_BUCKETS)), DUCKDB_DIALECT, TENANT, perMinute);
    expect(full.events).toHaveLength(MAX_CHART_BUCKETS);
    expect(full.totalEvents).toBe(MAX_CHART_BUCKETS);
    await expect(
      chart(engineAnswering(rows(MAX_CHART_BUCKETS + 1)), DUCKDB_DIALECT, TENANT, perMinute),
    ).rejects.toMatchObject({
      kind: 'validation',
      message: `the chart spans more than ${MAX_CHART_BUCKETS} "minute" buckets (at most ${MAX_CHART_BUCKETS}): give a shorter dateRange or use a wider bucket`,
    });
  });

  it('counts distinct buckets, not rows, when grouped', async () => {
    // Two groups per bucket: twice the rows, still within the bucket limit.
    const rows = Array.from({ length: MAX_CHART_BUCKETS * 2 }, (_, index) => ({
      bucket: Math.floor(index / 2) * MINUTE,
      group_value: index % 2 === 0 ? 'a' : null,
      other_group: false,
      event_count: 1,
      value: 1,
    }));
    const result = await chart(engineAnswering(rows), DUCKDB_DIALECT, TENANT, {
      ...perMinute,
      groupBy: 'model',
    });
    expect(result.events).toHaveLength(MAX_CHART_BUCKETS * 2);
    expect(result.events.slice(0, 2)).toEqual([
      { bucket: 0, group: 'a', value: 1, count: 1 },
      { bucket: 0, group: null, value: 1, count: 1 },
    ]);
    const tooWide = [
      ...rows,
      { bucket: MAX_CHART_BUCKETS * MINUTE, group_value: 'a', other_group: false, event_count: 1, value: 1 },
    ];
    await expect(
      chart(engineAnswering(tooWide), DUCKDB_DIALECT, TENANT, { ...perMinute, groupBy: 'model' }),
    ).rejects.toMatchObject({ kind: 'validation' });
  });

  it('labels the folded group and marks it, whatever its rows carry as a value', async () => {
    const result = await chart(
      engineAnswering([{ bucket: 0, group_value: null, other_group: true, event_count: 7, value: 9 }]),
      DUCKDB_DIALECT,
      TENANT,
      { ...perMinute, groupBy: 'model' },
    );
    expect(result.events).toEqual([{ bucket: 0, group: OTHER_CHART_GROUP, other: true, value: 9, count: 7 }]);
  });
});
