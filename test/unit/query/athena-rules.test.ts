/** Athena's rules (athena-rules.ts) and partition reach (partition-bounds.ts) on hand-written statements. */
import { describe, expect, it } from 'vitest';
import {
  AthenaRuleError,
  assertAthenaRules,
  athenaRuleViolations,
  MAX_ATHENA_PARAMETER_CHARS,
  MAX_ATHENA_QUERY_BYTES,
  spliceParameters,
} from '../../../lambdas/domain/query/athena-rules';
import { chartStatement } from '../../../lambdas/domain/query/chart-query';
import { ATHENA_DIALECT } from '../../../lambdas/domain/query/dialect';
import {
  PROJECTED_FIRST_DAY,
  partitionReach,
  projectedDays,
} from '../../../lambdas/domain/query/partition-bounds';
import { DEFAULT_DATA_START_DATE, projectedDayRange } from '../../../lambdas/domain/store/projection-window';
import { TENANT } from './store-fixture';

const NOW = Date.UTC(2026, 10, 22, 12);

describe('athenaRuleViolations', () => {
  it('takes parameters in WHERE, nested conditions, IN lists, subqueries and IS DISTINCT FROM', () => {
    const text = `WITH a AS (SELECT id FROM events WHERE project_id = ? AND (x IS DISTINCT FROM ? OR y IN (?, ?)))
SELECT a.id, CAST(1 AS DOUBLE) AS one FROM a LEFT JOIN b ON a.id IS NOT DISTINCT FROM b.id
WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.id = ?) AND strpos(lower(a.id), lower(?)) > 0
ORDER BY 1 OFFSET 10 LIMIT 5`;
    expect(athenaRuleViolations(text, ['p', 'x', 1, 2, 'c', "it's"])).toEqual([]);
  });

  it.each([
    ['the SELECT list', 'SELECT ? FROM t', 'SELECT clause of the main query'],
    [
      'a CTE SELECT list',
      'WITH c AS (SELECT json_extract_scalar(m, ?) AS g FROM t) SELECT g FROM c',
      'SELECT clause of CTE c',
    ],
    ['GROUP BY', 'SELECT count(*) FROM t GROUP BY ?', 'GROUP BY clause'],
    ['HAVING', 'SELECT count(*) FROM t GROUP BY x HAVING count(*) > ?', 'HAVING clause'],
    ['ORDER BY', 'SELECT x FROM t ORDER BY ?', 'ORDER BY clause'],
    ['a JOIN condition', 'SELECT x FROM t JOIN u ON t.id = ?', 'ON clause'],
    ['LIMIT', 'SELECT x FROM t LIMIT ?', 'LIMIT clause'],
    ['a window', 'SELECT row_number() OVER (PARTITION BY ?) FROM t', 'SELECT clause'],
    ['a subquery SELECT list inside WHERE', 'SELECT x FROM t WHERE x IN (SELECT ? FROM u)', 'SELECT clause'],
  ])('refuses a parameter in %s', (_name, text, message) => {
    expect(athenaRuleViolations(text, ['v']).join('\n')).toContain(message);
    expect(() => assertAthenaRules(text, ['v'])).toThrow(AthenaRuleError);
  });

  it('refuses the chart group-by form that put the JSON path in the SELECT list as a parameter', () => {
    const old = `WITH charted AS (SELECT json_extract_scalar(v.metadata, ?) AS group_value FROM visible v WHERE v.project_id = ?)
SELECT group_value, count(*) FROM charted GROUP BY 1`;
    expect(athenaRuleViolations(old, ['$["tier"]', 'p'])).toEqual([
      'parameter 1 stands in the SELECT clause of CTE charted; Athena takes ? only in WHERE',
    ]);
  });

  it('takes the chart statement with a nested group-by, metric and filter now that paths are literals', () => {
    const statement = chartStatement(
      TENANT,
      {
        metric: 'metrics.answer length',
        aggregation: 'p90',
        bucket: 'hour',
        groupBy: 'metadata.user-tier',
        filters: [{ field: 'metadata.env', operator: 'is', value: 'prod' }],
      },
      ATHENA_DIALECT,
    );
    expect(statement.text).toContain(`json_extract_scalar(v.metadata, '$["user-tier"]')`);
    // A metric name with a space is a quoted key (Trino's bracket notation).
    expect(statement.text).toContain(`'$["answer length"]'`);
    expect(athenaRuleViolations(statement.text, statement.params)).toEqual([]);
  });

  it('counts a literal as Athena does: quotes doubled, 1,024 characters at most', () => {
    const fits = `${"'".repeat(10)}${'x'.repeat(MAX_ATHENA_PARAMETER_CHARS - 22)}`; // 20 + 1002 + 2 quotes
    expect(athenaRuleViolations('SELECT 1 FROM t WHERE x = ?', [fits])).toEqual([]);
    expect(athenaRuleViolations('SELECT 1 FROM t WHERE x = ?', [`${fits}x`])).toEqual([
      `parameter 1 is 1025 characters as a literal; Athena takes at most ${MAX_ATHENA_PARAMETER_CHARS}`,
    ]);
  });

  it('refuses placeholders and parameters out of step, a quoted placeholder, non-finite numbers and an oversized statement', () => {
    expect(athenaRuleViolations('SELECT 1 FROM t WHERE x = ?', [])).toEqual([
      'the statement has 1 placeholders but 0 parameters',
    ]);
    expect(athenaRuleViolations("SELECT 1 FROM t WHERE x = '?'", ['a'])[0]).toMatch(/0 placeholders but 1/);
    expect(athenaRuleViolations('SELECT 1 FROM t WHERE x = ?', [Number.NaN])[0]).toMatch(/cannot send NaN/);
    const big = `SELECT 1 FROM t WHERE x IN (${'1,'.repeat(MAX_ATHENA_QUERY_BYTES / 2)}1)`;
    expect(athenaRuleViolations(big, [])[0]).toMatch(/Athena takes at most 262144/);
  });

  it('splices parameters as Athena does, leaving quoted question marks alone', () => {
    expect(spliceParameters("SELECT '?' FROM t WHERE a = ? AND b = ? AND c = ?", ["it's", 2, null])).toBe(
      "SELECT '?' FROM t WHERE a = 'it''s' AND b = 2 AND c = NULL",
    );
  });
});

