/** npm run query:plan: the Athena statements a read request would run, with their partition reach. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { athenaRuleViolations } from '../../../lambdas/domain/query/athena-rules';
import { projectedDays } from '../../../lambdas/domain/query/partition-bounds';
import { planRead } from '../../../lambdas/local/query-plan';

const NOW = Date.UTC(2026, 10, 22, 12);
const ALL_HOURS = projectedDays(NOW) * 24;

describe('planRead', () => {
  it('plans a grouped chart over 7 days: one statement, its event scan bounded to 8 days of hours', async () => {
    const plan = await planRead(
      'GET',
      '/v1/events/chart?metric=metrics.score&aggregation=p90&groupBy=metadata.tier&dateRange=7d&filters=[{"field":"metadata.env","operator":"is","value":"O\'Brien"}]',
      undefined,
      NOW,
    );
    expect(plan.status).toBe(200);
    expect(plan.statements.map((statement) => statement.statement)).toEqual(['chart']);
    const [chart] = plan.statements;
    expect(chart?.parameters).toContain("'O''Brien'");
    expect(chart?.sql).toContain(`json_extract_scalar(v.metadata, '$["tier"]')`);
    // 7 days back from noon touches 8 calendar days; tombstones are never bounded (known).
    expect(chart?.partitions).toEqual([
      { table: 'tombstones', cte: 'tomb', hours: ALL_HOURS, bounded: false, knownUnbounded: true },
      { table: 'events', cte: 'ranked', hours: 8 * 24, bounded: true },
      { table: 'events', cte: 'session_ranked', hours: ALL_HOURS, bounded: false, knownUnbounded: true },
    ]);
  });

  it('shows the three statements an event read by id runs in sequence, none bounded', async () => {
    const plan = await planRead('GET', '/v1/events/evt-1', undefined, NOW);
    expect(plan.statements.map((statement) => statement.statement)).toEqual([
      'rows-by-session',
      'rows-by-id',
      'rows-by-session',
    ]);
    for (const statement of plan.statements) {
      expect(statement.partitions.every((reach) => !reach.bounded && reach.knownUnbounded)).toBe(true);
    }
  });

  it('plans an export with a dateRange: page and count bounded to the range, the page read by id within its own hours', async () => {
    const body = JSON.stringify({
      filters: [],
      limit: 10,
      dateRange: { $gte: '2026-11-01', $lte: '2026-11-02T10:00' },
    });
    const plan = await planRead('POST', '/v1/events/export', body, NOW);
    expect(plan.statements.map((statement) => statement.statement)).toEqual([
      'export-page',
      'export-count',
      'rows-by-ids',
      'rows-by-ids',
    ]);
    for (const statement of plan.statements.slice(0, 2))
      expect(statement.partitions.find((reach) => reach.cte === 'ranked')?.hours).toBe(48);
    for (const statement of plan.statements)
      expect(
        athenaRuleViolations(
          statement.sql,
          statement.parameters.map(() => 'x'),
        ),
      ).toEqual([]);
  });

  it('runs nothing for a refused request and says why', async () => {
    const plan = await planRead(
      'GET',
      '/events?filters=[{"field":"dt","operator":"exists"}]',
      undefined,
      NOW,
    );
    expect(plan.status).toBe(400);
    expect(plan.error).toMatch(/filters\[0\]\.field is not readable: field "dt" is a storage partition/);
    expect(plan.statements).toEqual([]);
  });
});

describe('npm run query:plan', () => {
  it('prints the plan as JSON', () => {
    const output = execFileSync('npm', ['run', '-s', 'query:plan', '--', 'GET', '/events?limit=5'], {
      encoding: 'utf8',
    });
    const plan = JSON.parse(output) as {
      status: number;
      statements: Array<{ statement: string; sql: string }>;
    };
    expect(plan.status).toBe(200);
    expect(plan.statements[0]?.statement).toBe('export-page');
    expect(plan.statements[0]?.sql).toContain('OFFSET 0 LIMIT 5');
  }, 30_000);
});
