/**
 * The Athena path: the statement and execution parameters the Athena engine sends for the query
 * layer's statements, polling, paging and failures, against a mocked Athena client.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AthenaQueryEngine, sqlLiteral } from '../../lambdas/adapters/aws/athena-query-engine';
import { AthenaRuleError } from '../../lambdas/domain/query/athena-rules';
import { DeadlineExceededError } from '../../lambdas/domain/query/deadline';
import { createEventQueryService } from '../../lambdas/domain/query/event-query-service';
import { TENANT } from '../unit/query/store-fixture';

const athena = mockClient(AthenaClient);
const options = { workGroup: 'waggle', database: 'waggle_events', pollIntervalMs: 1, timeoutMs: 200 };

function textRow(...values: (string | undefined)[]) {
  return { Data: values.map((value) => (value === undefined ? {} : { VarCharValue: value })) };
}

beforeEach(() => {
  athena.reset();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
});

describe('AthenaQueryEngine', () => {
  it('sends the export statement with every user value as a literal execution parameter', async () => {
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: {
          ColumnInfo: [
            { Name: 'event_id', Type: 'varchar' },
            { Name: 'version', Type: 'bigint' },
            { Name: 'cost', Type: 'double' },
            { Name: 'deleted', Type: 'boolean' },
            { Name: 'metadata', Type: 'varchar' },
            { Name: 'parent_id', Type: 'varchar' },
            { Name: 'total', Type: 'bigint' },
            // As the id locator answers (the same rows answer every statement here).
            { Name: 'kind', Type: 'varchar' },
            { Name: 'id', Type: 'varchar' },
            { Name: 'dt', Type: 'varchar' },
          ],
        },
        Rows: [
          textRow(
            'event_id',
            'version',
            'cost',
            'deleted',
            'metadata',
            'parent_id',
            'total',
            'kind',
            'id',
            'dt',
          ),
          textRow(
            'e1',
            '1741608000000000',
            '0.25',
            'false',
            '{"tag":"x"}',
            undefined,
            '1',
            'event',
            'e1',
            '2026-03-10',
          ),
        ],
      },
    });
    const service = createEventQueryService(new AthenaQueryEngine(new AthenaClient({}), options));
    const hostile = "O'Brien'); DROP TABLE events; --";
    const result = await service.exportEvents(TENANT, {
      filters: [
        { field: 'metadata.tag', operator: 'is', value: hostile },
        { field: 'cost', operator: 'greater than', value: 0.1 },
      ],
      limit: 10,
      page: 2,
    });

    const starts = athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);
    // The days of the session events (metadata is inherited from them), the page's ids and the count
    // (both filtered), then the page's events located (the page saw no start time) and read whole by
    // id from the located day.
    expect(starts).toHaveLength(5);
    const filtered = starts.filter((input) => input.QueryString?.includes('json_extract_scalar'));
    expect(filtered).toHaveLength(2);
    for (const input of starts) {
      expect(input.QueryString).not.toContain('Brien');
      expect(input.QueryString?.split('?').length).toBe((input.ExecutionParameters?.length ?? 0) + 1);
    }
    const located = starts.find((input) => input.QueryString?.startsWith('SELECT kind, id'));
    expect(located?.ExecutionParameters).toEqual(["'proj-1'", "'e1'"]);
    const byId = starts.find((input) => input.QueryString?.includes('event_id IN (?'));
    // The tenant scope (tombstones) and the tombstones' days, the scope again (events), the page's
    // one id and its located day.
    const scope = ["'proj-1'", "'org-1'", "'ws-1'"];
    expect(byId?.ExecutionParameters?.slice(0, 3)).toEqual(scope);
    expect(byId?.ExecutionParameters?.slice(5, 10)).toEqual([...scope, "'e1'", "'2026-03-10'"]);
    for (const input of filtered) {
      expect(input.WorkGroup).toBe('waggle');
      expect(input.QueryExecutionContext).toEqual({ Database: 'waggle_events' });
      expect(input.QueryString).not.toContain('Brien');
      expect(input.QueryString).not.toContain('proj-1');
      // The JSON path is an allow-listed literal: Athena takes ? only in WHERE, and charts select by path.
      expect(input.QueryString).toContain(`json_extract_scalar(v.metadata, '$["tag"]')`);
      expect(input.QueryString?.split('?').length).toBe((input.ExecutionParameters?.length ?? 0) + 1);
      expect(input.ExecutionParameters).toEqual(
        expect.arrayContaining([
          "'proj-1'",
          "'org-1'",
          "'ws-1'",
          "'O''Brien''); DROP TABLE events; --'",
          '0.1',
        ]),
      );
    }
    const page = starts.find((input) => input.QueryString?.includes('OFFSET'));
    expect(page?.QueryString).toContain('OFFSET 10 LIMIT 10');
    expect(result.events[0]).toMatchObject({
      event_id: 'e1',
      version: 1741608000000000,
      cost: 0.25,
      deleted: false,
      metadata: { tag: 'x' },
      parent_id: null,
    });
    expect(result.totalEvents).toBe(1);
  });

  it('uses Trino functions for percentiles and buckets', async () => {
    athena
      .on(GetQueryResultsCommand)
      .resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [textRow()] } });
    const service = createEventQueryService(new AthenaQueryEngine(new AthenaClient({}), options));
    await service.chart(TENANT, {
      metric: 'metrics.score',
      aggregation: 'p90',
      bucket: 'day',
      groupBy: 'model',
      filters: [],
    });
    const sql = athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input.QueryString ?? '';
    expect(sql).toContain(`try_cast(json_extract_scalar(v.metrics, '$["score"]') AS DOUBLE) AS metric_value`);
    expect(sql).toContain('approx_percentile(c.metric_value, 0.9)');
    expect(sql).toContain("date_trunc('day', from_unixtime(v.start_time / 1000.0))");
    // Groups past the 50 with the most events fold into one; the answer has at most 3000 x 51 rows.
    expect(sql).toContain('LIMIT 50\n');
    expect(sql).toContain('c.group_value IS NOT DISTINCT FROM t.group_value');
    expect(sql).toMatch(/LIMIT 153001$/);
  });

  it('polls until the query succeeds and pages through results, skipping only the header row', async () => {
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const columns = {
      ColumnInfo: [
        { Name: 'n', Type: 'integer' },
        { Name: 'name', Type: 'varchar' },
      ],
    };
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: undefined })
      .resolves({
        ResultSet: { ResultSetMetadata: columns, Rows: [textRow('n', 'name'), textRow('1', 'a')] },
        NextToken: 't2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q-1', NextToken: 't2' })
      .resolves({
        ResultSet: { ResultSetMetadata: columns, Rows: [textRow('2', 'b'), textRow('3', undefined)] },
      });

    const engine = new AthenaQueryEngine(new AthenaClient({}), options);
    expect(await engine.query('SELECT 1', [])).toEqual([
      { n: 1, name: 'a' },
      { n: 2, name: 'b' },
      { n: 3, name: null },
    ]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0]?.args[0].input).not.toHaveProperty(
      'ExecutionParameters',
    );
  });

  it('fails with the reason when the query fails', async () => {
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'COLUMN_NOT_FOUND: line 1' } },
    });
    const engine = new AthenaQueryEngine(new AthenaClient({}), options);
    await expect(engine.query('SELECT x', [])).rejects.toThrow(/q-1 FAILED: COLUMN_NOT_FOUND/);
  });

  it('stops the query and fails when it runs past the timeout', async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const engine = new AthenaQueryEngine(new AthenaClient({}), { ...options, timeoutMs: 30 });
    await expect(engine.query('SELECT 1', [])).rejects.toThrow(/timed out/);
    expect(athena.commandCalls(StopQueryExecutionCommand)[0]?.args[0].input).toEqual({
      QueryExecutionId: 'q-1',
    });
  });

  it("refuses a statement that breaks Athena's rules before sending it", async () => {
    const engine = new AthenaQueryEngine(new AthenaClient({}), options);
    await expect(engine.query('SELECT ? AS x FROM events', ['a'], { statement: 'chart' })).rejects.toThrow(
      AthenaRuleError,
    );
    await expect(engine.query('SELECT 1 FROM events WHERE x = ?', ['y'.repeat(1023)])).rejects.toThrow(
      /1025 characters as a literal/,
    );
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it("stops the query at the read's deadline, not after its own timeout", async () => {
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    athena.on(StopQueryExecutionCommand).resolves({});
    const engine = new AthenaQueryEngine(new AthenaClient({}), { ...options, timeoutMs: 60_000 });
    const started = Date.now();
    await expect(
      engine.query('SELECT 1', [], { statement: 'chart', deadline: started + 80 }),
    ).rejects.toThrow(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(athena.commandCalls(StopQueryExecutionCommand)).toHaveLength(1);
  });

  it('renders parameters as SQL literals', () => {
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(-0.5)).toBe('-0.5');
    expect(sqlLiteral(true)).toBe('true');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(() => sqlLiteral(Number.NaN)).toThrow();
  });
});
