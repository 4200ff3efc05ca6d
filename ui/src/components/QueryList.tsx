import type { ReactNode } from 'react';
import { ErrorMessage } from './ErrorMessage';

/** A query of a list (its data undefined until read). */
export interface ListQuery<T> {
  error: unknown;
  isLoading: boolean;
  data?: readonly T[];
}

/**
 * A list a query reads: the query's error, a loading line while it is first read, `empty` when it
 * read no items, else the items through `children` (a table, usually). `what` names the items.
 */
export function QueryList<T>({
  query,
  what,
  empty,
  children,
}: {
  query: ListQuery<T>;
  what: string;
  empty: ReactNode;
  children(items: readonly T[]): ReactNode;
}) {
  const items = query.data;
  return (
    <>
      <ErrorMessage error={query.error} title={`Could not list ${what}`} />
      {query.isLoading ? (
        <p className="muted" role="status">
          Loading {what}…
        </p>
      ) : null}
      {items?.length === 0 ? empty : null}
      {items && items.length > 0 ? children(items) : null}
    </>
  );
}
