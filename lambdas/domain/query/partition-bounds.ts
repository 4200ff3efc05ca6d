/**
 * How many hour partitions each reference to the `events` and `tombstones` tables can touch. On
 * Athena both tables use partition projection (lib/data-plane/event-tables.ts): a reference with no
 * predicate on `dt` makes Athena enumerate every projected day since PROJECTED_FIRST_DAY, 24 hours
 * each, whether or not files exist there.
 *
 * Bounds are read from the top-level conjuncts of the reading query's WHERE (`dt >= ?`, `dt <= ?`,
 * `dt = ?`, `dt BETWEEN ? AND ?`, and the same on `hour`); a predicate under an OR does not bound.
 */
import { DEFAULT_DATA_START_DATE, PROJECTED_DAYS_AHEAD } from '../store/projection-window';
import { athenaLiteral } from './athena-rules';
import type { SqlParam, StatementName } from './engine';
import { scanStatement, type Token } from './sql-scan';

/**
 * The first day of `projection.dt.range` by default (lib/data-plane/event-tables.ts; a deployment's
 * `dataStartDate` moves it later, which only shrinks what an unbounded reference enumerates).
 */
export const PROJECTED_FIRST_DAY = DEFAULT_DATA_START_DATE;
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
 * Table references that are unbounded today, as `<statement>/<cte>.<table>`; any unbounded reference
 * not listed here fails the Athena contract test (test/unit/query/athena-contract.property.test.ts).
 * Every read over a range (a dateRange, or the default window of read-window.ts) bounds its events
 * and its tombstones (deletion-reach.ts). What is left are lookups by id, whose rows may lie in any
 * hour: an event or a session has no known start time until it is found. They stay unbounded until
 * the writer maintains an id locator (event id and session id -> the days their rows lie in), which
 * will bound each of them to those days:
 * - rows-by-session: a session's events (GET /v1/sessions/{id}, GET /v1/events/{id});
 * - rows-by-id: one event by id (GET /v1/events/{id});
 * - rows-by-ids: the writer's update-base lookup (lookupLatest), and an export page's session
 *   events that started outside the read's range;
 * - session_ranked / session_tomb beside a range (reads of inherited metadata.* / user_properties.*):
 *   the session events the ranged events name, which may have started any time before the range,
 *   and the tombstones that may hide them.
 */
export const KNOWN_UNBOUNDED_REFERENCES: ReadonlySet<string> = new Set([
  'export-page/session_ranked.events',
  'export-page/session_tomb.tombstones',
  'export-count/session_ranked.events',
  'export-count/session_tomb.tombstones',
  'chart/session_ranked.events',
  'chart/session_tomb.tombstones',
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

/** Days from PROJECTED_FIRST_DAY to the last projected day (tomorrow), both included: what an unbounded reference enumerates. */
export function projectedDays(now: number): number {
  return Math.floor(now / DAY_MS) + PROJECTED_DAYS_AHEAD - dayIndex(PROJECTED_FIRST_DAY) + 1;
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
