import { useEffect } from 'react';

/** The document title: the page first, so tabs and screen readers name the page. */
export function useTitle(page: string): void {
  useEffect(() => {
    document.title = `${page} · Waggle`;
  }, [page]);
}
