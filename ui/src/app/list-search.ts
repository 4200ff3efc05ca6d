/**
 * The sessions and events pages keep their state in the URL (time range, filters, sort, page), so
 * a reload, a shared link or the back button from a session shows the same list. Values at their
 * defaults are left out of the URL.
 */
import type { SortOrder } from '../api/client';
import type { EventFilter } from '../api/types';

export const RANGE_PRESETS = ['1h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export const LIST_PAGE_SIZES = [25, 50, 100, 250, 500] as const;

export interface ListSearch<S extends string = string> {
  range?: RangePreset | 'custom';
  /** Custom range bounds, epoch ms. */
  from?: number;
  to?: number;
  filters?: EventFilter[];
  sort?: S;
  order?: SortOrder;
  page?: number;
  size?: number;
}

function finite(value: unknown): number | undefined {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function filtersOf(value: unknown): EventFilter[] | undefined {
  let list = value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list)) return undefined;
  const filters = list.filter(
    (entry): entry is EventFilter =>
      entry !== null &&
      typeof entry === 'object' &&
      typeof (entry as EventFilter).field === 'string' &&
      typeof (entry as EventFilter).operator === 'string' &&
      ['string', 'number', 'boolean', 'undefined'].includes(typeof (entry as EventFilter).value),
  );
  return filters.length > 0 ? filters.slice(0, 50) : undefined;
}

/** Reads a list page's search parameters, dropping anything malformed. */
export function parseListSearch<S extends string>(
  search: Record<string, unknown>,
  sorts: readonly S[],
): ListSearch<S> {
  const parsed: ListSearch<S> = {};
  const from = finite(search.from);
  const to = finite(search.to);
  if (search.range === 'custom' && from !== undefined && to !== undefined && from <= to) {
    Object.assign(parsed, { range: 'custom', from, to });
  } else {
    const preset = RANGE_PRESETS.find((candidate) => candidate === search.range);
    if (preset) parsed.range = preset;
  }
  const filters = filtersOf(search.filters);
  if (filters) parsed.filters = filters;
  const sort = sorts.find((candidate) => candidate === search.sort);
  if (sort) parsed.sort = sort;
  if (search.order === 'asc' || search.order === 'desc') parsed.order = search.order;
  const page = finite(search.page);
  if (page !== undefined && Number.isInteger(page) && page > 1 && page <= 100_000) parsed.page = page;
  const size = finite(search.size);
  if (LIST_PAGE_SIZES.some((candidate) => candidate === size)) parsed.size = size;
  return parsed;
}

export interface ListDefaults<S extends string> {
  sort: S;
  order: SortOrder;
  size: number;
}

/** What a list page shows for its search: the named values, or the defaults for those it leaves out. */
export function listView<S extends string>(search: ListSearch<S>, defaults: ListDefaults<S>) {
  return {
    range: rangeFromSearch(search),
    filters: search.filters ?? [],
    sortBy: search.sort ?? defaults.sort,
    sortOrder: search.order ?? defaults.order,
    page: search.page ?? 1,
    pageSize: search.size ?? defaults.size,
  };
}

/**
 * A function that changes a list's state in the URL through the route's navigate; any change but
 * paging starts again at page 1, and defaults are left out.
 */
export function listUpdater<S extends string, P extends ListSearch<S>>(
  navigate: (options: { search: (previous: P) => P; replace: boolean }) => Promise<void>,
  defaults: ListDefaults<S>,
): (patch: P) => void {
  return (patch) =>
    void navigate({
      search: (previous) => withoutDefaults({ ...previous, page: undefined, ...patch }, defaults),
      replace: true,
    });
}

/** The time range a search names (the last 24 hours when it names none). */
export function rangeFromSearch(
  search: ListSearch,
): { preset: RangePreset } | { preset: 'custom'; from: number; to: number } {
  if (search.range === 'custom' && search.from !== undefined && search.to !== undefined) {
    return { preset: 'custom', from: search.from, to: search.to };
  }
  return { preset: search.range === 'custom' || search.range === undefined ? '24h' : search.range };
}

export function rangeToSearch(
  range: { preset: RangePreset } | { preset: 'custom'; from: number; to: number },
): Pick<ListSearch, 'range' | 'from' | 'to'> {
  if (range.preset === 'custom') return { range: 'custom', from: range.from, to: range.to };
  return { range: range.preset === '24h' ? undefined : range.preset, from: undefined, to: undefined };
}

/** A search with its default values left out (so they stay out of the URL). */
export function withoutDefaults<S extends string, T extends ListSearch<S>>(
  search: T,
  defaults: ListDefaults<S>,
): T {
  const out = { ...search };
  if (out.range === '24h') out.range = undefined;
  if (out.range !== 'custom') {
    out.from = undefined;
    out.to = undefined;
  }
  if (out.filters?.length === 0) out.filters = undefined;
  if (out.sort === defaults.sort) out.sort = undefined;
  if (out.order === defaults.order) out.order = undefined;
  if (out.page === 1) out.page = undefined;
  if (out.size === defaults.size) out.size = undefined;
  return out;
}
