import { TrinoSQL } from 'dt-sql-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMonitorInput } from '../../../../lambdas/domain/alerts/monitors/definition';
import { evaluateMonitors, groupMonitors } from '../../../../lambdas/domain/alerts/monitors/evaluate';
import { memoryStatusStore } from '../../../../lambdas/domain/alerts/monitors/memory-status-store';
import type { NotificationOutbox } from '../../../../lambdas/domain/alerts/monitors/outbox';
import { type RollupRow, rollupsOf } from '../../../../lambdas/domain/alerts/monitors/rollup';
import {
  engineRollupReader,
  type RollupQuery,
  rollupStatement,
} from '../../../../lambdas/domain/alerts/monitors/rollup-query';
import type { MonitorDefinition } from '../../../../lambdas/domain/alerts/monitors/synced';
import type { MonitorTransitionReport } from '../../../../lambdas/domain/alerts/monitors/transition-report';
import type { Notification } from '../../../../lambdas/domain/alerts/notification';
import { plainEvent } from '../../../../lambdas/domain/events/event';
import { athenaRuleViolations, spliceParameters } from '../../../../lambdas/domain/query/athena-rules';
import { partitionReach } from '../../../../lambdas/domain/query/partition-bounds';
import { createRecordingEngine } from '../../../../lambdas/domain/query/recording-engine';
import { ERROR_COUNT_MONITOR } from '../alerts-fixtures';

const TENANT = { org_id: 'o', workspace_id: 'w', project_id: 'p' };
const NOW = Date.UTC(2026, 11, 4, 10, 30, 20);

function monitor(id: string, overrides: Record<string, unknown> = {}): MonitorDefinition {
  return {
    ...parseMonitorInput({ ...ERROR_COUNT_MONITOR, name: id, ...overrides }),
    id,
    org_id: 'o',
    project_id: 'p',
    version: 1,
  };
}

function errorEvents(count: number, at: number) {
  return Array.from({ length: count }, (_, index) =>
    plainEvent(TENANT, {
      event_id: `e${at}-${index}`,
      version: 1,
      session_id: 's',
      event_type: 'model',
      event_name: 'chat',
      source: 'app',
      start_time: at,
      end_time: at,
      duration: 10,
      ingested_at: at,
      error: 'boom',
    }),
  );
}

function harness(rows: () => RollupRow[]) {
  const queued: Notification[] = [];
  const order: string[] = [];
  const statuses = memoryStatusStore();
  const queries: RollupQuery[] = [];
  const reports: MonitorTransitionReport[] = [];
  let outboxFails = false;
  const outbox: NotificationOutbox = {
    async queue(notification, channels) {
      if (outboxFails) throw new Error('queue down');
      order.push(`queue ${notification.monitor_id} ${notification.severity}`);
      for (const _ of channels) queued.push(notification);
    },
    async report(transition) {
      if (outboxFails) throw new Error('queue down');
      order.push(`report ${transition.monitor_id} ${transition.status.state}`);
      reports.push(transition);
    },
  };
  const saving = statuses.save.bind(statuses);
  statuses.save = async (...args) => {
    order.push(`save ${args[1]} ${args[2].state}`);
    await saving(...args);
  };
  const failures: unknown[] = [];
  let now = NOW;
  return {
    queued,
    reports,
    order,
    statuses,
    queries,
    failures,
    setNow: (at: number) => {
      now = at;
    },
    failOutbox: (fails: boolean) => {
      outboxFails = fails;
    },
    run: (monitors: MonitorDefinition[]) =>
      evaluateMonitors(monitors, {
        readRollups: async (query) => {
          queries.push(query);
          return rows();
        },
        statuses,
        outbox,
        projectName: async () => 'Project P',
        clock: () => now,
        onFailure: (info) => failures.push(info.error),
      }),
  };
}

