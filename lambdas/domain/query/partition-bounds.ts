/**
 * How many hour partitions each reference to the `events` and `tombstones` tables can touch. On
 * Athena both tables use partition projection (lib/data-plane/event-tables.ts): a reference with no
 * predicate on `dt` makes Athena enumerate every projected day since PROJECTED_FIRST_DAY, 24 hours
 * each, whether or not files exist there.
 *
 * Bounds are read from the top-level conjuncts of the reading query's WHERE (`dt >= ?`, `dt <= ?`,
 * `dt = ?`, `dt BETWEEN ? AND ?`, and the same on `hour`); a predicate under an OR does not bound.
 */
import { athenaLiteral } from './athena-rules';
import type { SqlParam, StatementName } from './engine';
import { scanStatement, type Token } from './sql-scan';

/** The first day of `projection.dt.range` ('2000-01-01,NOW') in lib/data-plane/event-tables.ts. */
export const PROJECTED_FIRST_DAY = '2000-01-01';
export const PARTITIONED_TABLES: readonly string[] = ['events', 'tombstones'];

const DAY_MS = 86_400_000;

export interface PartitionReach {
  table: string;
  /** The CTE reading the table (`ranked`, `tomb`...), if any. */
  cte: string | undefined;
  /** Whether a dt predicate bounds the reference. */
  bounded: boolean;
  /** Hour partitions the reference can touch; when unbounded, the whole projected range as of `now`. */
  hours: number;
}

/**
 * Table references that are unbounded today, as `<statement>/<cte>.<table>`. Another part of the
 * work bounds every statement; until then these are reported and tolerated, and any unbounded
 * reference not listed here fails the Athena contract test (test/unit/query/athena-contract.property.test.ts).
 * - tombstones are partitioned by deleted_at, which no read can bound: every prelude reads them all;
 * - reads without a dateRange (export, chart), by session or by id have no start_time to bound by;
 * - the session lookup beside a dateRange (`session_ranked`) looks for session events anywhere;
 * - reads by id outside a range (lookupLatest, unseen session events of an export page).
 */
export const KNOWN_UNBOUNDED_REFERENCES: ReadonlySet<string> = new Set([
  'export-page/tomb.tombstones',
  'export-page/ranked.events',
  'export-page/session_ranked.events',
  'export-count/tomb.tombstones',
  'export-count/ranked.events',
  'export-count/session_ranked.events',
  'chart/tomb.tombstones',
  'chart/ranked.events',
  'chart/session_ranked.events',
  'rows-by-session/tomb.tombstones',
  'rows-by-session/ranked.events',
  'rows-by-id/tomb.tombstones',
  'rows-by-id/ranked.events',
  'rows-by-ids/tomb.tombstones',
  'rows-by-ids/ranked.events',
]);

/** `<statement>/<cte>.<table>`, as KNOWN_UNBOUNDED_REFERENCES lists them. */
export function referenceKey(
  statement: StatementName | string,
  reach: Pick<PartitionReach, 'table' | 'cte'>,
): string {
  return `${statement}/${reach.cte ?? ''}.${reach.table}`;
}

export function partitionReach(sqlText: string, params: readonly SqlParam[], now: number): PartitionReach[] {
  return scanStatement(sqlText)
    .tables.filter((reference) => PARTITIONED_TABLES.includes(reference.table))
    .map((reference) => {
      const days = dayBounds(reference.where, params);
      const hours = hourBounds(reference.where, params);
      const hoursPerDay = hours === undefined ? 24 : Math.max(0, hours.to - hours.from + 1);
      const bounded = days !== undefined;
      const dayCount = bounded
        ? Math.max(0, dayIndex(days.to) - dayIndex(days.from) + 1)
        : projectedDays(now);
      return { table: reference.table, cte: reference.cte, bounded, hours: dayCount * hoursPerDay };
    });
}

/** Days from PROJECTED_FIRST_DAY to today, both included: what an unbounded reference enumerates. */
export function projectedDays(now: number): number {
  return Math.floor(now / DAY_MS) - dayIndex(PROJECTED_FIRST_DAY) + 1;
}

function dayIndex(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

interface Bounds {
  from: string;
  to: string;
}

function dayBounds(where: readonly Token[], params: readonly SqlParam[]): Bounds | undefined {
  const bounds = columnBounds(where, params, 'dt');
  if (bounds.from === undefined || bounds.to === undefined) return undefined;
  return { from: bounds.from, to: bounds.to };
}

function hourBounds(
  where: readonly Token[],
  params: readonly SqlParam[],
): { from: number; to: number } | undefined {
  const bounds = columnBounds(where, params, 'hour');
  if (bounds.from === undefined && bounds.to === undefined) return undefined;
  return { from: Number(bounds.from ?? 0), to: Number(bounds.to ?? 23) };
}

/** Lower and upper bounds on a column from the WHERE's conjuncts that no OR weakens. */
function columnBounds(
  where: readonly Token[],
  params: readonly SqlParam[],
  column: string,
): { from?: string; to?: string } {
  const result: { from?: string; to?: string } = {};
  // One entry per open parenthesis: whether an OR appears directly inside it.
  const groups: Array<{ or: boolean }> = [{ or: false }];
  const candidates: Array<{ chain: Array<{ or: boolean }>; from?: string; to?: string }> = [];
  where.forEach((token, index) => {
    if (token.kind === 'open') groups.push({ or: false });
    else if (token.kind === 'close') groups.pop();
    else if (token.kind === 'word' && token.text.toUpperCase() === 'OR')
      (groups[groups.length - 1] as { or: boolean }).or = true;
    else if (token.kind === 'word' && token.text.toLowerCase() === column && where[index - 1]?.text !== '.') {
      const bound = comparison(where, index, params);
      if (bound) candidates.push({ chain: [...groups], ...bound });
    }
  });
  for (const candidate of candidates) {
    if (candidate.chain.some((group) => group.or)) continue;
    if (candidate.from !== undefined && (result.from === undefined || candidate.from > result.from))
      result.from = candidate.from;
    if (candidate.to !== undefined && (result.to === undefined || candidate.to < result.to))
      result.to = candidate.to;
  }
  return result;
}

/** `col >= v`, `col > v`, `col <= v`, `col < v`, `col = v`, `col BETWEEN v AND w` at `index`. */
function comparison(
  tokens: readonly Token[],
  index: number,
  params: readonly SqlParam[],
): { from?: string; to?: string } | undefined {
  const operator = tokens[index + 1]?.text.toUpperCase();
  const value = literalValue(tokens[index + 2], params);
  if (value === undefined) return undefined;
  switch (operator) {
    case '>=':
    case '>':
      return { from: value };
    case '<=':
    case '<':
      return { to: value };
    case '=':
      return { from: value, to: value };
    case 'BETWEEN': {
      const upper = literalValue(tokens[index + 4], params);
      return tokens[index + 3]?.text.toUpperCase() === 'AND' && upper !== undefined
        ? { from: value, to: upper }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** A parameter's or literal's value as text (`'2026-11-01'` -> 2026-11-01). */
function literalValue(token: Token | undefined, params: readonly SqlParam[]): string | undefined {
  if (token === undefined) return undefined;
  let literal: string | undefined;
  if (token.kind === 'param') {
    const value = params[token.param as number];
    literal = value === undefined ? undefined : athenaLiteral(value);
  } else if (token.kind === 'string' || token.kind === 'number') literal = token.text;
  if (literal === undefined) return undefined;
  return literal.startsWith("'") ? literal.slice(1, -1).replaceAll("''", "'") : literal;
}