describe('partitionReach', () => {
  it('counts the hours a dt range touches, and the projected range when there is none', () => {
    const text = `WITH tomb AS (SELECT id FROM tombstones WHERE project_id = ?),
ranked AS (SELECT * FROM events WHERE (project_id = ?) AND (dt >= ? AND dt <= ?))
SELECT * FROM ranked`;
    expect(partitionReach(text, ['p', 'p', '2026-11-01', '2026-11-03'], NOW)).toEqual([
      { table: 'tombstones', cte: 'tomb', bounded: false, hours: projectedDays(NOW) * 24 },
      { table: 'events', cte: 'ranked', bounded: true, hours: 72 },
    ]);
    // 2000-01-01 .. 2026-11-23 (NOW+1DAYS: the projection reaches tomorrow), both included.
    expect(projectedDays(NOW)).toBe(9824);
  });

  it('narrows by hour, reads BETWEEN and equality, and ignores a dt predicate under an OR', () => {
    expect(
      partitionReach("SELECT * FROM events WHERE dt = '2026-11-01' AND hour BETWEEN '05' AND '07'", [], NOW),
    ).toEqual([{ table: 'events', cte: undefined, bounded: true, hours: 3 }]);
    expect(
      partitionReach(
        'SELECT * FROM events WHERE x = 1 OR (dt >= ? AND dt <= ?)',
        ['2026-11-01', '2026-11-01'],
        NOW,
      ),
    ).toEqual([{ table: 'events', cte: undefined, bounded: false, hours: projectedDays(NOW) * 24 }]);
    expect(
      partitionReach(
        'SELECT * FROM events WHERE a = 1 AND (b = 2 OR c = 3) AND dt BETWEEN ? AND ?',
        ['2026-11-01', '2026-11-02'],
        NOW,
      ),
    ).toEqual([{ table: 'events', cte: undefined, bounded: true, hours: 48 }]);
  });

  it('counts the days the Glue tables project by default: from their first day to tomorrow', () => {
    // event-tables.ts sets projection.dt.range from projectedDayRange (its CDK test checks the template).
    expect(projectedDayRange(DEFAULT_DATA_START_DATE)).toBe(`${PROJECTED_FIRST_DAY},NOW+1DAYS`);
    const today =
      Math.floor(NOW / 86_400_000) - Math.floor(Date.parse(`${PROJECTED_FIRST_DAY}T00:00:00Z`) / 86_400_000);
    expect(projectedDays(NOW)).toBe(today + 2);
  });
});
