/**
 * A small scanner for the SQL this query layer writes: which clause each `?` stands in, and which
 * table each FROM/JOIN names together with the WHERE of the same query. Enough to check Athena's
 * rules (athena-rules.ts) and partition bounds (partition-bounds.ts) without a full grammar; the
 * tests also run every statement through a Trino grammar.
 *
 * It errs on the side of "outside WHERE": a `?` inside a subquery's SELECT list, or after a FROM
 * inside a function call (`extract(x FROM ?)`), counts as outside, which Athena may refuse too.
 */

export type Clause =
  | 'with'
  | 'select'
  | 'from'
  | 'on'
  | 'where'
  | 'group by'
  | 'having'
  | 'order by'
  | 'limit'
  | 'offset'
  | 'window'
  | 'values'
  | 'none';

export interface Token {
  kind: 'word' | 'param' | 'string' | 'identifier' | 'number' | 'symbol' | 'open' | 'close';
  text: string;
  /** For `param`: its 0-based position among the statement's parameters. */
  param?: number;
}

export interface ScannedParam {
  index: number;
  clause: Clause;
  /** The CTE the parameter is in, if any. */
  cte: string | undefined;
}

export interface TableReference {
  /** Lower-case table name as written (`events`, `tombstones`, a CTE name...). */
  table: string;
  cte: string | undefined;
  /** The tokens of the WHERE clause of the query that reads the table (nested parentheses included, subqueries not). */
  where: Token[];
}

export interface ScannedStatement {
  params: ScannedParam[];
  tables: TableReference[];
}

const CLAUSE_KEYWORDS: Record<string, Clause> = {
  WITH: 'with',
  SELECT: 'select',
  FROM: 'from',
  JOIN: 'from',
  ON: 'on',
  USING: 'on',
  WHERE: 'where',
  GROUP: 'group by',
  HAVING: 'having',
  ORDER: 'order by',
  LIMIT: 'limit',
  OFFSET: 'offset',
  FETCH: 'limit',
  WINDOW: 'window',
  VALUES: 'values',
  UNION: 'select',
  INTERSECT: 'select',
  EXCEPT: 'select',
};

const SYMBOLS = ['>=', '<=', '<>', '!=', '||', '::', '=>', '->'];

export function tokenize(sqlText: string): Token[] {
  const tokens: Token[] = [];
  let params = 0;
  let at = 0;
  while (at < sqlText.length) {
    const char = sqlText[at] as string;
    if (/\s/.test(char)) {
      at++;
    } else if (sqlText.startsWith('--', at)) {
      const end = sqlText.indexOf('\n', at);
      at = end === -1 ? sqlText.length : end + 1;
    } else if (sqlText.startsWith('/*', at)) {
      const end = sqlText.indexOf('*/', at + 2);
      at = end === -1 ? sqlText.length : end + 2;
    } else if (char === "'" || char === '"') {
      const end = quotedEnd(sqlText, at, char);
      tokens.push({ kind: char === "'" ? 'string' : 'identifier', text: sqlText.slice(at, end) });
      at = end;
    } else if (char === '?') {
      tokens.push({ kind: 'param', text: '?', param: params++ });
      at++;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char === '(' ? 'open' : 'close', text: char });
      at++;
    } else if (/[A-Za-z_]/.test(char)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sqlText.slice(at))?.[0] ?? char;
      tokens.push({ kind: 'word', text: word });
      at += word.length;
    } else if (/[0-9]/.test(char)) {
      const number = /^[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?/.exec(sqlText.slice(at))?.[0] ?? char;
      tokens.push({ kind: 'number', text: number });
      at += number.length;
    } else {
      const symbol = SYMBOLS.find((candidate) => sqlText.startsWith(candidate, at)) ?? char;
      tokens.push({ kind: 'symbol', text: symbol });
      at += symbol.length;
    }
  }
  return tokens;
}

/** Index just past a quoted string or identifier; a doubled quote is an escaped one. */
function quotedEnd(text: string, start: number, quote: string): number {
  let at = start + 1;
  while (at < text.length) {
    if (text[at] === quote) {
      if (text[at + 1] === quote) at += 2;
      else return at + 1;
    } else at++;
  }
  return text.length;
}

interface Frame {
  clause: Clause;
  cte: string | undefined;
  /** The frame of the query this parenthesis belongs to (itself once it has a SELECT). */
  query: QueryFrame;
}

interface QueryFrame {
  where: Token[];
}

export function scanStatement(sqlText: string): ScannedStatement {
  const tokens = tokenize(sqlText);
  const params: ScannedParam[] = [];
  const tables: TableReference[] = [];
  const top: Frame = { clause: 'none', cte: undefined, query: { where: [] } };
  const stack: Frame[] = [top];
  const current = () => stack[stack.length - 1] as Frame;

  tokens.forEach((token, index) => {
    const frame = current();
    const previous = tokens[index - 1];
    if (token.kind === 'open') {
      if (frame.clause === 'where') frame.query.where.push(token);
      stack.push({
        clause: frame.clause,
        cte: cteNameBefore(tokens, index) ?? frame.cte,
        query: frame.query,
      });
      return;
    }
    if (token.kind === 'close') {
      if (stack.length > 1) stack.pop();
      const outer = current();
      if (outer.clause === 'where') outer.query.where.push(token);
      return;
    }
    if (token.kind === 'word') {
      const keyword = token.text.toUpperCase();
      const clause = CLAUSE_KEYWORDS[keyword];
      // `IS [NOT] DISTINCT FROM` is a comparison, not a FROM clause.
      const comparison = keyword === 'FROM' && previous?.text.toUpperCase() === 'DISTINCT';
      if (clause !== undefined && !comparison) {
        if (keyword === 'SELECT' && frame.clause !== 'select') frame.query = { where: [] };
        frame.clause = clause;
        if (clause === 'from') {
          const table = tableNameAfter(tokens, index);
          if (table !== undefined) tables.push({ table, cte: frame.cte, where: frame.query.where });
        }
        return;
      }
    }
    if (token.kind === 'param') {
      params.push({ index: token.param as number, clause: frame.clause, cte: frame.cte });
    }
    if (frame.clause === 'where') frame.query.where.push(token);
  });
  return { params, tables };
}

/** `name AS (`: the CTE a parenthesis opens. */
function cteNameBefore(tokens: readonly Token[], openIndex: number): string | undefined {
  const as = tokens[openIndex - 1];
  const name = tokens[openIndex - 2];
  if (as?.kind !== 'word' || as.text.toUpperCase() !== 'AS') return undefined;
  if (name?.kind !== 'word') return undefined;
  return name.text.toLowerCase();
}

/** The table a FROM or JOIN names (`events`, `db.events` -> `events`); undefined for a subquery. */
function tableNameAfter(tokens: readonly Token[], keywordIndex: number): string | undefined {
  let at = keywordIndex + 1;
  let name = tokens[at];
  if (name?.kind !== 'word' && name?.kind !== 'identifier') return undefined;
  while (tokens[at + 1]?.text === '.' && tokens[at + 2] !== undefined) {
    at += 2;
    name = tokens[at] as Token;
  }
  return unquote(name.text).toLowerCase();
}

function unquote(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text;
}
