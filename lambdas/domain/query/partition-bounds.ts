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
export const PARTITIONED_TABLES: readonly string[] = ['events', 'tombstones', 'scores', 'minute_rollups'];

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
 * Table references tolerated without partition bounds, as `<statement>/<cte>.<table>`; any
 * unbounded reference not listed here fails the Athena contract test
 * (test/unit/query/athena-contract.property.test.ts). Every read over a range (a dateRange, or the
 * default window of read-window.ts) bounds its events and its tombstones (deletion-reach.ts), and
 * every lookup by id or session reads only the days the id locator names (locate.ts,
 * store/locator.ts), so the list is empty; it stays as the one place an exception would be argued.
 */
export const KNOWN_UNBOUNDED_REFERENCES: ReadonlySet<string> = new Set<string>();

/**
 * Tables partitioned by project only (the id locator, the event schemas): a reference is bounded
 * when its WHERE pins `project_id` to one value (Athena's injected projection requires exactly that).
 */
export const PROJECT_PARTITIONED_TABLES: readonly string[] = ['locator', 'event_schemas'];

/** `<statement>/<cte>.<table>`, as KNOWN_UNBOUNDED_REFERENCES lists them. */
export function referenceKey(
  statement: StatementName | string,
  reach: Pick<PartitionReach, 'table' | 'cte'>,
): string {
  return `${statement}/${reach.cte ?? ''}.${reach.table}`;
}

export function partitionReach(sqlText: string, params: readonly SqlParam[], now: number): PartitionReach[] {
  return scanStatement(sqlText).tables.flatMap((reference): PartitionReach[] => {
    if (PROJECT_PARTITIONED_TABLES.includes(reference.table)) {
      const project = columnBounds(reference.where, params, 'project_id');
      const bounded = project.from !== undefined && project.from === project.to;
      // Not hourly: one partition (the project's) when bounded; `hours` counts hour partitions only.
      return [{ table: reference.table, cte: reference.cte, bounded, hours: 0 }];
    }
    if (!PARTITIONED_TABLES.includes(reference.table)) return [];
    const days = columnBounds(reference.where, params, 'dt');
    const hours = hourBounds(reference.where, params);
    const hoursPerDay = hours === undefined ? 24 : Math.max(0, hours.to - hours.from + 1);
    const bounded = days.from !== undefined && days.to !== undefined;
    const dayCount = !bounded
      ? projectedDays(now)
      : days.values !== undefined
        ? days.values.size
        : Math.max(0, dayIndex(days.to as string) - dayIndex(days.from as string) + 1);
    return [{ table: reference.table, cte: reference.cte, bounded, hours: dayCount * hoursPerDay }];
  });
}

/** Days from PROJECTED_FIRST_DAY to the last projected day (tomorrow), both included: what an unbounded reference enumerates. */
export function projectedDays(now: number): number {
  return Math.floor(now / DAY_MS) + PROJECTED_DAYS_AHEAD - dayIndex(PROJECTED_FIRST_DAY) + 1;
}

function dayIndex(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

function hourBounds(
  where: readonly Token[],
  params: readonly SqlParam[],
): { from: number; to: number } | undefined {
  const bounds = columnBounds(where, params, 'hour');
  if (bounds.from === undefined && bounds.to === undefined) return undefined;
  return { from: Number(bounds.from ?? 0), to: Number(bounds.to ?? 23) };
}

interface ColumnBounds {
  from?: string;
  to?: string;
  /** When an `IN (...)` list bounds the column: the values it allows (within from..to). */
  values?: Set<string>;
}

/** Lower and upper bounds on a column from the WHERE's conjuncts that no OR weakens. */
function columnBounds(where: readonly Token[], params: readonly SqlParam[], column: string): ColumnBounds {
  const result: ColumnBounds = {};
  // One entry per open parenthesis: whether an OR appears directly inside it.
  const groups: Array<{ or: boolean }> = [{ or: false }];
  const candidates: Array<{ chain: Array<{ or: boolean }> } & ColumnBounds> = [];
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
    if (candidate.values !== undefined) {
      const allowed = result.values;
      result.values =
        allowed === undefined
          ? candidate.values
          : new Set([...candidate.values].filter((v) => allowed.has(v)));
    }
  }
  if (result.values !== undefined) {
    const { from, to } = result;
    result.values = new Set(
      [...result.values].filter((v) => (from === undefined || v >= from) && (to === undefined || v <= to)),
    );
  }
  return result;
}

/** `col >= v`, `col > v`, `col <= v`, `col < v`, `col = v`, `col BETWEEN v AND w`, `col IN (v, ...)` at `index`. */
function comparison(
  tokens: readonly Token[],
  index: number,
  params: readonly SqlParam[],
): ColumnBounds | undefined {
  const operator = tokens[index + 1]?.text.toUpperCase();
  if (operator === 'IN') return inList(tokens, index + 2, params);
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

/** `(v, w, ...)` of literals or parameters at `openIndex`; undefined for anything else (a subquery). */
function inList(
  tokens: readonly Token[],
  openIndex: number,
  params: readonly SqlParam[],
): ColumnBounds | undefined {
  if (tokens[openIndex]?.kind !== 'open') return undefined;
  const values = new Set<string>();
  for (let at = openIndex + 1; ; at += 2) {
    const value = literalValue(tokens[at], params);
    if (value === undefined) return undefined;
    values.add(value);
    const next = tokens[at + 1];
    if (next?.kind === 'close') break;
    if (next?.text !== ',') return undefined;
  }
  const sorted = [...values].sort();
  return { from: sorted[0], to: sorted[sorted.length - 1], values };
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
