/** Runs one of the query layer's statements: by name, within the read's deadline. */
import { assertBeforeDeadline } from './deadline';
import type { QueryEngine, StatementName } from './engine';
import type { Sql } from './sql';
import type { ReadContext } from './types';

export function runStatement(
  engine: QueryEngine,
  name: StatementName,
  statement: Sql,
  context: ReadContext = {},
): Promise<Record<string, unknown>[]> {
  assertBeforeDeadline(context.deadline, `statement ${name} could start`);
  return engine.query(statement.text, statement.params, {
    statement: name,
    ...(context.deadline === undefined ? {} : { deadline: context.deadline }),
  });
}
