import { useState } from 'react';

/** Lists longer than this get a pager (Table.tsx's Pager) under them. */
export const PAGED_OVER = 25;

/**
 * A list already in memory shown a page at a time (a dataset's datapoints, a run's results: thousands
 * of rows would make the table slow to render). The page is clamped when the list shrinks.
 */
export function usePaging<T>(items: readonly T[], initialSize = 100) {
  const [page, setPage] = useState(1);
  const [size, setSize] = useState(initialSize);
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(page, pages);
  const offset = (current - 1) * size;
  return {
    offset,
    shown: items.slice(offset, offset + size),
    paged: items.length > PAGED_OVER,
    pager: {
      page: current,
      pageSize: size,
      total: items.length,
      onPage: setPage,
      onPageSize(next: number) {
        setSize(next);
        setPage(1);
      },
    },
  };
}