describe('monitor evaluation', () => {
  it('evaluates monitors sharing a query with one statement', async () => {
    const h = harness(() => []);
    const result = await h.run([
      monitor('a'),
      monitor('b', { critical: 5, warning: 1 }),
      monitor('c', { window_minutes: 10 }),
      monitor('d', { paused: true }),
    ]);
    expect(result).toMatchObject({ evaluated: 4, statements: 2, notified: 0 });
    expect(h.queries.map((query) => query.toMinute - query.fromMinute)).toEqual([4 * 60_000, 9 * 60_000]);
    expect(
      groupMonitors([monitor('a'), monitor('e', { condition: 'drift', critical: 10 })], NOW),
    ).toHaveLength(2);
  });

  it('goes ok -> critical -> ok, queuing each notification before saving the state', async () => {
    let rows: RollupRow[] = [];
    const h = harness(() => rows);
    await h.run([monitor('a')]);
    rows = rollupsOf(errorEvents(3, NOW - 30_000));
    await h.run([monitor('a')]);
    expect(h.queued.map((n) => [n.severity, n.state, n.previous_state, n.value, n.threshold])).toEqual([
      ['critical', 'critical', 'ok', 3, 0],
    ]);
    // Still critical: nothing more.
    await h.run([monitor('a')]);
    // Five minutes later the errors have left the window.
    h.setNow(NOW + 5 * 60_000);
    await h.run([monitor('a')]);
    expect(h.queued.map((n) => n.severity)).toEqual(['critical', 'resolution']);
    expect(h.queued[1]).toMatchObject({
      state: 'ok',
      previous_state: 'critical',
      value: 0,
      threshold: 0,
      window_minutes: 5,
    });
    // Each change is reported to the control plane after its notification and before its save.
    expect(h.order).toEqual([
      'report a ok',
      'save a ok',
      'queue a critical',
      'report a critical',
      'save a critical',
      'save a critical',
      'queue a resolution',
      'report a ok',
      'save a ok',
    ]);
    const history = await h.statuses.history('p', 'a', 10);
    expect(history.map((entry) => entry.state)).toEqual(['ok', 'critical', 'ok']);
    // The reports carry what the data plane's own history holds, and the notification's id.
    expect(h.reports.map((report) => report.change)).toEqual([...history].reverse());
    expect(h.reports[1]).toMatchObject({
      org_id: 'o',
      project_id: 'p',
      monitor_id: 'a',
      status: { state: 'critical', alerting: 'critical', value: 3, since: NOW },
      change: { notification_id: h.queued[0]?.id },
    });
    expect(Object.keys(h.reports[1] as object).sort()).toEqual(
      ['change', 'monitor_id', 'org_id', 'project_id', 'status'].sort(),
    );
    // Only figures leave: no event contents.
    expect(Object.keys(h.queued[0] as object).sort()).toEqual(
      [
        'id',
        'monitor_id',
        'monitor_name',
        'org_id',
        'previous_state',
        'project_id',
        'project_name',
        'severity',
        'state',
        'threshold',
        'timestamp',
        'type',
        'value',
        'window_minutes',
      ].sort(),
    );
  });

  it('a failed queue saves nothing, and the retry carries the same idempotency id', async () => {
    const rows = rollupsOf(errorEvents(2, NOW));
    const h = harness(() => rows);
    h.failOutbox(true);
    const failed = await h.run([monitor('a')]);
    expect(failed.failed).toBe(1);
    expect(h.statuses.saves).toBe(0);
    h.failOutbox(false);
    h.setNow(NOW + 60_000);
    await h.run([monitor('a')]);
    // A crash after queuing and before saving: the next run queues the same notification again.
    const statuses = memoryStatusStore();
    const first: Notification[] = [];
    const deps = {
      readRollups: async () => rows,
      statuses: {
        ...statuses,
        save: async () => {
          throw new Error('crash');
        },
      },
      outbox: { queue: async (n: Notification) => void first.push(n), report: async () => {} },
      projectName: async () => 'P',
      clock: () => NOW,
    };
    await evaluateMonitors([monitor('a')], deps);
    await evaluateMonitors([monitor('a')], { ...deps, clock: () => NOW + 60_000 });
    expect(first).toHaveLength(2);
    expect(first[0]?.id).toBe(first[1]?.id);
    expect(first[0]?.id).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
    expect(h.queued[0]?.id).toBe(first[0]?.id);
  });

  it('a monitor without channels changes state and notifies nobody', async () => {
    const h = harness(() => rollupsOf(errorEvents(1, NOW)));
    const result = await h.run([monitor('a', { channels: [] })]);
    expect(result.notified).toBe(0);
    expect((await h.statuses.load('p', ['a'])).get('a')?.state).toBe('critical');
  });

  it('a new monitor with no data stays unknown; an avg with no data after data is no_data', async () => {
    let rows: RollupRow[] = [];
    const h = harness(() => rows);
    const avg = monitor('a', { aggregation: 'avg', field: 'duration', critical: 100 });
    await h.run([avg]);
    expect((await h.statuses.load('p', ['a'])).get('a')?.state).toBe('unknown');
    rows = rollupsOf(errorEvents(1, NOW));
    await h.run([avg]);
    rows = [];
    await h.run([avg]);
    expect((await h.statuses.load('p', ['a'])).get('a')?.state).toBe('no_data');
    expect(h.queued).toEqual([]);
  });

  it('drift reads the previous window too and alerts on the change', async () => {
    const rows = [...rollupsOf(errorEvents(2, NOW - 5 * 60_000)), ...rollupsOf(errorEvents(4, NOW))];
    const h = harness(() => rows);
    await h.run([monitor('a', { condition: 'drift', warning: 50, critical: 90 })]);
    expect(h.queued.map((n) => [n.severity, n.value])).toEqual([['critical', 100]]);
    expect((h.queries[0]?.toMinute ?? 0) - (h.queries[0]?.fromMinute ?? 0)).toBe(9 * 60_000);
  });

  it("reads a group's rows once, as they come, for all its monitors", async () => {
    const rows = rollupsOf(errorEvents(3, NOW));
    let passes = 0;
    let yielded = 0;
    // A reader that parses lazily: iterable once, as the engine reader's generator is.
    const lazy = () => {
      passes++;
      return (function* parse() {
        for (const row of rows) {
          yielded++;
          yield row;
        }
      })();
    };
    const statuses = memoryStatusStore();
    const result = await evaluateMonitors(
      [
        monitor('a'),
        monitor('b', { aggregation: 'sum', critical: 10 }),
        monitor('c', { warning: 1, critical: 5 }),
      ],
      {
        readRollups: async () => lazy(),
        statuses,
        outbox: { queue: async () => {}, report: async () => {} },
        projectName: async () => 'P',
        clock: () => NOW,
      },
    );
    expect(result).toMatchObject({ evaluated: 3, statements: 1, failed: 0 });
    expect([passes, yielded]).toEqual([1, rows.length]);
    const states = await statuses.load('p', ['a', 'b', 'c']);
    expect([...states.values()].map((status) => [status.state, status.value])).toEqual([
      ['critical', 3],
      ['ok', 3],
      ['warning', 3],
    ]);
  });
});

