/** npm run query:plan: the Athena statements a read request would run, with their partition reach. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { athenaRuleViolations } from '../../../lambdas/domain/query/athena-rules';
import { projectedDays } from '../../../lambdas/domain/query/partition-bounds';
import { planRead } from '../../../lambdas/local/query-plan';

const NOW = Date.UTC(2026, 10, 22, 12);
const ALL_HOURS = projectedDays(NOW) * 24;
const planGet = (path: string) => planRead('GET', path, undefined, NOW);
/** The statements an export runs, in order. */
const EXPORT_STATEMENTS = ['export-page', 'export-count', 'rows-by-ids', 'locate', 'rows-by-ids'];

describe('planRead', () => {
  it('plans a grouped chart over 7 days: the session events located first, every reference bounded', async () => {
    const plan = await planGet(
      '/v1/events/chart?metric=metrics.score&aggregation=p90&groupBy=metadata.tier&dateRange=7d&filters=[{"field":"metadata.env","operator":"is","value":"O\'Brien"}]',
    );
    expect(plan.status).toBe(200);
    expect(plan.statements.map((statement) => statement.statement)).toEqual(['session-days', 'chart']);
    const [days, chart] = plan.statements;
    // 7 days back from noon touches 8 calendar days; tombstones from 2 days (the deletion reach)
    // before the range to tomorrow (the horizon): 11 days. The locator: the project's one partition.
    const range = [
      { table: 'tombstones', cte: 'tomb', hours: 11 * 24, bounded: true },
      { table: 'events', cte: 'ranked', hours: 8 * 24, bounded: true },
    ];
    expect(days?.partitions).toEqual([...range, { table: 'locator', cte: null, hours: 0, bounded: true }]);
    expect(chart?.parameters).toContain("'O''Brien'");
    expect(chart?.sql).toContain(`json_extract_scalar(v.metadata, '$["tier"]')`);
    // The session events, on the two days the locator named (2026-11-21 and 22), and the tombstones
    // from 2 days before the first of them to tomorrow (2026-11-19 .. 2026-11-23).
    expect(chart?.partitions).toEqual([
      ...range,
      { table: 'tombstones', cte: 'session_tomb', hours: 5 * 24, bounded: true },
      { table: 'events', cte: 'session_ranked', hours: 2 * 24, bounded: true },
    ]);
    expect(chart?.parameters).toEqual(expect.arrayContaining(["'2026-11-21'", "'2026-11-22'"]));
  });

  it('reads an event by id and a session by id from the days the locator names', async () => {
    const located = [{ table: 'locator', cte: null, hours: 0, bounded: true }];
    // The located day (today) and tombstones from 2 days before it to tomorrow.
    const sessionRows = [
      { table: 'tombstones', cte: 'tomb', hours: 4 * 24, bounded: true },
      { table: 'events', cte: 'ranked', hours: 24, bounded: true },
    ];
    const session = await planGet('/v1/sessions/s-1');
    expect(session.statements.map((statement) => [statement.statement, statement.partitions])).toEqual([
      ['locate', located],
      ['rows-by-session', sessionRows],
    ]);
    // An event read is located together with its session (a nested locator reference), then read
    // with its session. GET /v1/events/{id} tries the id as a session first.
    const event = await planGet('/v1/events/evt-1');
    expect(event.statements.map((statement) => [statement.statement, statement.partitions])).toEqual([
      ['locate', located],
      ['rows-by-session', sessionRows],
      ['locate', [...located, ...located]],
      ['rows-by-session', sessionRows],
    ]);
    expect(event.statements[1]?.parameters).toContain("'2026-11-22'");
  });

  it('plans an export with a dateRange: page and count bounded to the range, the page read by id within its own hours', async () => {
    const body = JSON.stringify({
      filters: [],
      limit: 10,
      dateRange: { $gte: '2026-11-01', $lte: '2026-11-02T10:00' },
    });
    const plan = await planRead('POST', '/v1/events/export', body, NOW);
    expect(plan.statements.map((statement) => statement.statement)).toEqual(EXPORT_STATEMENTS);
    // Page and count: the range's 2 days of events, tombstones from 2 days before it to tomorrow
    // (2026-10-30 .. 2026-11-23, 25 days); the page's events by id within their own day and its
    // tombstones from 2 days before; the unseen session event on the day the locator names.
    for (const statement of plan.statements.slice(0, 2))
      expect(statement.partitions).toEqual([
        { table: 'tombstones', cte: 'tomb', hours: 25 * 24, bounded: true },
        { table: 'events', cte: 'ranked', hours: 48, bounded: true },
      ]);
    expect(plan.statements[2]?.partitions).toEqual([
      { table: 'tombstones', cte: 'tomb', hours: 4 * 24, bounded: true },
      { table: 'events', cte: 'ranked', hours: 24, bounded: true },
    ]);
    expect(plan.statements[3]?.partitions).toEqual([
      { table: 'locator', cte: null, hours: 0, bounded: true },
    ]);
    expect(plan.statements[4]?.partitions).toEqual([
      { table: 'tombstones', cte: 'tomb', hours: 4 * 24, bounded: true },
      { table: 'events', cte: 'ranked', hours: 24, bounded: true },
    ]);
    for (const statement of plan.statements)
      expect(
        athenaRuleViolations(
          statement.sql,
          statement.parameters.map(() => 'x'),
        ),
      ).toEqual([]);
  });

  it('plans an export without a dateRange over the default window: the last 30 days up to tomorrow', async () => {
    const plan = await planRead('POST', '/v1/events/export', '{"filters":[],"limit":10}', NOW);
    expect(plan.status).toBe(200);
    expect(plan.statements.map((statement) => statement.statement)).toEqual(EXPORT_STATEMENTS);
    // 2026-10-23 12:00 .. the end of 2026-11-23: 32 days of events, tombstones from 2026-10-21: 34 days.
    for (const statement of plan.statements.slice(0, 2)) {
      expect(statement.partitions).toEqual([
        { table: 'tombstones', cte: 'tomb', hours: 34 * 24, bounded: true },
        { table: 'events', cte: 'ranked', hours: 32 * 24, bounded: true },
      ]);
      expect(statement.parameters).toEqual(
        expect.arrayContaining([
          String(NOW - 30 * 86_400_000),
          String(Date.UTC(2026, 10, 24) - 1),
          "'2026-10-23'",
          "'2026-11-23'",
          "'2026-10-21'",
        ]),
      );
    }
    for (const statement of plan.statements.slice(2))
      expect(statement.partitions.every((reach) => reach.bounded)).toBe(true);
  });

  it('plans a chart grouped by metadata without a dateRange: events and tombstones bounded to the default window', async () => {
    const plan = await planGet('/v1/events/chart?groupBy=metadata.tier&bucket=day');
    expect(plan.status).toBe(200);
    expect(plan.statements.map((statement) => statement.statement)).toEqual(['session-days', 'chart']);
    // The session events (which may have started long before the window) only on the days the
    // locator names for them.
    expect(plan.statements[1]?.partitions).toEqual([
      { table: 'tombstones', cte: 'tomb', hours: 34 * 24, bounded: true },
      { table: 'events', cte: 'ranked', hours: 32 * 24, bounded: true },
      { table: 'tombstones', cte: 'session_tomb', hours: 5 * 24, bounded: true },
      { table: 'events', cte: 'session_ranked', hours: 2 * 24, bounded: true },
    ]);
  });

  it('plans a chart grouped by a column without a dateRange: every reference bounded', async () => {
    const plan = await planGet('/v1/events/chart?groupBy=model&aggregation=count');
    expect(plan.statements[0]?.partitions).toEqual([
      { table: 'tombstones', cte: 'tomb', hours: 34 * 24, bounded: true },
      { table: 'events', cte: 'ranked', hours: 32 * 24, bounded: true },
    ]);
  });

  it('counts an unbounded reference over every projected day, tomorrow included', () => {
    // 2000-01-01 .. 2026-11-23
    expect(ALL_HOURS).toBe(
      (Date.UTC(2026, 10, 23) / 86_400_000 - Date.UTC(2000, 0, 1) / 86_400_000 + 1) * 24,
    );
  });

  it('runs nothing for a refused request and says why', async () => {
    const plan = await planGet('/events?filters=[{"field":"dt","operator":"exists"}]');
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
