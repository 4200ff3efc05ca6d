import type { ReactNode } from 'react';
import { ErrorMessage } from './ErrorMessage';

/**
 * A list a query reads: the query's error, `loading` while it is first read, `empty` when it read
 * no items, else the items through `children` (a table, usually).
 */
export function QueryList<T>({
  query,
  items,
  errorTitle,
  loading,
  empty,
  children,
}: {
  query: { error: unknown; isLoading: boolean };
  /** The items read, undefined until they are. */
  items: readonly T[] | undefined;
  errorTitle: string;
  loading: string;
  empty: ReactNode;
  children(items: readonly T[]): ReactNode;
}) {
  return (
    <>
      <ErrorMessage error={query.error} title={errorTitle} />
      {query.isLoading ? (
        <p className="muted" role="status">
          {loading}
        </p>
      ) : null}
      {items?.length === 0 ? empty : null}
      {items && items.length > 0 ? children(items) : null}
    </>
  );
}
