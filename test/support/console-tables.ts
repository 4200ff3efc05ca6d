/** Reading the console's data tables in browser tests. */
import type { Locator } from 'playwright-core';

/** The row of `table` whose row header is `name` (exactly). */
export function rowNamed(table: Locator, name: string): Locator {
  return table.getByRole('row').filter({ has: table.page().getByRole('rowheader', { name, exact: true }) });
}

/** The texts of that row's cells (its row header left out). */
export function cellsOf(table: Locator, name: string): Promise<string[]> {
  return rowNamed(table, name).getByRole('cell').allTextContents();
}