describe('the rollup statement (Athena contract)', () => {
  const filterArb = fc.oneof(
    fc.record({
      field: fc.constantFrom('event_name', 'source', 'model'),
      operator: fc.constantFrom('is', 'is not'),
      value: fc.string({ maxLength: 256 }),
      type: fc.constant('string'),
    }),
    fc.record({
      field: fc.constant('error'),
      operator: fc.constantFrom('exists', 'not exists'),
      type: fc.constant('string'),
    }),
  );
  it('keeps Athena rules, parses as Trino SQL and reads only the days of its window', async () => {
    const parser = new TrinoSQL();
    await fc.assert(
      fc.asyncProperty(
        fc.array(filterArb, { maxLength: 10 }),
        fc.constantFrom('errors', 'duration', 'cost', 'tokens', 'metrics.acc'),
        fc.integer({ min: 5, max: 31 * 24 * 60 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 400 * 86_400_000 }),
        async (filters, field, window, drift, offset) => {
          const now = Date.UTC(2026, 0, 1) + offset;
          const definition = monitor('m', {
            filters,
            field,
            aggregation: field === 'errors' ? 'count' : 'p95',
            window_minutes: window,
            ...(drift && { condition: 'drift', critical: 10 }),
          });
          const engine = createRecordingEngine('athena', now);
          const [group] = groupMonitors([definition], now);
          await engineRollupReader(engine)((group as { query: RollupQuery }).query);
          const [statement] = engine.statements;
          expect(statement?.statement).toBe('monitor-rollups');
          const text = statement?.sql ?? '';
          const params = statement?.params ?? [];
          expect(athenaRuleViolations(text, params)).toEqual([]);
          expect(parser.validate(spliceParameters(text, params))).toEqual([]);
          const reach = partitionReach(text, params, now);
          expect(reach.map((r) => [r.table, r.bounded])).toEqual([['minute_rollups', true]]);
          const days = Math.ceil(((drift ? 2 : 1) * window) / 1440) + 1;
          expect(reach[0]?.hours).toBeLessThanOrEqual(days * 24);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('passes filter values only as parameters', () => {
    const statement = rollupStatement({
      project_id: "p'; DROP TABLE events --",
      event_type: 'model',
      filters: [{ field: 'event_name', operator: 'is not', value: "x' OR 1=1 --" }],
      field: { kind: 'errors' },
      withSketch: false,
      fromMinute: NOW - 4 * 60_000,
      toMinute: NOW,
    });
    expect(statement.text).not.toContain('DROP');
    expect(statement.text).not.toContain('1=1');
    expect(statement.params).toContain("x' OR 1=1 --");
  });
});
