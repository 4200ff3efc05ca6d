/**
 * The named fields of a record, in that order, leaving out those it does not have: what a view or a
 * payload shows of it, and nothing else the record (or a caller) carries.
 */
export function pickFields<T extends object, K extends keyof T>(record: T, keys: readonly K[]): Pick<T, K> {
  const picked = {} as Pick<T, K>;
  for (const key of keys) if (record[key] !== undefined) picked[key] = record[key];
  return picked;
}
