/**
 * What Athena takes, in one place. Every statement the query layer writes is held to these rules:
 * the Athena engine and the local DuckDB engine check them before running (so a statement Athena
 * would refuse fails locally too), and a property test checks every statement the read API can
 * produce, plus a Trino grammar. Partition bounds are checked separately (partition-bounds.ts).
 *
 * From the Athena User Guide, "Use parameterized queries", and the StartQueryExecution reference:
 * - `?` parameters may only stand in the WHERE clause (`SELECT ? FROM t` is refused), never inside
 *   quotes; they are positional and filled in order;
 * - each execution parameter is spliced into the statement as literal text, so a string must
 *   arrive as a quoted SQL literal (`'it''s'`), a number as its digits, and each value is at most
 *   1,024 characters;
 * - the query string is at most 262,144 bytes.
 */
import type { SqlParam } from './engine';
import { scanStatement } from './sql-scan';

/** StartQueryExecution ExecutionParameters: each value is 1 to 1,024 characters. */
export const MAX_ATHENA_PARAMETER_CHARS = 1024;
/** StartQueryExecution QueryString: 1 to 262,144 bytes. */
export const MAX_ATHENA_QUERY_BYTES = 262_144;

/** A statement the query layer wrote breaks a rule: a bug in the query layer, never the client's fault. */
export class AthenaRuleError extends Error {
  override readonly name = 'AthenaRuleError';
}

/** A parameter as the SQL literal Athena splices in: quoted strings, plain numbers, true/false, NULL. */
export function athenaLiteral(value: SqlParam): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new AthenaRuleError(`cannot send ${value} to Athena`);
    return String(value);
  }
  return `'${value.replaceAll("'", "''")}'`;
}

/** Characters a value takes once spliced as a literal (what the 1,024 limit counts). */
export function literalLength(value: SqlParam): number {
  return athenaLiteral(value).length;
}

const STRING_LITERAL = /^'(?:[^']|'')*'$/s;
const NUMBER_LITERAL = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

/** Every way the statement breaks Athena's rules, as messages; empty when it keeps them all. */
export function athenaRuleViolations(sqlText: string, params: readonly SqlParam[]): string[] {
  const violations: string[] = [];
  const bytes = Buffer.byteLength(sqlText);
  if (bytes > MAX_ATHENA_QUERY_BYTES)
    violations.push(`the statement is ${bytes} bytes; Athena takes at most ${MAX_ATHENA_QUERY_BYTES}`);
  const scanned = scanStatement(sqlText);
  if (scanned.params.length !== params.length)
    violations.push(
      `the statement has ${scanned.params.length} placeholders but ${params.length} parameters`,
    );
  for (const placeholder of scanned.params) {
    if (placeholder.clause === 'where') continue;
    const where = placeholder.cte === undefined ? 'the main query' : `CTE ${placeholder.cte}`;
    violations.push(
      `parameter ${placeholder.index + 1} stands in the ${placeholder.clause.toUpperCase()} clause of ${where}; Athena takes ? only in WHERE`,
    );
  }
  params.forEach((value, index) => {
    let literal: string;
    try {
      literal = athenaLiteral(value);
    } catch (error) {
      violations.push(`parameter ${index + 1}: ${(error as Error).message}`);
      return;
    }
    if (literal.length > MAX_ATHENA_PARAMETER_CHARS)
      violations.push(
        `parameter ${index + 1} is ${literal.length} characters as a literal; Athena takes at most ${MAX_ATHENA_PARAMETER_CHARS}`,
      );
    if (!isLiteral(literal))
      violations.push(`parameter ${index + 1} is not a SQL literal: ${literal.slice(0, 40)}`);
  });
  return violations;
}

function isLiteral(text: string): boolean {
  return STRING_LITERAL.test(text) || NUMBER_LITERAL.test(text) || /^(true|false|NULL)$/.test(text);
}

/** Throws AthenaRuleError naming every broken rule. */
export function assertAthenaRules(
  sqlText: string,
  params: readonly SqlParam[],
  statement = 'statement',
): void {
  const violations = athenaRuleViolations(sqlText, params);
  if (violations.length > 0)
    throw new AthenaRuleError(`${statement} breaks Athena's rules: ${violations.join('; ')}`);
}

/** The statement with every parameter spliced in as Athena does (for the Trino grammar and plans). */
export function spliceParameters(sqlText: string, params: readonly SqlParam[]): string {
  let next = 0;
  let out = '';
  let at = 0;
  // Placeholders outside quotes only; the scanner's tokenizer knows where quotes are.
  for (const match of sqlText.matchAll(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g)) {
    if (match[0] !== '?') continue;
    out += sqlText.slice(at, match.index) + athenaLiteral(params[next++] ?? null);
    at = match.index + 1;
  }
  return out + sqlText.slice(at);
}
